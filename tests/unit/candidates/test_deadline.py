"""The time budget inside the search, on a fake clock: a trial stops between folds once the
search is over, a rung's first trial may finish when the run must have a model, later trials
stop at the rung's share; a boosted fit stops adding trees at its deadline; and the run's
stopwatch plans the search's end and says when a run went over."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np

from shipml.candidates import Budget, Params, Report, TrialOutcome, tune
from shipml.candidates.boosting import LightGBM
from shipml.core.enums import Task
from shipml.core.protocols import NullTracker
from shipml.pipeline.budget import Stopwatch

from .conftest import fake_outcome, make_problem


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _slow_cv(clock: FakeClock, fold_seconds: float, folds: int = 5) -> Any:
    """A cross-validator whose every fold takes `fold_seconds` on the fake clock."""
    started: list[int] = []

    def cross_validate(family: Any, params: Params, report: Report) -> TrialOutcome:
        started.append(1)
        for k in range(folds):
            clock.now += fold_seconds
            report(k, 0.8)
        return fake_outcome(0.8)

    cross_validate.started = started  # type: ignore[attr-defined]
    return cross_validate


def _tune(cv: Any, budget: Budget) -> Any:
    return tune(LightGBM(), cv, task=Task.BINARY, n_rows=100, maximize=True, budget=budget,
                seed=0, fixed={}, tracker=NullTracker())  # fmt: skip


def test_a_trial_stops_between_folds_at_the_search_deadline() -> None:
    clock = FakeClock()
    cv = _slow_cv(clock, fold_seconds=1.0)
    budget = Budget(n_trials=10, deadline=clock.now + 2.5, hard_deadline=clock.now + 2.5,
                    clock=clock)  # fmt: skip
    assert _tune(cv, budget) is None  # its first trial passed the deadline in fold 3: pruned
    assert clock.now == 103.0  # it stopped after that fold, not at the end of the five


def test_the_first_rung_finishes_one_trial_and_no_more_past_its_share() -> None:
    clock = FakeClock()
    cv = _slow_cv(clock, fold_seconds=1.0)
    budget = Budget(n_trials=10, deadline=clock.now + 2.5, clock=clock, at_least_one=True)
    found = _tune(cv, budget)
    assert found is not None  # a tight budget still yields a model
    assert len(cv.started) == 1  # and its share was spent: no second trial began
    assert found.n_trials == 1


def test_a_boosted_fit_stops_adding_trees_at_its_deadline() -> None:
    data, _, _ = make_problem(Task.BINARY, n=400)
    family = LightGBM()
    params = family.defaults(Task.BINARY, 400)[0] | {"n_estimators": 300}
    free = family.fit(data, params)
    late = family.fit(dataclasses.replace(data, deadline=time.monotonic() - 1.0), params)
    assert free.estimator.booster.num_trees() == 300  # type: ignore[attr-defined]
    assert late.estimator.booster.num_trees() == 1  # type: ignore[attr-defined]
    assert late.info["stopped_at_deadline"] == 1.0
    assert np.isfinite(late.estimator.predict_raw(data.X)).all()


def test_the_stopwatch_plans_the_search_and_says_when_a_run_went_over() -> None:
    clock = FakeClock()
    watch = Stopwatch(60.0, clock=clock)
    assert watch.search_deadline(report=True) == 100.0 + 60.0 - 12.5
    assert Stopwatch(10.0, clock=clock).search_deadline(report=True) == 100.0 + 10.0 - 6.0
    assert Stopwatch(None, clock=clock).search_deadline(report=True) is None
    big = Stopwatch(120.0, clock=clock)
    clock.now += 12.0
    big.lap("data checks and leakage probe")  # rows that take 12 s to check take long after
    assert big.search_deadline(report=True) == 100.0 + 120.0 - (12.5 + 1.5 * 12.0)
    clock.now = 100.0
    clock.now += 40.0
    watch.lap("search")
    clock.now += 25.0
    watch.lap("report")
    assert watch.overrun() is None  # 65 s of 60: 1.08x, within 10%
    clock.now += 2.0
    watch.lap("registration")
    said = watch.overrun()
    assert said is not None
    assert said.startswith(
        "train took 67.0 s of its 60 s time budget (1.12x): search 40.0 s, report 25.0 s, "
        "registration 2.0 s"
    )
