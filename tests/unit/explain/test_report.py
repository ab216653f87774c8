"""The report from hand-made run facts: every section, nothing external, an honest checklist."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import Metric, Task
from shipml.decision import OutOfFold, fit_decision_policy
from shipml.explain import Limits, explain_model, render_report
from shipml.explain.report import ReportFacts, readiness
from shipml.explain.report.curves import calibration_curve, threshold_curves
from shipml.spec.model import Decision, ModelSpec
from tests.unit.explain.conftest import booster_model
from tests.unit.registry.manifests import manifest_of

SMALL = Limits(permutation_rows=300, repeats=3, pdp_rows=80, grid_points=8, shap_rows=150,
               bootstrap=20)  # fmt: skip


@pytest.fixture(scope="module")
def run() -> tuple[ReportFacts, Any]:
    rng = np.random.default_rng(0)
    n = 600
    columns = {"x1": rng.normal(size=n), "x2": rng.normal(size=n)}
    y = (columns["x1"] + rng.normal(size=n) > 0).astype(int)
    model = booster_model(columns, y, Task.BINARY, rounds=30)
    spec = ModelSpec.model_validate({
        "name": "toy", "data": {"train": "toy.csv"}, "target": {"column": "y"},
        "objective": {"description": "Find the ones.", "kpis": ["ones found"]},
        "fairness": {"sensitive": ["group"]},
    })  # fmt: skip
    test = {**columns, "group": rng.choice(np.array(["a", "b"], dtype=object), n)}
    explanation = explain_model(model, test, y, None, metric=Metric.ROC_AUC,
                                explain=spec.explain, fairness=spec.fairness, seed=1,
                                limits=SMALL)  # fmt: skip
    proba = model.estimator.predict_raw(model.matrix(columns)[0])[:, 1]
    scores = pd.DataFrame({"row_id": np.arange(n), "label": y, "proba_0": 1 - proba,
                           "proba_1": proba})  # fmt: skip
    row = {"family": "test", "cv_mean": 0.8, "cv_std": 0.01, "fold_scores": [0.79, 0.81],
           "params": {"class_weight": "balanced"}, "latency_p95_ms": 0.2, "size_mb": 0.1,
           "violations": []}  # fmt: skip
    facts = ReportFacts(
        spec=spec, model=model, manifest=manifest_of(model, name="toy"),
        evaluation={"champion": "test", "reason": "best CV roc_auc", "primary_metric": "roc_auc",
                    "test": {"roc_auc": 0.81}, "baseline_test": {"roc_auc": 0.5},
                    "train": 0.9, "cv": 0.8, "diagnosis": "a sound fit", "warnings": []},
        leaderboard=[{"family": "baseline", "fold_scores": [0.5, 0.5]}, row],
        choices=[{"name": "validation_strategy", "value": "stratified", "reason": "r"}],
        profile={"suspects": [], "columns": [], "target": "y"}, decision=None,
        oof=scores, test_predictions=scores, bundle_name="toy/1",
    )  # fmt: skip
    return facts, explanation


def test_report_renders_every_section_self_contained(run: tuple[ReportFacts, Any]) -> None:
    facts, explanation = run
    html = render_report(facts, explanation)
    for section in ("executive", "technical", "operations", "readiness", "importance", "pdp",
                    "shap", "fairness", "decision", "schema", "usage", "monitoring"):  # fmt: skip
        assert f'data-section="{section}"' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "No decision policy: 0.5 threshold" in html
    assert "ranks a randomly chosen 1 case above" in html
    assert "By group" in html


def test_checklist_ticks_from_the_run_facts(run: tuple[ReportFacts, Any]) -> None:
    facts, explanation = run
    status = {i.label: i.status for i in readiness(facts, explanation)}
    assert status["Baseline and metric defined"] == "yes"
    assert status["Class-imbalance plan chosen"] == "yes"
    assert status["Calibration and threshold chosen on out-of-fold data"] == "no"
    assert status["Fairness assessed for the sensitive columns"] == "yes"
    assert status["Interpretability artifacts produced"] == "yes"
    assert readiness(facts, None)[5].status == "no"  # no explanation: no artifacts
    oof = facts.oof
    outcome = fit_decision_policy(  # the real producer of decision.json's "fit"
        OutOfFold.of(oof[["proba_0", "proba_1"]].to_numpy(), oof["label"].to_numpy(),
                     np.arange(len(oof)) % 3),
        task=Task.BINARY, classes=(0, 1), decision=Decision(costs={"fp": 1.0, "fn": 3.0}),
    )  # fmt: skip
    with_policy = ReportFacts(**{**_fields(facts), "decision": {"fit": outcome.report}})
    items = {i.label: i for i in readiness(with_policy, explanation)}
    assert items["Calibration and threshold chosen on out-of-fold data"].status == "yes"
    assert "Decide positive when the calibrated probability is ≥ " in render_report(
        with_policy, explanation
    )
    unrecorded = {"fit": {"policy": {k: v for k, v in outcome.policy.summary.items()
                                     if k != "fit_on"}}}  # fmt: skip
    old = ReportFacts(**{**_fields(facts), "decision": unrecorded})
    items = {i.label: i for i in readiness(old, explanation)}
    assert items["Calibration and threshold chosen on out-of-fold data"].status == "n/a"


def test_curves_on_calibrated_scores() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(size=20_000)
    y = rng.uniform(size=p.size) < p
    c = calibration_curve(y, p)
    assert np.max(np.abs(c.x - c.y)) < 0.03
    recall = threshold_curves(y, p)["recall"].y
    assert np.all(np.diff(recall) <= 0)


def _fields(facts: ReportFacts) -> dict[str, Any]:
    return {name: getattr(facts, name) for name in ReportFacts.__dataclass_fields__}


def test_explanations_turned_off_still_render(run: tuple[ReportFacts, Any]) -> None:
    from shipml.spec.model import Explain

    facts, _ = run
    rng = np.random.default_rng(2)
    test = {"x1": rng.normal(size=200), "x2": rng.normal(size=200),
            "group": np.array(["a", "b"] * 100, dtype=object)}  # fmt: skip
    y = (test["x1"] > 0).astype(int)
    off = explain_model(facts.model, test, y, None, metric=Metric.ROC_AUC,
                        explain=Explain(enabled=False), fairness=facts.spec.fairness, seed=0,
                        limits=SMALL)  # fmt: skip
    assert off.importance == ()
    assert off.shap is None
    assert off.fairness is not None
    html = render_report(facts, off)
    assert 'data-section="shap"' in html
    assert "Explanations were not computed" in html
