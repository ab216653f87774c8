"""Candidates: the random-forest rung (and extra trees), depth-capped, subsampled on large data.

Categories enter as ordinal codes; the fitted forest is stored with skops.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from shipml.candidates.family import (
    FitData,
    Fitted,
    Params,
    Trial,
    balanced_weights,
    suggest_class_weight,
    with_class_weight,
)
from shipml.core.enums import TaskName
from shipml.runtime.estimators import SkopsEstimator
from shipml.runtime.preprocess import PreprocessConfig
from shipml.tasks import task_kind

MAX_DEPTH = 16
SAMPLE_CAP = 30_000  # each tree sees at most this many rows on large data


@dataclass(frozen=True)
class Forest:
    name: str = "random_forest"
    cost_rank: int = 2
    extra: bool = False
    preprocess: PreprocessConfig = field(default_factory=lambda: PreprocessConfig(impute=True))
    early_stopping: bool = False

    def defaults(self, task: TaskName, n_rows: int) -> list[Params]:
        base = {"n_estimators": 100, "max_depth": 12, "min_samples_leaf": 2, "max_features": 0.3}
        return with_class_weight(task, [base])

    def suggest(self, trial: Trial, task: TaskName, n_rows: int) -> Params:
        return {
            "n_estimators": trial.suggest_int("n_estimators", 50, 300, log=True),
            "max_depth": trial.suggest_int("max_depth", 4, MAX_DEPTH),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 50, log=True),
            "max_features": trial.suggest_float("max_features", 0.1, 1.0),
        } | suggest_class_weight(trial, task)

    def fit(self, data: FitData, params: Params) -> Fitted:
        w = data.w
        if params.get("class_weight") == "balanced":
            w = balanced_weights(data.y, data.n_classes) * (1.0 if w is None else w)
        kwargs = {
            "n_estimators": int(params["n_estimators"]),
            "max_depth": int(params["max_depth"]),
            "min_samples_leaf": int(params["min_samples_leaf"]),
            "max_features": float(params["max_features"]),
            "n_jobs": data.n_jobs,
            "random_state": data.seed,
        }
        if len(data.y) > SAMPLE_CAP:
            kwargs["max_samples"] = SAMPLE_CAP / len(data.y)
            kwargs["bootstrap"] = True
        model = _model_class(data.task, self.extra)(**kwargs)
        model.fit(data.X, data.y, sample_weight=w)
        model.n_jobs = 1  # predicting one row on one thread is fastest
        if task_kind(data.task).per_class and len(model.classes_) < data.n_classes:
            raise ValueError("a class is absent from a training fold; use fewer folds")
        return Fitted(SkopsEstimator(model=model, task=data.task))

    def refit_params(self, params: Params, infos: Sequence[Mapping[str, float]]) -> Params:
        return params


def _model_class(task: TaskName, extra: bool) -> type:
    if task_kind(task).gives_values:
        return ExtraTreesRegressor if extra else RandomForestRegressor
    return ExtraTreesClassifier if extra else RandomForestClassifier


def extra_trees() -> Forest:
    return Forest(name="extra_trees", cost_rank=2, extra=True)
