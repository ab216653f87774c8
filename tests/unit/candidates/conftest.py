"""Shared fixtures for the candidates' tests: small fit problems per task and a fake CV."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from shipml.candidates import FitData, Params, Report, TrialOutcome
from shipml.core.enums import Task

N_CLASSES = {Task.BINARY: 2, Task.MULTICLASS: 3, Task.REGRESSION: 1}


def make_problem(task: Task, n: int = 300, seed: int = 0) -> tuple[FitData, np.ndarray, np.ndarray]:
    """A learnable problem: a training FitData plus fresh rows (X, y) from the same law."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2 * n, 5))
    X[rng.random(X.shape) < 0.03] = np.nan if task is not Task.REGRESSION else 0.0
    signal = np.nan_to_num(X[:, 0]) * 2 + np.nan_to_num(X[:, 1]) + rng.normal(0, 0.5, 2 * n)
    if task is Task.REGRESSION:
        y: np.ndarray = signal
    elif task is Task.BINARY:
        y = (signal > 0.8).astype(np.int64)
    else:
        y = np.digitize(signal, [-1.0, 1.0]).astype(np.int64)
    X = np.nan_to_num(X)  # families other than LightGBM receive imputed matrices
    data = FitData(
        X=X[:n], y=y[:n], w=None, task=task, n_classes=N_CLASSES[task], seed=seed, n_jobs=1
    )
    return data, X[n:], y[n:]


def fake_outcome(score: float) -> TrialOutcome:
    return TrialOutcome(
        score=score,
        fold_scores=(score, score),
        secondary={},
        oof=np.full(4, np.nan),
        oof_fold=np.full(4, -1),
        infos=({}, {}),
        fit_seconds=0.0,
    )


def fake_cross_validator(score_of: Callable[[Params], float]) -> Any:
    """A CrossValidator that fits nothing: the score is a function of the parameters."""

    def cross_validate(family: Any, params: Params, report: Report) -> TrialOutcome:
        s = score_of(params)
        report(0, s)
        report(1, s)
        return fake_outcome(s)

    return cross_validate


@pytest.fixture
def problem() -> Callable[..., tuple[FitData, np.ndarray, np.ndarray]]:
    return make_problem
