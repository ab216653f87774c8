"""Two decision policies compared on the objective the challenger's rule was fit for."""

from __future__ import annotations

import numpy as np
import pytest

from shipml.core.enums import TaskName
from shipml.decision.objective import compare_policies, objective_of
from shipml.evaluation.comparison import Verdict
from shipml.runtime.policy import DecisionPolicy

BINARY = TaskName("binary")
NAMES = ("decided", "champion")


def threshold_policy(rule: str, **summary: object) -> DecisionPolicy:
    costs = ((0.0, 1.0), (20.0, 0.0)) if rule == "costs" else None
    return DecisionPolicy(rule="threshold", costs=costs, summary={"rule": rule, **summary})


def rows(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p = np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1)  # a positive score, informative
    return y, p


def test_each_rule_names_its_objective_and_a_fixed_threshold_none() -> None:
    recall = objective_of(threshold_policy("recall_target", target=0.8), BINARY)
    assert recall is not None
    assert (recall.kind, recall.floor, recall.label) == (
        "precision",
        ("recall", 0.8),
        "precision at recall >= 0.8",
    )
    cost = objective_of(threshold_policy("costs"), BINARY)
    assert cost is not None
    assert (cost.kind, cost.greater_is_better) == ("cost", False)
    fbeta = objective_of(threshold_policy("metric", beta=2.0), BINARY)
    assert fbeta is not None
    assert fbeta.label == "F2"
    assert objective_of(threshold_policy("fixed"), BINARY) is None
    assert objective_of(threshold_policy("default"), BINARY) is None
    # a bundle from before the target was recorded states no objective rather than a wrong one
    assert objective_of(threshold_policy("recall_target"), BINARY) is None


def test_a_recall_target_the_champion_misses_is_compared_on_recall_first() -> None:
    y, p = rows()
    objective = objective_of(threshold_policy("recall_target", target=0.8), BINARY)
    assert objective is not None
    low_cut, half = (p >= 0.2).astype(int), (p >= 0.5).astype(int)
    got = compare_policies(
        objective, None, y, low_cut, half, None, names=NAMES, rows="test rows", seed=1
    )
    recall = lambda d: ((d == 1) & (y == 1)).sum() / (y == 1).sum()  # noqa: E731
    assert recall(low_cut) >= 0.8 > recall(half)
    assert got.metric == "recall (target 0.8)"
    assert got.ours == pytest.approx(recall(low_cut))
    assert got.theirs == pytest.approx(recall(half))
    assert got.verdict is Verdict.BETTER
    assert got.low > 0
    # both reach the target: precision decides, and the lower cut loses on it
    lower = (p >= 0.1).astype(int)
    both = compare_policies(
        objective, None, y, lower, low_cut, None, names=NAMES, rows="test rows", seed=1
    )
    assert both.metric == "precision at recall >= 0.8"
    assert both.verdict is Verdict.WORSE


def test_expected_cost_is_lower_is_better_on_the_same_rows() -> None:
    y, p = rows()
    costs = np.array([[0.0, 1.0], [20.0, 0.0]])  # a missed positive costs 20
    objective = objective_of(threshold_policy("costs"), BINARY)
    assert objective is not None
    cheap, half = (p >= 0.05).astype(int), (p >= 0.5).astype(int)
    got = compare_policies(
        objective, costs, y, cheap, half, None, names=NAMES, rows="test rows", seed=2
    )
    assert got.ours == pytest.approx(costs[y, cheap].mean())
    assert got.theirs == pytest.approx(costs[y, half].mean())
    assert got.ours < got.theirs
    assert got.verdict is Verdict.BETTER
    assert "decided beats champion on expected cost per row" in got.sentence()
    same = compare_policies(
        objective, costs, y, half, half, None, names=NAMES, rows="test rows", seed=2
    )
    assert same.verdict is Verdict.NO_BETTER
