"""Shared fixtures for the decision layer's tests: out-of-fold scores with known structure."""

from __future__ import annotations

import numpy as np

from shipml.core.enums import Task
from shipml.decision import DecisionOutcome, OutOfFold, fit_decision_policy
from shipml.spec.model import Decision

PRIOR = 0.3  # positive share
SHIFT = 1.0  # class-conditional logit-scale means are -SHIFT and +SHIFT, unit variance


def gaussian_scores(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores sigmoid(x) with x | y ~ N(+-1, 1): the true posterior's logit is
    logit(PRIOR) + 2x, so the raw scores are miscalibrated in a known way."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < PRIOR).astype(np.int64)
    x = rng.normal(np.where(y == 1, SHIFT, -SHIFT), 1.0)
    return 1.0 / (1.0 + np.exp(-x)), y, rng.integers(0, 5, n)


def posterior(score: np.ndarray) -> np.ndarray:
    x = np.log(score / (1 - score))
    z = np.log(PRIOR / (1 - PRIOR)) + 2 * SHIFT * x
    return 1.0 / (1.0 + np.exp(-z))


def binary_oof(n: int = 20_000, seed: int = 0) -> OutOfFold:
    score, y, fold = gaussian_scores(n, seed)
    return OutOfFold.of(np.column_stack([1 - score, score]), y, fold)


def fit(oof: OutOfFold, task: Task = Task.BINARY, **decision: object) -> DecisionOutcome:
    classes: tuple[object, ...] = ("no", "yes") if task is Task.BINARY else ()
    if task is Task.MULTICLASS:
        classes = tuple(str(k) for k in range(oof.scores.shape[1]))
    return fit_decision_policy(
        oof, task=task, classes=classes, decision=Decision.model_validate(decision), seed=3
    )
