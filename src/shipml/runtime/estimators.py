"""Runtime: fitted models evaluated from float64 arrays, each saved in a safe, non-pickle format.

constant   class priors or the mean (the baseline), JSON
linear     coefficients and intercepts with a logistic, softmax or identity link, JSON
lightgbm   a LightGBM booster as its native model text
skops      another scikit-learn family via skops, loaded with an explicit trusted-type list
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from shipml.core.enums import Task

SKOPS_TRUSTED = [
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.ensemble._forest.RandomForestRegressor",
    "sklearn.ensemble._forest.ExtraTreesClassifier",
    "sklearn.ensemble._forest.ExtraTreesRegressor",
    "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.tree._classes.DecisionTreeRegressor",
    "sklearn.tree._classes.ExtraTreeClassifier",
    "sklearn.tree._classes.ExtraTreeRegressor",
    "sklearn.tree._tree.Tree",
    "numpy.dtype",
]


class Estimator(Protocol):
    @property
    def kind(self) -> str: ...

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (n, k) for classification; values (n,) for regression."""
        ...

    def save(self, folder: Path) -> dict[str, Any]:
        """Write the model's files into `folder`; return the JSON metadata that reloads it."""
        ...


@dataclass(frozen=True, slots=True)
class ConstantEstimator:
    values: tuple[float, ...]
    task: Task
    kind: str = "constant"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        if self.task is Task.REGRESSION:
            return np.full(len(X), self.values[0])
        return np.tile(np.asarray(self.values), (len(X), 1))

    def save(self, folder: Path) -> dict[str, Any]:
        return {"kind": self.kind, "values": list(self.values)}


@dataclass(frozen=True, slots=True)
class LinearEstimator:
    coef: np.ndarray  # (m, p): m = 1 for binary and regression, k for multiclass
    intercept: np.ndarray  # (m,)
    task: Task
    kind: str = "linear"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        z = X @ self.coef.T + self.intercept
        if self.task is Task.REGRESSION:
            return z[:, 0]
        if self.task is Task.BINARY:
            p = 1.0 / (1.0 + np.exp(-np.clip(z[:, 0], -500, 500)))
            return np.column_stack([1.0 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def save(self, folder: Path) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "coef": self.coef.tolist(),
            "intercept": self.intercept.tolist(),
        }


@dataclass(frozen=True, slots=True)
class BoosterEstimator:
    booster: Any  # lightgbm.Booster
    task: Task
    kind: str = "lightgbm"
    FILE = "model.lgb.txt"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        p = self.booster.predict(X, num_threads=1)
        return np.column_stack([1.0 - p, p]) if self.task is Task.BINARY else p

    def save(self, folder: Path) -> dict[str, Any]:
        (folder / self.FILE).write_text(self.booster.model_to_string(), encoding="utf-8")
        return {"kind": self.kind, "file": self.FILE}


@dataclass(frozen=True, slots=True)
class SkopsEstimator:
    model: Any  # a fitted scikit-learn estimator from the trusted list
    task: Task
    kind: str = "skops"
    FILE = "model.skops"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        if self.task is Task.REGRESSION:
            return np.asarray(self.model.predict(X), dtype=np.float64)
        return np.asarray(self.model.predict_proba(X), dtype=np.float64)

    def save(self, folder: Path) -> dict[str, Any]:
        import skops.io as sio

        sio.dump(self.model, folder / self.FILE)
        return {"kind": self.kind, "file": self.FILE}


def load_estimator(meta: dict[str, Any], folder: Path, task: Task) -> Estimator:
    kind = meta["kind"]
    if kind == "constant":
        return ConstantEstimator(values=tuple(meta["values"]), task=task)
    if kind == "linear":
        return LinearEstimator(
            coef=np.asarray(meta["coef"], dtype=np.float64),
            intercept=np.asarray(meta["intercept"], dtype=np.float64),
            task=task,
        )
    if kind == "lightgbm":
        import lightgbm as lgb

        text = (folder / meta["file"]).read_text(encoding="utf-8")
        return BoosterEstimator(booster=lgb.Booster(model_str=text), task=task)
    if kind == "skops":
        import skops.io as sio

        model = sio.load(folder / meta["file"], trusted=SKOPS_TRUSTED)
        return SkopsEstimator(model=model, task=task)
    raise ValueError(f"unknown estimator kind {kind!r}")
