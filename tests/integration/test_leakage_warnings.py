"""Each suspect column the model leaves out is announced in exactly one warning line, by
`train` and by `profile` alike (the leakage probe's reason carries the scores)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import shipml
from shipml.pipeline.profile import profile_spec
from shipml.tasks import load_spec

from .conftest import make_table, write_spec


def _table_with_a_leak() -> pd.DataFrame:
    table = make_table(600)
    flip = np.random.default_rng(3).random(len(table)) < 1e-3
    table["outcome_code"] = np.where((table["bought"] == "yes") ^ flip, 1.0, 0.0)
    return table


def _lines_naming(lines: list[str], column: str) -> list[str]:
    return [w for w in lines if f"{column} " in w or f"{column}:" in w or f"'{column}'" in w]


def test_train_warns_once_per_suspect_column(tmp_path: Path, home: Path) -> None:
    spec = write_spec(
        tmp_path, _table_with_a_leak(), constraints={"n_trials": 2}, explain={"enabled": False}
    )
    result = shipml.train(spec, track=False)
    warnings = list(result.warnings)
    (leak,) = _lines_naming(warnings, "outcome_code")
    assert leak.startswith("outcome_code left out: leakage suspect: single-feature ROC AUC ")
    assert "above the best other feature" in leak
    assert len(_lines_naming(warnings, "customer_id")) == 1  # the identifier, for comparison
    assert "outcome_code" not in result.model.schema.features


def test_profile_names_a_leak_once(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, _table_with_a_leak())
    result = profile_spec(load_spec(spec), tmp_path / "profile.json")
    notes = [ln for ln in result.text.splitlines() if ln.lstrip().startswith(("!", "warning:"))]
    (leak,) = _lines_naming(notes, "outcome_code")
    assert "leakage suspect" in leak
    kinds = [s["kind"] for s in result.profile["suspects"] if s["column"] == "outcome_code"]
    assert kinds == ["leakage"]
