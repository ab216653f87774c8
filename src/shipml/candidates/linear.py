"""Candidates: the linear rung, logistic regression or ridge/lasso, L1 vs L2, strength tuned.

Inputs are one-hot encoded, imputed and standardized; the fit is stored as coefficients.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from threadpoolctl import threadpool_limits

from shipml.candidates.family import (
    FitData,
    Fitted,
    Params,
    Trial,
    balanced_weights,
    subsample_rows,
    suggest_class_weight,
    with_class_weight,
)
from shipml.core.enums import TaskName
from shipml.runtime.estimators import LinearEstimator
from shipml.runtime.preprocess import PreprocessConfig
from shipml.tasks import task_kind

MAX_ROWS = 200_000  # a linear model rarely gains from more rows; the cap bounds its cost
MAX_ROWS_L1 = 20_000  # saga converges slowly; L1 is here to choose features, 20k rows do


@dataclass(frozen=True)
class Linear:
    name: str = "linear"
    cost_rank: int = 1
    preprocess: PreprocessConfig = field(
        default_factory=lambda: PreprocessConfig(onehot=True, impute=True, scale=True)
    )
    early_stopping: bool = False

    def defaults(self, task: TaskName, n_rows: int) -> list[Params]:
        if task_kind(task).gives_values:
            return [{"penalty": "l2", "l2_alpha": 1.0}]
        return with_class_weight(task, [{"penalty": "l2", "C": 1.0}])

    def suggest(self, trial: Trial, task: TaskName, n_rows: int) -> Params:
        penalty = trial.suggest_categorical("penalty", ["l1", "l2"])
        if task_kind(
            task
        ).gives_values:  # on a standardized target, so the ranges hold for any scale
            low, high = (1e-5, 1.0) if penalty == "l1" else (1e-3, 1e3)
            alpha = trial.suggest_float(f"{penalty}_alpha", low, high, log=True)
            return {"penalty": penalty, f"{penalty}_alpha": alpha}
        strength = trial.suggest_float("C", 1e-3, 100, log=True)
        return {"penalty": penalty, "C": strength} | suggest_class_weight(trial, task)

    def fit(self, data: FitData, params: Params) -> Fitted:
        X, y, w = data.X, data.y, data.w
        cap = MAX_ROWS_L1 if params["penalty"] == "l1" else MAX_ROWS
        keep = subsample_rows(len(y), cap, data.seed)
        if keep is not None:
            X, y, w = X[keep], y[keep], None if w is None else w[keep]
        if params.get("class_weight") == "balanced":
            w = balanced_weights(y, data.n_classes) * (1.0 if w is None else w)
        # BLAS threads spin-wait on small matrices; on a busy machine a 2-thread fit ran
        # 30x slower than a 1-thread one (measured on diamonds: 53 s vs 1.7 s).
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            if task_kind(data.task).gives_values:
                return Fitted(_fit_regression(X, y, w, params, data))
            return Fitted(_fit_classifier(X, y, w, params, data))

    def refit_params(self, params: Params, infos: Sequence[Mapping[str, float]]) -> Params:
        return params


def _fit_regression(
    X: np.ndarray, y: np.ndarray, w: np.ndarray | None, params: Params, data: FitData
) -> LinearEstimator:
    penalty = params["penalty"]
    alpha = float(params[f"{penalty}_alpha"])
    center, spread = float(np.average(y, weights=w)), float(np.std(y)) or 1.0
    model: Ridge | Lasso
    if penalty == "l1":
        model = Lasso(alpha=alpha, max_iter=2000, random_state=data.seed)
    else:
        model = Ridge(alpha=alpha)
    model.fit(X, (y - center) / spread, sample_weight=w)
    coef = np.asarray(model.coef_, dtype=np.float64).reshape(1, -1) * spread
    intercept = np.atleast_1d(np.float64(model.intercept_) * spread + center)
    return LinearEstimator(coef, intercept, data.task)


def _fit_classifier(
    X: np.ndarray, y: np.ndarray, w: np.ndarray | None, params: Params, data: FitData
) -> LinearEstimator:
    l1 = params["penalty"] == "l1"
    model = LogisticRegression(
        C=float(params["C"]),
        l1_ratio=1.0 if l1 else 0.0,
        solver="saga" if l1 else "lbfgs",
        max_iter=100 if l1 else 300,
        tol=1e-3 if l1 else 1e-4,
        random_state=data.seed,
    )
    model.fit(X, y, sample_weight=w)
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if task_kind(data.task).per_class and len(model.classes_) == 2:
        # scikit-learn keeps one logit for two classes; a softmax needs one per class, and
        # (-z/2, z/2) gives the same probabilities
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.r_[-intercept / 2, intercept / 2]
    if task_kind(data.task).per_class and len(model.classes_) < data.n_classes:
        full = np.full((data.n_classes, X.shape[1]), 0.0)
        full_b = np.full(data.n_classes, -30.0)  # a class absent from this fold: ~0 probability
        full[model.classes_], full_b[model.classes_] = coef, intercept
        coef, intercept = full, full_b
    return LinearEstimator(coef, intercept, data.task)
