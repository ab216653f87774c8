"""The levels part of the report for a path task: the accuracy and share answered at each
level, the hierarchical measures and the rows stopped above their class, all on the rows the
report scores through the policy, and the out-of-fold comparison with deciding to a leaf."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import Metric
from shipml.data.taxonomy import taxonomy_of
from shipml.decision.oof import OutOfFold
from shipml.decision.paths import fit_paths
from shipml.evaluation.holdout import policy_metrics
from shipml.evaluation.paths import path_decision_metrics
from shipml.explain import render_report
from shipml.explain.report import ReportFacts
from shipml.explain.report.decision import decision_view
from shipml.explain.report.insight import shap_missing
from shipml.explain.report.kpis import kpi_view
from shipml.explain.report.performance import level_view, performance_view, scored_rows
from shipml.runtime.estimators import NodewiseEstimator
from shipml.runtime.inference import InferenceModel
from shipml.runtime.policy import DecisionPolicy
from shipml.runtime.preprocess import Preprocessor
from shipml.runtime.schema import InputSchema
from shipml.spec.model import Decision, ModelSpec
from tests.unit.registry.manifests import manifest_of

# "A > y" is a class with a child of its own; A, B, "A > x" and "B > z" are inner nodes only
CLASSES = ("A > x > 1", "A > x > 2", "A > y", "A > y > 1", "B > z > 1", "B > z > 2")
RAW = np.array([
    [0.90, 0.05, 0.00, 0.00, 0.05, 0.00],  # y 0: sure, right
    [0.45, 0.45, 0.00, 0.00, 0.10, 0.00],  # y 1: unsure under A > x: stops there
    [0.05, 0.00, 0.00, 0.00, 0.45, 0.50],  # y 5 (the last class): stops at B > z
    [0.05, 0.00, 0.60, 0.30, 0.05, 0.00],  # y 2: A > y itself, right
    [0.00, 0.00, 0.35, 0.60, 0.05, 0.00],  # y 3: down to A > y > 1, right
    [0.50, 0.20, 0.00, 0.00, 0.30, 0.00],  # y 4: the wrong department
    [0.00, 0.00, 0.50, 0.45, 0.05, 0.00],  # y 3: A > y itself, above its class
    [0.00, 0.00, 0.00, 0.00, 0.90, 0.10],  # y 4: right
])  # fmt: skip
Y = np.array([0, 1, 5, 2, 3, 4, 3, 4])
STOPPED = 3  # rows 1, 2 and 6 end above their class


def facts_for(stop_below: float, weights: np.ndarray | None = None) -> ReportFacts:
    """A path model whose policy `fit_paths` fit on RAW as out-of-fold scores, and RAW again
    as its stored test scores."""
    oof = OutOfFold.of(RAW, Y, np.arange(len(Y)) % 2, weights)
    policy = fit_paths(oof, Decision(calibration="none"), CLASSES, stop_below).policy
    model = InferenceModel(
        task="hierarchical", target="path", family="test", classes=CLASSES,
        schema=InputSchema(()), preprocessor=Preprocessor(()),
        estimator=None,  # type: ignore[arg-type]  # the report reads stored scores only
        policy=policy,
    )  # fmt: skip
    spec = ModelSpec.model_validate({
        "name": "paths", "data": {"train": "paths.csv", "weight": "w" if weights is not None
                                  else None},
        "task": "hierarchical", "target": {"column": "path", "separator": "/"},
        "hierarchical": {"stop_below": stop_below},
    })  # fmt: skip
    scores = pd.DataFrame({"row_id": np.arange(len(Y)), "label": Y})
    for j, c in enumerate(CLASSES):
        scores[f"proba_{c}"] = RAW[:, j]
    if weights is not None:
        scores["weight"] = weights
    test = policy_metrics(policy, "hierarchical", (Metric.HIERARCHICAL_F1,), Y, RAW, weights,
                          CLASSES)  # fmt: skip
    return ReportFacts(
        spec=spec, model=model,
        manifest=manifest_of(model, name="paths", primary_metric="hierarchical_f1"),
        evaluation={"champion": "test", "primary_metric": "hierarchical_f1", "test": test,
                    "baseline_test": {"hierarchical_f1": 0.3}, "train": 0.9, "cv": 0.8,
                    "diagnosis": "a sound fit", "warnings": [], "reason": "best CV"},
        leaderboard=[{"family": "test", "fold_scores": [0.8, 0.8], "latency_p95_ms": 0.1,
                      "size_mb": 0.1, "violations": []}],
        choices=[], profile={"suspects": [], "columns": [], "target": "path"},
        decision={"fit": {"policy": policy.summary}}, oof=None, test_predictions=scores,
        bundle_name="paths/1",
    )  # fmt: skip


def test_the_levels_are_the_path_measures_of_the_policys_decisions_on_the_test_rows() -> None:
    facts = facts_for(0.6)
    rows = scored_rows(facts)
    assert rows is not None
    assert rows.paths
    assert rows.decided is not None
    decided = facts.model.policy.decide(RAW)
    assert np.array_equal(rows.decided, decided)
    tax = taxonomy_of(CLASSES)
    assert [tax.nodes[i] for i in decided[[1, 2, 6]]] == ["A > x", "B > z", "A > y"]
    expected = path_decision_metrics(Y, decided, np.ones(len(Y)), CLASSES)
    view, fig = level_view(facts, rows)
    assert view["table"] == expected["levels"]
    assert [x["level"] for x in view["table"]] == [1, 2, 3]
    # level 3 holds the 7 rows whose class reaches it (not row 3, of A > y); rows 1, 2 and 6
    # stopped above it and row 5 went wrong at the top
    assert view["table"][2]["rows"] == 7
    assert view["table"][2]["answered"] == pytest.approx(4 / 7)
    assert view["table"][2]["accuracy"] == pytest.approx(3 / 7)
    assert view["table"][0]["accuracy"] == pytest.approx(7 / 8)  # row 5: the wrong department
    values = {m["name"]: m["value"] for m in view["measures"]}
    assert values["hierarchical F1"] == expected["hierarchical_f1"]
    assert values["leaf macro F1"] == expected["leaf_f1_macro"]
    assert values["accuracy (the exact class)"] == pytest.approx(4 / 8)
    assert view["stopped"].startswith(f"{STOPPED} of the 8 test rows ({STOPPED / 8:.1%})")
    level_3 = f"level 3 {view['table'][2]['accuracy']:.1%}"
    assert level_3 in fig["caption"]
    assert fig["src"].startswith("data:image/png;base64,")


def test_the_out_of_fold_comparison_with_deciding_to_a_leaf_shows_when_the_rule_stops() -> None:
    facts = facts_for(0.6)
    rows = scored_rows(facts)
    assert rows is not None
    view, _ = level_view(facts, rows)
    summary = facts.model.policy.summary
    table = {c["name"]: (c["rule"], c["leaf"]) for c in view["comparison"]}
    at, leaf = summary["oof"], summary["oof_no_stop"]
    assert table["hierarchical precision"] == (at["hierarchical_precision"],
                                               leaf["hierarchical_precision"])  # fmt: skip
    assert table["share stopped above their class"] == (STOPPED / 8, 1 / 8)  # row 6: A > y
    assert table["accuracy at level 3"] == (at["levels"][2]["accuracy"],
                                            leaf["levels"][2]["accuracy"])  # fmt: skip
    for number in re.findall(r"\d\.\d+", view["comparison_note"]):  # said as the table shows
        assert any(f"{v:.4g}" == number for pair in table.values() for v in pair)
    at_leaf, _ = level_view(facts_for(0.0), rows)
    assert at_leaf["comparison"] == []
    assert "stops where the best child" not in at_leaf["measures_note"]


def test_the_kpis_read_the_hierarchical_measures_and_never_a_class_confusion() -> None:
    facts = facts_for(0.6)
    rows = scored_rows(facts)
    assert rows is not None
    with pytest.raises(AssertionError, match="no class confusion"):
        rows.confusion()  # a stopped row of the last class has no cell in a class matrix
    assert rows.decided is not None
    kpis = {k.name: k for k in kpi_view(facts, rows)["rows"]}
    found = path_decision_metrics(Y, rows.decided, rows.w, CLASSES)
    assert kpis["hierarchical recall"].value == found["hierarchical_recall"]
    assert kpis["rows stopped above their class"].value == pytest.approx(STOPPED / 8)
    assert "recall per class" not in kpis
    assert "expected cost" not in kpis  # a path task takes no decision costs
    primary = kpis["hierarchical_f1"]  # training's test metric walks by the same rule
    assert primary.value == pytest.approx(found["hierarchical_f1"])
    assert f"{found['hierarchical_f1']:.4g} on the test rows" in primary.text


def test_weighted_rows_say_their_shares_are_of_the_weight() -> None:
    weights = np.array([1.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    facts = facts_for(0.6, weights)
    rows = scored_rows(facts)
    assert rows is not None
    view, _ = level_view(facts, rows)
    share = (3.0 + 1.0 + 1.0) / weights.sum()
    assert view["stopped"].startswith(f"{STOPPED} of the 8 test rows, weighted by w ({share:.1%}")
    assert "of their weight" in view["table_note"]


def test_the_report_renders_the_levels_and_the_path_rule_in_words() -> None:
    facts = facts_for(0.6)
    rows = scored_rows(facts)
    assert performance_view(facts, rows)["levels"]
    decision = decision_view(facts, rows)
    assert decision["title"] == "Calibration and the path rule"
    assert facts.model.policy.summary["source"] in decision["note"]
    assert "under 60%" in decision["note"]
    html = render_report(facts, None)
    assert 'id="levels-table"' in html
    assert 'id="levels-oof"' in html
    assert html.count('<tr data-level="') == 3
    plain = replace(facts, model=replace(facts.model, policy=DecisionPolicy.default(
        "hierarchical", CLASSES)))  # fmt: skip
    assert 'id="levels-oof"' not in render_report(plain, None)  # no stopping rule, no comparison


def test_a_per_node_model_says_why_it_has_no_shap_contributions() -> None:
    facts = facts_for(0.0)
    per_node = NodewiseEstimator(CLASSES, (), "hierarchical")
    facts = replace(facts, model=replace(facts.model, estimator=per_node))
    found = shap_missing(facts, object())  # type: ignore[arg-type]  # any explanation, no SHAP
    assert "product of the probabilities down its path" in found
    assert "explanations are off" in shap_missing(facts, None)
