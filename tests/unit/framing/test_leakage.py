"""The single-feature leakage probe: a copy of the label is found, pure noise is not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shipml.core.enums import ColumnType, Metric
from shipml.framing import probe_leakage, single_feature_scores

from .conftest import build_frame

TYPES = {f"noise{i}": ColumnType.NUMERIC for i in range(3)}


def _noise_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({f"noise{i}": rng.normal(size=n) for i in range(3)})
    table["y"] = (rng.random(n) < 0.4).astype("float64")
    return table


def test_a_planted_copy_of_the_label_is_found():
    table = _noise_table(600, 0)
    table["leak"] = table["y"] + np.random.default_rng(1).normal(0, 1e-3, len(table))
    frame = build_frame(table, TYPES | {"leak": ColumnType.NUMERIC})
    findings = probe_leakage(frame)
    assert [f.column for f in findings] == ["leak"]
    (finding,) = findings
    assert finding.metric is Metric.ROC_AUC
    assert finding.score > 0.98
    assert "may encode the outcome" in finding.reason


def test_a_leak_in_a_regression_is_found_with_r2():
    rng = np.random.default_rng(2)
    table = _noise_table(600, 3)
    table["y"] = rng.normal(size=len(table))
    table["leak"] = table["y"] + rng.normal(0, 1e-3, len(table))
    frame = build_frame(table, TYPES | {"leak": ColumnType.NUMERIC}, task="regression")
    findings = probe_leakage(frame)
    assert [(f.column, f.metric) for f in findings] == [("leak", Metric.R2)]


def test_pure_noise_gives_no_finding():
    frame = build_frame(_noise_table(600, 4), TYPES)
    assert probe_leakage(frame) == []
    metric, scores = single_feature_scores(frame)
    assert metric is Metric.ROC_AUC
    assert all(0.35 < s < 0.65 for s in scores.values())


def test_a_single_feature_is_never_reported():
    table = _noise_table(300, 5)[["noise0", "y"]]
    table["noise0"] = table["y"]
    frame = build_frame(table, {"noise0": ColumnType.NUMERIC})
    assert probe_leakage(frame) == []
