"""The stage: errors that name the field, only out-of-fold rows, the public surface."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

import shipml.decision
from shipml.core.enums import Task
from shipml.core.errors import ArtifactError, SpecError
from shipml.decision import OutOfFold, fit_decision_policy
from shipml.runtime.policy import DecisionPolicy
from shipml.spec.model import Decision

from .conftest import binary_oof, fit, gaussian_scores


def test_the_public_surface_is_pinned() -> None:
    assert sorted(shipml.decision.__all__) == [
        "DecisionOutcome",
        "OutOfFold",
        "cost_matrix",
        "fit_decision_policy",
        "reliability",
    ]


@pytest.mark.parametrize("value", [1.5, 0.0])
def test_a_recall_target_outside_0_1_is_refused(value: float) -> None:
    with pytest.raises(ValidationError, match="recall_target"):
        Decision(recall_target=value)


def test_costs_on_a_regression_model_name_the_field() -> None:
    oof = OutOfFold.of(np.arange(10.0), np.arange(10.0), np.arange(10) % 2)
    with pytest.raises(SpecError) as info:
        fit(oof, Task.REGRESSION, costs={"fp": 1.0, "fn": 5.0})
    assert info.value.problems == ["decision.costs: a regression task has no threshold; remove it"]


@pytest.mark.parametrize(
    ("decision", "start"),
    [
        ({"costs": {"fp": 1.0, "fx": 2.0}}, "decision.costs: unknown keys ['fx']"),
        ({"costs": {"fp": 0.0, "fn": 1.0, "tn": 1.0}}, "decision.costs: a false positive"),
        ({"assurance": "lower_bound"}, "decision.assurance"),
        ({"class_recall_floors": {"yes": 0.9}}, "decision.class_recall_floors"),
    ],
)
def test_bad_binary_decisions_are_spec_errors(decision: dict, start: str) -> None:
    with pytest.raises(SpecError) as info:
        fit(binary_oof(500), **decision)
    assert info.value.problems[0].startswith(start)


def test_a_threshold_rule_on_multiclass_is_refused() -> None:
    oof = OutOfFold.of(np.full((30, 3), 1 / 3), np.arange(30) % 3, np.arange(30) % 3)
    with pytest.raises(SpecError, match=r"decision.recall_target: a multiclass task"):
        fit(oof, Task.MULTICLASS, recall_target=0.9)


def test_rows_never_validated_drop_out() -> None:
    scores = np.array([[0.2, 0.8], [np.nan, np.nan], [0.6, 0.4], [0.5, 0.5]])
    oof = OutOfFold.of(scores, np.array([1, 0, 0, 1]), np.array([0, -1, 1, -1]))
    assert oof.n == 2
    np.testing.assert_array_equal(oof.y, [1, 0])
    with pytest.raises(ArtifactError, match="no out-of-fold scores"):
        OutOfFold.of(scores, np.zeros(4), np.full(4, -1))


def test_no_test_row_can_change_the_policy() -> None:
    """Training hands the stage full-length arrays in which test rows carry fold -1 and NaN
    scores; whatever their labels, the fitted policy is the same."""
    score, y, fold = gaussian_scores(6000)
    test = np.arange(6000) >= 5000
    scores = np.column_stack([1 - score, score])
    scores[test] = np.nan
    fold = np.where(test, -1, fold)
    decision = Decision(recall_target=0.8)

    def policy(labels: np.ndarray) -> DecisionPolicy:
        oof = OutOfFold.of(scores, labels, fold)
        return fit_decision_policy(
            oof, task=Task.BINARY, classes=("no", "yes"), decision=decision, seed=1
        ).policy

    scrambled = y.copy()
    scrambled[test] = 1 - scrambled[test]
    first, second = policy(y), policy(scrambled)
    assert first == second
    assert first.summary == second.summary
    changed = y.copy()
    changed[:50] = 1 - changed[:50]  # an out-of-fold row does move it
    assert policy(changed).summary != first.summary
