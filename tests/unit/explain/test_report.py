"""The report from hand-made run facts: every section, nothing external, an honest checklist."""

from __future__ import annotations

import re
from dataclasses import replace
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


def _calibrated(facts: ReportFacts) -> tuple[np.ndarray, np.ndarray]:
    """The test rows' labels and calibrated P(positive), recomputed here from the stored scores."""
    test = facts.test_predictions
    assert test is not None
    raw = test[["proba_0", "proba_1"]].to_numpy(float)
    return test["label"].to_numpy() == 1, facts.model.policy.calibrate(raw)[:, 1]


def _captions(html: str) -> dict[str, str]:
    """Figure alt text -> its caption."""
    found = re.findall(r'<img class="fig" alt="([^"]+)" src="[^"]+"><figcaption[^>]*>(.*?)<', html)
    return dict(found)


def test_binary_report_draws_roc_and_pr_from_the_test_rows(run: tuple[ReportFacts, Any]) -> None:
    from sklearn.metrics import average_precision_score, roc_auc_score

    facts, explanation = run
    captions = _captions(render_report(facts, explanation))
    y, p = _calibrated(facts)
    roc, pr = (
        captions["ROC curve on the test rows"],
        captions["Precision-recall curve on the test rows"],
    )
    assert f"ROC AUC {roc_auc_score(y, p):.4g}" in roc
    assert f"average precision {average_precision_score(y, p):.4g}" in pr
    assert "Confusion matrix of the decisions on the test rows" in captions
    assert "Predicted against actual y on the test rows" not in captions  # values only
    recall = float(np.mean(p[y] >= 0.5))
    assert f"recall {recall:.4g}" in roc  # the dot at the chosen threshold, same rows


def test_kpis_are_answered_from_the_same_rows(run: tuple[ReportFacts, Any]) -> None:
    from shipml.explain.report.kpis import kpi_view
    from shipml.explain.report.performance import scored_rows

    facts, explanation = run
    spec = facts.spec.model_copy(update={
        "objective": facts.spec.objective.model_copy(
            update={"kpis": ["recall of the ones", "customer happiness"]}),
        "decision": Decision(costs={"fp": 1.0, "fn": 4.0}),
        "constraints": facts.spec.constraints.model_copy(update={"max_p95_latency_ms": 0.1}),
    })  # fmt: skip
    oof = facts.oof
    assert oof is not None
    outcome = fit_decision_policy(
        OutOfFold.of(oof[["proba_0", "proba_1"]].to_numpy(), oof["label"].to_numpy(),
                     np.arange(len(oof)) % 3),
        task=Task.BINARY, classes=(0, 1), decision=spec.decision,
    )  # fmt: skip
    costed = replace(facts, spec=spec, model=replace(facts.model, policy=outcome.policy),
                     decision={"fit": outcome.report})  # fmt: skip
    kpis = {k.name: k for k in kpi_view(costed, scored_rows(costed))["rows"]}
    y, p = _calibrated(costed)
    decided = p >= outcome.policy.threshold
    tp, fp, fn = np.sum(decided & y), np.sum(decided & ~y), np.sum(~decided & y)
    assert kpis["recall"].value == pytest.approx(tp / (tp + fn))
    assert kpis["precision"].value == pytest.approx(tp / (tp + fp))
    cost = (1.0 * fp + 4.0 * fn) / len(y)
    assert kpis["expected cost at the chosen threshold"].value == pytest.approx(cost)
    assert kpis["expected cost at the chosen threshold"].status == "measured"
    assert kpis["recall of the ones"].value == kpis["recall"].value  # read as recall
    assert kpis["customer happiness"].status == "not measured"
    assert kpis["p95 latency (ms)"].status == "not met"  # 0.2 ms against a 0.1 ms limit
    assert kpis["roc_auc"].value == 0.81  # the test metric the run stored
    html = render_report(costed, explanation)
    assert 'id="kpis"' in html
    assert f"{cost:.4g} per row" in html
    plain = ReportFacts(**_fields(facts))  # no costs in the spec: cost is not measured
    rows = {k.name: k for k in kpi_view(plain, scored_rows(plain))["rows"]}
    assert rows["expected cost at the chosen threshold"].status == "not measured"
    assert rows["ones found"].status == "not measured"


def test_multiclass_report_shows_a_confusion_matrix(run: tuple[ReportFacts, Any]) -> None:
    from shipml.explain.report.kpis import kpi_view
    from shipml.explain.report.performance import confusion_figure, scored_rows
    from shipml.runtime.policy import DecisionPolicy

    facts, _ = run
    rng = np.random.default_rng(3)
    n, classes = 300, ("a", "b", "c")
    proba = rng.dirichlet(np.ones(3), n)
    y = np.array([rng.choice(3, p=row) for row in proba])
    scores = pd.DataFrame({"row_id": np.arange(n), "label": y}
                          | {f"proba_{c}": proba[:, j] for j, c in enumerate(classes)})  # fmt: skip
    model = replace(facts.model, task=Task.MULTICLASS, classes=classes,
                    policy=DecisionPolicy.default(Task.MULTICLASS))  # fmt: skip
    multi = replace(facts, model=model, test_predictions=scores, oof=scores,
                    evaluation={**facts.evaluation, "test": {}})  # fmt: skip
    rows = scored_rows(multi)
    assert rows is not None
    counts = rows.confusion()
    decided = proba.argmax(axis=1)
    expected = np.array([[np.sum((y == i) & (decided == j)) for j in range(3)] for i in range(3)])
    np.testing.assert_array_equal(counts, expected)
    caption = confusion_figure(multi, rows)["caption"]
    assert f"Accuracy {np.mean(decided == y):.4g}" in caption
    kpis = {k.name: k for k in kpi_view(multi, rows)["rows"]}
    recall_a = expected[0, 0] / expected[0].sum()
    assert f"a {recall_a:.3g}" in kpis["recall per class"].text
    assert kpis["expected cost"].status == "not measured"


def test_regression_report_plots_predicted_against_actual() -> None:
    from shipml.explain.report.kpis import kpi_view
    from shipml.explain.report.performance import performance_view, scored_rows

    rng = np.random.default_rng(4)
    n = 400
    columns = {"x1": rng.normal(size=n), "x2": rng.normal(size=n)}
    y = 3 * columns["x1"] + rng.normal(size=n)
    model = booster_model(columns, y, Task.REGRESSION, rounds=30)
    pred = model.estimator.predict_raw(model.matrix(columns)[0])
    spec = ModelSpec.model_validate({"name": "toy", "data": {"train": "toy.csv"},
                                     "target": {"column": "y"}})  # fmt: skip
    scores = pd.DataFrame({"row_id": np.arange(n), "label": y, "prediction": pred})
    facts = ReportFacts(
        spec=spec, model=model, manifest=manifest_of(model, name="toy"),
        evaluation={"champion": "test", "primary_metric": "rmse", "test": {}},
        leaderboard=[], choices=[], profile={}, decision=None, oof=None,
        test_predictions=scores, bundle_name="toy/1",
    )  # fmt: skip
    view = performance_view(facts, scored_rows(facts))
    captions = {f["alt"]: f["caption"] for f in view["figures"]}
    rmse = float(np.sqrt(np.mean((y - pred) ** 2)))
    assert f"RMSE {rmse:.4g}" in captions["Predicted against actual y on the test rows"]
    mean_residual = float(np.mean(y - pred))
    assert f"Mean residual {mean_residual:.4g}" in captions[
        "Residuals against predicted y on the test rows"]  # fmt: skip
    kpis = {k.name: k for k in kpi_view(facts, scored_rows(facts))["rows"]}
    assert kpis["prediction interval coverage"].status == "not measured"  # no interval
    without_test = ReportFacts(**{**_fields(facts), "test_predictions": None, "oof": scores})
    fallback = performance_view(without_test, scored_rows(without_test))
    assert "out-of-fold rows" in fallback["rows"]
    assert all("out-of-fold rows" in f["caption"] for f in fallback["figures"])


def test_fold_plot_keeps_the_models_readable_beside_a_far_baseline() -> None:
    from shipml.explain.report.plots import spread_limits

    far = {"baseline": [0.5, 0.5, 0.5], "linear": [0.90, 0.91], "lightgbm": [0.92, 0.93]}
    low, high, side = spread_limits(far) or (0, 0, 0)
    assert side == -1
    assert low > 0.85  # the axis spans the models, not the baseline
    assert high < 0.95
    near = {"baseline": [0.88], "linear": [0.90, 0.91]}
    assert (spread_limits(near) or (0, 0, 9))[2] == 0
    above = {"baseline": [40.0], "linear": [10.0, 10.5]}  # rmse: the baseline far above
    assert (spread_limits(above) or (0, 0, 0))[2] == 1


def test_monitoring_says_what_runs_and_what_is_only_configured(
    run: tuple[ReportFacts, Any],
) -> None:
    from shipml.explain.report.operational import monitoring_view

    facts, _ = run
    spec = facts.spec.model_copy(
        update={"monitoring": facts.spec.monitoring.model_copy(update={"retrain_when": ["drift"]})}
    )
    view = monitoring_view(ReportFacts(**{**_fields(facts), "spec": spec, "has_reference": True}))
    runs, configured = dict(view["runs"]), dict(view["configured"])
    assert "shipml serve toy@champion" in runs["Prediction log"]
    assert "evaluation/reference.json" in runs["Reference summaries"]
    assert "no shipml command runs them" in runs["Reading the log, drift tests"]
    assert "retrain_when = [drift]: nothing reads it" in configured["Retraining"]
    assert "nothing compares live traffic" in configured["Drift alerts on live traffic"]


def test_a_share_carries_its_wilson_interval(run: tuple[ReportFacts, Any]) -> None:
    from shipml.explain.report.kpis import kpi_view, wilson
    from shipml.explain.report.performance import scored_rows

    facts, _ = run
    rows = scored_rows(facts)
    assert rows is not None
    low, high = wilson(8, 10, rows)  # unweighted rows: the textbook interval
    assert (round(low, 3), round(high, 3)) == (0.49, 0.943)
    strict = replace(facts, spec=facts.spec.model_copy(update={"decision": Decision(
        recall_target=0.99)}))  # fmt: skip
    recall = {k.name: k for k in kpi_view(strict, rows)["rows"]}["recall"]
    assert recall.status == "not met"  # the model's policy is the 0.5 default: recall ~0.78
    assert recall.target == "≥ 0.99"
    assert "95% interval" in recall.text
