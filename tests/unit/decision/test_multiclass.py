"""Multiclass: the minimum-expected-cost class under a cost matrix, recall floors, and the
cost matrix checked against the model's classes."""

from __future__ import annotations

import numpy as np
import pytest

from shipml.core.enums import Task
from shipml.core.errors import DataContractError
from shipml.decision import OutOfFold, cost_matrix

from .conftest import fit


def three_classes(n: int = 6000, seed: int = 0) -> OutOfFold:
    rng = np.random.default_rng(seed)
    y = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    logits = rng.normal(size=(n, 3)) + 1.5 * np.eye(3)[y]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return OutOfFold.of(p, y, np.arange(n) % 4)


def test_min_cost_decides_the_class_of_least_expected_cost() -> None:
    oof = three_classes()
    costs = {"2": {"0": 10.0, "1": 10.0}}  # missing a true 2 is ten times worse
    out = fit(oof, Task.MULTICLASS, costs=costs)
    policy = out.policy
    assert policy.rule == "min_cost"
    proba = policy.calibrate(oof.scores)
    matrix = 1 - np.eye(3)
    matrix[2, :2] = 10
    np.testing.assert_array_equal(policy.decide(proba), np.argmin(proba @ matrix, axis=1))
    recall = out.policy.summary["oof"]["recall"]
    assert recall["2"] > fit(oof, Task.MULTICLASS).policy.summary["oof"]["recall"]["2"]
    assert "cost_per_row" in out.policy.summary["oof"]


def test_recall_floors_hold_on_the_out_of_fold_rows() -> None:
    oof = three_classes()
    plain = fit(oof, Task.MULTICLASS).policy.summary["oof"]["recall"]
    assert plain["2"] < 0.8
    out = fit(oof, Task.MULTICLASS, class_recall_floors={"2": 0.8, "1": 0.6})
    recall = out.policy.summary["oof"]["recall"]
    assert recall["2"] >= 0.8
    assert recall["1"] >= 0.6
    assert out.policy.class_weights is not None
    assert out.warnings == ()


def test_floors_that_cannot_hold_together_are_named() -> None:
    out = fit(three_classes(), Task.MULTICLASS, class_recall_floors={"0": 0.99, "1": 0.99})
    assert out.warnings
    assert all("cannot be met" in w for w in out.warnings)
    assert any("class_recall_floors.1" in w or "class_recall_floors.0" in w for w in out.warnings)


def test_calibration_is_one_vs_rest_renormalized() -> None:
    out = fit(three_classes(), Task.MULTICLASS, calibration="isotonic")
    assert len(out.policy.calibrators) == 3
    proba = out.policy.calibrate(three_classes(500, seed=5).scores)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("costs", "message"),
    [
        ([[0, 1], [1, 0]], "2x2, but the model has 3 classes"),
        ([[0, 1, 1], [1, 0], [1, 1, 0]], "ragged"),
        ({"2": {"7": 4.0}}, "does not have: ['7']"),
        ({"fp": 1.0, "fn": 2.0}, "fp/fn costs apply to a binary model"),
    ],
)
def test_a_cost_matrix_of_the_wrong_shape_names_decision_costs(costs: object, message: str) -> None:
    with pytest.raises(DataContractError, match=r"decision\.costs") as info:
        cost_matrix(costs, ("0", "1", "2"))
    assert message in str(info.value)
    assert info.value.fix


def test_a_wrong_matrix_stops_the_fit_with_the_same_error() -> None:
    with pytest.raises(DataContractError, match=r"decision\.costs: the cost matrix is 2x2"):
        fit(three_classes(300), Task.MULTICLASS, costs=[[0, 1], [1, 0]])
