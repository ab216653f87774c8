"""Candidates: the contract every model family meets, and what a fit receives and returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from shipml.core.enums import TaskName
from shipml.runtime.estimators import Estimator
from shipml.runtime.preprocess import PreprocessConfig
from shipml.tasks import task_kind

Params = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FitData:
    """One fit's inputs: a training matrix, and optionally an early-stopping slice."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    task: TaskName
    n_classes: int
    seed: int
    n_jobs: int
    categorical: Sequence[int] = ()
    X_es: np.ndarray | None = None
    y_es: np.ndarray | None = None
    w_es: np.ndarray | None = None
    classes: tuple[str, ...] = ()  # the classes, as text (a path task reads its tree from them)
    deadline: float | None = None  # time.monotonic(): a boosted fit stops adding trees at it
    feature_names: tuple[str, ...] = ()  # the matrix's columns, by name


@dataclass(frozen=True, slots=True)
class Fitted:
    estimator: Estimator
    info: Mapping[str, float] = field(default_factory=dict)  # e.g. best_iteration


class Trial(Protocol):
    """The part of an Optuna trial a search space uses."""

    def suggest_float(self, name: str, low: float, high: float, *, log: bool = False) -> float: ...

    def suggest_int(self, name: str, low: int, high: int, *, log: bool = False) -> int: ...

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any: ...


class Family(Protocol):
    """A rung of the ladder. `defaults` are cheap starting points tried before the search."""

    @property
    def name(self) -> str: ...

    @property
    def cost_rank(self) -> int:  # cheaper first
        ...

    @property
    def preprocess(self) -> PreprocessConfig: ...

    @property
    def early_stopping(self) -> bool: ...

    def defaults(self, task: TaskName, n_rows: int) -> list[Params]: ...

    def suggest(self, trial: Trial, task: TaskName, n_rows: int) -> Params: ...

    def fit(self, data: FitData, params: Params) -> Fitted: ...

    def refit_params(self, params: Params, infos: Sequence[Mapping[str, float]]) -> Params: ...


def with_class_weight(task: TaskName, base: list[Params]) -> list[Params]:
    """For classification, try each default without and with balanced class weights."""
    if not task_kind(task).has_classes:
        return base
    return [p | {"class_weight": cw} for p in base for cw in ("none", "balanced")]


def suggest_class_weight(trial: Trial, task: TaskName) -> Params:
    if not task_kind(task).has_classes:
        return {}
    return {"class_weight": trial.suggest_categorical("class_weight", ["none", "balanced"])}


def balanced_weights(y: np.ndarray, n_classes: int) -> np.ndarray:
    """sklearn's 'balanced' class weights as a per-row factor: n / (k * count(class))."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    factors = len(y) / (n_classes * np.maximum(counts, 1.0))
    return factors[y]


def subsample_rows(n_rows: int, cap: int, seed: int) -> np.ndarray | None:
    """Positions of a seeded subsample when a family caps its training rows, else None."""
    if n_rows <= cap:
        return None
    return np.sort(np.random.default_rng(seed).choice(n_rows, cap, replace=False))
