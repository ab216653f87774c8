"""Candidates: tuning one family with Optuna (seeded TPE, pruning across folds) in a budget.

Cross-validation is passed in (`evaluation/` provides it), so this layer never scores a model
itself; it only decides which parameters to try and keeps the best trial's outcome.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import optuna

from shipml.candidates.family import Family, Params
from shipml.core.enums import TaskName
from shipml.core.protocols import Tracker

Report = Callable[[int, float], None]  # (fold index, running mean) -> may raise TrialPruned


@dataclass(frozen=True, slots=True)
class TrialOutcome:
    score: float  # mean of the primary metric over folds
    fold_scores: tuple[float, ...]
    secondary: Mapping[str, tuple[float, ...]]  # metric -> per-fold scores
    oof: np.ndarray  # out-of-fold predictions, full-length; NaN where a row is never validated
    oof_fold: np.ndarray  # fold index per row, -1 where never validated
    infos: tuple[Mapping[str, float], ...]
    fit_seconds: float


class CrossValidator(Protocol):
    def __call__(self, family: Family, params: Params, report: Report) -> TrialOutcome: ...


@dataclass(frozen=True, slots=True)
class TunedCandidate:
    family: Family
    params: Params
    outcome: TrialOutcome
    n_trials: int
    n_pruned: int
    seconds: float
    history: tuple[tuple[Params, float], ...]  # every completed trial's params and score


@dataclass(frozen=True, slots=True)
class Budget:
    n_trials: int
    deadline: float | None  # time.monotonic() value; None when only trials bound the search
    # when the whole search ends: past it even a rung's first trial stops between folds (the
    # rung then yields nothing), where `deadline` (its share) stops only later trials
    hard_deadline: float | None = None
    clock: Callable[[], float] = time.monotonic
    at_least_one: bool = False  # finish one trial even when the deadline has passed


def tune(
    family: Family,
    cross_validate: CrossValidator,
    *,
    task: TaskName,
    n_rows: int,
    maximize: bool,
    budget: Budget,
    seed: int,
    fixed: Mapping[str, Any],
    tracker: Tracker,
) -> TunedCandidate | None:
    """Run the family's trials (defaults first); None when no trial completed in time."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = time.monotonic()
    study = optuna.create_study(
        direction="maximize" if maximize else "minimize",
        sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=5),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1),
    )
    for params in family.defaults(task, n_rows)[: budget.n_trials]:
        study.enqueue_trial(params)
    best: dict[str, Any] = {}

    def objective(trial: optuna.Trial) -> float:
        params = family.suggest(trial, task, n_rows) | dict(fixed)

        def report(fold: int, running: float) -> None:
            trial.report(running, fold)
            if trial.should_prune():
                raise optuna.TrialPruned()
            now = budget.clock()
            if budget.deadline is not None and now > budget.deadline and best:
                raise optuna.TrialPruned()  # out of time; a finished trial already exists
            if budget.hard_deadline is not None and now > budget.hard_deadline:
                raise optuna.TrialPruned()  # the search is over: no time to finish this one

        outcome = cross_validate(family, params, report)
        folds = {f"fold_{k}": s for k, s in enumerate(outcome.fold_scores)}
        tracker.log_candidate(
            family.name,
            params,
            {"cv_score": outcome.score, "fit_seconds": outcome.fit_seconds, **folds},
            tags={"trial": str(trial.number)},
        )
        if not best or _better(outcome.score, best["outcome"].score, maximize):
            best.update(params=params, outcome=outcome)
        return outcome.score

    def out_of_time(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        now = budget.clock()
        over = budget.hard_deadline is not None and now > budget.hard_deadline
        if over or (budget.deadline is not None and now > budget.deadline):
            study.stop()  # no new trial once the rung's share (or the search) is spent

    n_trials = budget.n_trials
    if budget.at_least_one and n_trials > 0:
        study.optimize(objective, n_trials=1, catch=())
        n_trials -= 1
    timeout = None if budget.deadline is None else max(0.0, budget.deadline - budget.clock())
    if n_trials > 0 and (timeout is None or timeout > 0):
        study.optimize(
            objective, n_trials=n_trials, timeout=timeout, catch=(), callbacks=[out_of_time]
        )
    if not best:
        return None
    ran = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    trials = [t for t in study.get_trials(deepcopy=False) if t.state in ran]  # not the queued
    done = [t for t in trials if t.state is optuna.trial.TrialState.COMPLETE]
    return TunedCandidate(
        family=family,
        params=best["params"],
        outcome=best["outcome"],
        n_trials=len(trials),
        n_pruned=sum(t.state is optuna.trial.TrialState.PRUNED for t in trials),
        seconds=time.monotonic() - start,
        history=tuple((dict(t.params), float(t.value)) for t in done if t.value is not None),
    )


def _better(a: float, b: float, maximize: bool) -> bool:
    if np.isnan(b):
        return not np.isnan(a)
    return a > b if maximize else a < b
