"""The report states what its numbers show: the executive summary's interaction risk names only
flagged panels, each with its ICE spread and class; the fairness section says whether each
sensitive column is a feature of the model."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from shipml.core.enums import Metric
from shipml.explain import Limits, PartialDependence, explain_model, render_report
from shipml.explain.report import ReportFacts
from shipml.explain.report.executive import risks
from shipml.explain.report.insight import fairness_view, pdp_view
from shipml.spec.model import ModelSpec
from tests.unit.explain.conftest import multiclass_model
from tests.unit.registry.manifests import manifest_of

SMALL = Limits(permutation_rows=500, repeats=2, pdp_rows=60, grid_points=6, pdp_features=2,
               shap_rows=80, bootstrap=20)  # fmt: skip


@pytest.fixture(scope="module")
def run() -> tuple[ReportFacts, Any]:
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(4), [200, 150, 120, 10])
    rng.shuffle(y)
    columns = {"x1": y + rng.normal(size=len(y)), "x2": rng.normal(size=len(y))}
    model = multiclass_model(columns, y, ("a", "b", "c", "d"))
    spec = ModelSpec.model_validate({
        "name": "toy", "data": {"train": "toy.csv"}, "target": {"column": "y"},
        "task": "multiclass", "fairness": {"sensitive": ["x1", "group"]},
    })  # fmt: skip
    test = {**columns, "group": rng.choice(np.array(["g", "h"], dtype=object), len(y))}
    e = explain_model(model, test, y, None, metric=Metric.LOG_LOSS, explain=spec.explain,
                      fairness=spec.fairness, seed=0, limits=SMALL,
                      class_rows=[800, 600, 480, 40])  # fmt: skip
    facts = ReportFacts(
        spec=spec, model=model, manifest=manifest_of(model, name="toy"),
        evaluation={"champion": "test", "primary_metric": "log_loss",
                    "test": {"log_loss": 0.7}, "baseline_test": {"log_loss": 1.2},
                    "diagnosis": "a sound fit", "warnings": []},
        leaderboard=[{"family": "test", "fold_scores": [0.7, 0.72]}], choices=[],
        profile={"suspects": [], "columns": [], "target": "y"}, decision=None,
        oof=None, test_predictions=None, bundle_name="toy/1",
    )  # fmt: skip
    return facts, e


def panel(feature: str, label: str, *, flagged: bool, spread: float) -> PartialDependence:
    curves = np.zeros((3, 2))
    return PartialDependence(feature, False, (0.0, 1.0), curves[0], curves, 0.9, flagged,
                             spread, 1.0, f"P(y = {label})", label)  # fmt: skip


def test_the_interaction_risk_names_only_flagged_panels_with_their_numbers(
    run: tuple[ReportFacts, Any],
) -> None:
    facts, e = run
    panels = (panel("x1", "a", flagged=False, spread=0.04),  # heterogeneous, but narrow
              panel("x2", "b", flagged=True, spread=0.42))  # fmt: skip
    said = [r for r in risks(facts, dataclasses.replace(e, pdp=panels)) if "nteraction" in r]
    assert len(said) == 1
    assert "x2 on P(y = b): ICE spread 42% of the prediction range, heterogeneity 0.90" in said[0]
    assert "x1" not in said[0]
    quiet = dataclasses.replace(e, pdp=(panels[0],))
    assert not [r for r in risks(facts, quiet) if "nteraction" in r]
    assert pdp_view(quiet)["interactions"] == []


def test_the_report_shows_each_class_and_each_sensitive_column(
    run: tuple[ReportFacts, Any],
) -> None:
    facts, e = run
    assert e.classes == ("a", "b", "c")
    uses = {u["column"]: u["text"] for u in fairness_view(e)["uses"]}
    assert uses["x1"].startswith("a feature of the model, importance rank ")
    assert uses["x1"].endswith(" of 2")
    assert uses["group"].startswith("not a feature of the model (excluded from the features")
    html = render_report(facts, e)
    assert "Sensitive columns as features" in html
    assert "used for this assessment only" not in html
    for label in ("a", "b", "c"):
        assert f"<h4>P(y = {label})</h4>" in html
    assert "P(y = d)" not in html
    assert "Not explained: &#39;d&#39; (" in html
    assert "ICE spread / prediction range" in html
    executive = html.split('data-section="executive"')[1].split('data-section="technical"')[0]
    for p in e.pdp:
        if not p.interaction:
            assert f"{p.feature} on {p.output}" not in executive
