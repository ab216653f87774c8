"""tune: defaults first, the trial budget honoured, seeded and deterministic, NaN-safe."""

from __future__ import annotations

import math
import time

import pytest

from shipml.candidates import Budget, tune
from shipml.candidates.boosting import LightGBM
from shipml.candidates.linear import Linear
from shipml.core.enums import Task
from shipml.core.protocols import NullTracker

from .conftest import fake_cross_validator


def _peak_at_c10(params) -> float:
    return -abs(math.log10(params["C"]) - 1.0) - (0.1 if params["class_weight"] == "none" else 0)


def _tune(family, score_of, *, n_trials, seed=0, maximize=True, fixed=None, deadline=None):
    tracker = NullTracker()
    result = tune(
        family,
        fake_cross_validator(score_of),
        task=Task.BINARY,
        n_rows=1000,
        maximize=maximize,
        budget=Budget(n_trials=n_trials, deadline=deadline),
        seed=seed,
        fixed=fixed or {},
        tracker=tracker,
    )
    return result, tracker


def test_the_trial_budget_is_respected_and_every_finished_trial_is_tracked():
    result, tracker = _tune(Linear(), _peak_at_c10, n_trials=7)
    assert result is not None
    assert result.n_trials == 7
    assert len(result.history) + result.n_pruned == 7
    assert [params for _, params, _ in tracker.logged] == [p for p, _ in result.history]


def test_trials_falling_behind_the_median_are_pruned_after_the_startup_trials():
    result, tracker = _tune(Linear(), lambda p: -float(len(p) + p["C"]), n_trials=12)
    assert result.n_pruned > 0
    assert len(tracker.logged) == 12 - result.n_pruned


def test_the_family_defaults_are_tried_first_in_order():
    family = Linear()
    result, tracker = _tune(family, _peak_at_c10, n_trials=6)
    defaults = family.defaults(Task.BINARY, 1000)
    assert [params for _, params, _ in tracker.logged[: len(defaults)]] == defaults
    assert [params for params, _ in result.history[: len(defaults)]] == defaults


def test_a_budget_smaller_than_the_defaults_tries_only_the_first():
    result, tracker = _tune(LightGBM(), lambda p: p["learning_rate"], n_trials=1)
    assert result.n_trials == 1
    assert tracker.logged[0][1] == LightGBM().defaults(Task.BINARY, 1000)[0]


def test_the_best_trial_is_kept_with_its_outcome():
    result, _ = _tune(Linear(), _peak_at_c10, n_trials=12)
    scores = [s for _, s in result.history]
    assert result.outcome.score == max(scores)
    assert result.outcome.score == pytest.approx(_peak_at_c10(result.params))
    assert result.outcome.score > _peak_at_c10({"C": 1.0, "class_weight": "balanced"})


def test_minimizing_keeps_the_lowest_score():
    result, _ = _tune(Linear(), lambda p: p["C"], n_trials=8, maximize=False)
    assert result.outcome.score == min(s for _, s in result.history)


def test_the_same_seed_gives_the_same_search():
    first, _ = _tune(Linear(), _peak_at_c10, n_trials=10, seed=3)
    second, _ = _tune(Linear(), _peak_at_c10, n_trials=10, seed=3)
    assert first.params == second.params
    assert first.history == second.history
    other, _ = _tune(Linear(), _peak_at_c10, n_trials=10, seed=4)
    assert other.history != first.history


def test_fixed_parameters_override_every_trial():
    _, tracker = _tune(Linear(), _peak_at_c10, n_trials=5, fixed={"class_weight": "balanced"})
    assert all(params["class_weight"] == "balanced" for _, params, _ in tracker.logged)


def test_a_nan_score_never_wins_over_a_number():
    calls = []

    def score_of(params):
        calls.append(params)
        return float("nan") if len(calls) == 1 else -float(len(calls))

    result, _ = _tune(Linear(), score_of, n_trials=3)
    assert result.outcome.score == -2.0


def test_a_passed_deadline_gives_no_candidate():
    result, tracker = _tune(Linear(), _peak_at_c10, n_trials=5, deadline=time.monotonic() - 1)
    assert result is None
    assert tracker.logged == []
