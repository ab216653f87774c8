"""A threshold-based primary metric is the one the decision maximizes when the spec names no
rule: the binary threshold for F1, accuracy, balanced accuracy or macro F1, and multiclass class
weights for macro F1 or balanced accuracy, all fit on out-of-fold scores; a score metric keeps
0.5 or argmax; and a version decided for such a metric is compared with others on it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from shipml.core.enums import Metric
from shipml.decision import OutOfFold, fit_decision_policy
from shipml.decision.objective import compare_policies, objective_of
from shipml.spec.model import Decision
from shipml.tasks import task_kind
from shipml.tasks.spec_checks import decision_problems

RNG = np.random.default_rng(4)


def _rare_binary(n: int = 3000) -> OutOfFold:
    y = (RNG.random(n) < 0.08).astype(np.int64)
    p = np.clip(0.05 + 0.35 * y + RNG.normal(0, 0.12, n), 0.001, 0.999)
    return OutOfFold.of(np.c_[1 - p, p], y, np.arange(n) % 5)


def _skewed_multiclass(n: int = 3000) -> OutOfFold:
    y = RNG.choice(3, n, p=[0.75, 0.2, 0.05])
    logits = RNG.normal(0, 1, (n, 3))
    logits[np.arange(n), y] += 1.2
    logits[:, 0] += 1.0  # the common class wins most argmaxes
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return OutOfFold.of(p, y, np.arange(n) % 5)


@pytest.mark.parametrize(
    ("primary", "scorer"),
    [
        (Metric.BALANCED_ACCURACY, skm.balanced_accuracy_score),
        (Metric.F1, skm.f1_score),
        (Metric.MACRO_F1, lambda y, d: skm.f1_score(y, d, average="macro")),
    ],
)
def test_a_binary_threshold_maximizes_a_threshold_based_primary_metric(primary, scorer):
    oof = _rare_binary()
    kw = {"task": "binary", "classes": ("no", "yes"), "decision": Decision(calibration="none")}
    goal = fit_decision_policy(oof, primary=primary, **kw).policy
    plain = fit_decision_policy(oof, primary=Metric.ROC_AUC, **kw).policy
    assert plain.threshold == 0.5  # a score metric: the default rule
    assert goal.threshold < 0.5  # a rare positive: a lower cut
    assert f"maximizes {primary}, the primary metric" in goal.summary["source"]
    p = oof.scores[:, 1]
    at_goal = scorer(oof.y, (p >= goal.threshold).astype(int))
    assert at_goal > scorer(oof.y, (p >= 0.5).astype(int))


@pytest.mark.parametrize("primary", [Metric.MACRO_F1, Metric.BALANCED_ACCURACY])
def test_multiclass_class_weights_maximize_macro_f1_or_balanced_accuracy(primary):
    oof = _skewed_multiclass()
    kw = {
        "task": "multiclass",
        "classes": ("a", "b", "c"),
        "decision": Decision(calibration="none"),
    }
    policy = fit_decision_policy(oof, primary=primary, **kw).policy
    assert policy.class_weights is not None
    scorer = {
        Metric.MACRO_F1: lambda y, d: skm.f1_score(y, d, average="macro"),
        Metric.BALANCED_ACCURACY: skm.balanced_accuracy_score,
    }[primary]
    weighted = scorer(oof.y, policy.decide(oof.scores))
    assert weighted > scorer(oof.y, np.argmax(oof.scores, axis=1)) + 0.02
    assert policy.summary["metric"] == str(primary)
    assert fit_decision_policy(oof, primary=Metric.LOG_LOSS, **kw).policy.class_weights is None


def test_a_spec_rule_wins_over_the_primary_metric() -> None:
    oof = _rare_binary()
    policy = fit_decision_policy(
        oof, task="binary", classes=("no", "yes"), primary=Metric.F1,
        decision=Decision(calibration="none", recall_target=0.9),
    ).policy  # fmt: skip
    assert policy.summary["rule"] == "recall_target"
    assert "primary metric" not in policy.summary["source"]


def test_multiclass_takes_the_class_metrics_and_refuses_f1() -> None:
    kind = task_kind("multiclass")
    assert decision_problems(Decision(metric="macro_f1"), kind) == []
    assert decision_problems(Decision(metric="balanced_accuracy"), kind) == []
    problems = decision_problems(Decision(metric="f1"), kind)
    assert problems
    assert "metric: macro_f1 | balanced_accuracy | accuracy" in problems[0]


def test_a_version_decided_for_balanced_accuracy_is_compared_on_it() -> None:
    oof = _rare_binary()
    kw = {"task": "binary", "classes": ("no", "yes"), "decision": Decision(calibration="none")}
    goal = fit_decision_policy(oof, primary=Metric.BALANCED_ACCURACY, **kw).policy
    objective = objective_of(goal, "binary")
    assert objective is not None
    assert objective.label == "balanced accuracy"
    p = oof.scores
    ours, theirs = goal.decide(p), (p[:, 1] >= 0.5).astype(np.int64)
    c = compare_policies(objective, None, oof.y, ours, theirs, None,
                         names=("v2", "v1"), rows="test rows", seed=0)  # fmt: skip
    assert c.ours == pytest.approx(skm.balanced_accuracy_score(oof.y, ours))
    assert c.better
