"""Candidates: the LightGBM rung, early-stopped on an inner split shaped like the folds.

Deterministic (`deterministic`, `force_row_wise`, a fixed thread count); categories enter as
ordinal codes with LightGBM's categorical splits. The refit uses the folds' mean best iteration.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np

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
from shipml.runtime.estimators import BoosterEstimator
from shipml.runtime.preprocess import PreprocessConfig
from shipml.tasks import RawOutput, ScoresKind, task_kind

MAX_ROUNDS = 1000
PATIENCE = 50
OBJECTIVES = {  # LightGBM's objective for a task's (scores, raw output)
    (ScoresKind.CLASS_PROBABILITIES, RawOutput.SINGLE): "binary",
    (ScoresKind.CLASS_PROBABILITIES, RawOutput.PER_CLASS): "multiclass",
    (ScoresKind.VALUES, RawOutput.SINGLE): "regression",
}


@dataclass(frozen=True)
class LightGBM:
    name: str = "lightgbm"
    cost_rank: int = 3
    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    early_stopping: bool = True

    def defaults(self, task: TaskName, n_rows: int) -> list[Params]:
        base = {
            "learning_rate": 0.1,
            "num_leaves": 31,
            "min_child_samples": 20,
            "feature_fraction": 0.9,
            "bagging_fraction": 1.0,
            "lambda_l2": 1e-3,
        }
        return with_class_weight(task, [base])

    def suggest(self, trial: Trial, task: TaskName, n_rows: int) -> Params:
        return {
            "learning_rate": trial.suggest_float("learning_rate", 0.03, 0.3, log=True),
            "num_leaves": trial.suggest_int("num_leaves", 7, 255, log=True),
            "min_child_samples": trial.suggest_int("min_child_samples", 5, 200, log=True),
            "feature_fraction": trial.suggest_float("feature_fraction", 0.4, 1.0),
            "bagging_fraction": trial.suggest_float("bagging_fraction", 0.5, 1.0),
            "lambda_l2": trial.suggest_float("lambda_l2", 1e-3, 30.0, log=True),
        } | suggest_class_weight(trial, task)

    def fit(self, data: FitData, params: Params) -> Fitted:
        w = _weights(data.y, data.w, data.n_classes, params)
        train = lgb.Dataset(
            data.X, data.y, weight=w, categorical_feature=list(data.categorical), free_raw_data=True
        )
        booster_params = _booster_params(data, params)
        rounds = int(params.get("n_estimators", MAX_ROUNDS))
        callbacks: list[Any] = []
        valid_sets = []
        if data.X_es is not None and data.y_es is not None and "n_estimators" not in params:
            w_es = _weights(data.y_es, data.w_es, data.n_classes, params)
            valid_sets = [lgb.Dataset(data.X_es, data.y_es, weight=w_es, reference=train)]
            callbacks = [lgb.early_stopping(PATIENCE, verbose=False)]
        stopped: list[int] = []
        if data.deadline is not None:
            callbacks.append(_stop_at(data.deadline, stopped))
        booster = lgb.train(
            booster_params,
            train,
            num_boost_round=rounds,
            valid_sets=valid_sets,
            callbacks=callbacks,
        )
        best = booster.best_iteration if booster.best_iteration > 0 else booster.current_iteration()
        info = {"best_iteration": best} | ({"stopped_at_deadline": 1.0} if stopped else {})
        if valid_sets:
            booster = lgb.Booster(model_str=booster.model_to_string(num_iteration=best))
        return Fitted(BoosterEstimator(booster=booster, task=data.task), info)

    def refit_params(self, params: Params, infos: Sequence[Mapping[str, float]]) -> Params:
        iterations = [i["best_iteration"] for i in infos if "best_iteration" in i]
        if not iterations or "n_estimators" in params:
            return params
        return params | {"n_estimators": max(10, round(float(np.mean(iterations))))}


def _stop_at(deadline: float, stopped: list[int]) -> Any:
    """A LightGBM callback that ends boosting once the clock passes `deadline`, keeping the
    trees so far (the fit's info says it stopped there)."""

    def callback(env: Any) -> None:
        if time.monotonic() > deadline and env.iteration + 1 < env.end_iteration:
            stopped.append(env.iteration)
            raise lgb.callback.EarlyStopException(env.iteration, env.evaluation_result_list or [])

    callback.order = 40  # type: ignore[attr-defined]  # after early stopping (30)
    return callback


def _weights(
    y: np.ndarray, w: np.ndarray | None, n_classes: int, params: Params
) -> np.ndarray | None:
    if params.get("class_weight") == "balanced":
        return balanced_weights(y, n_classes) * (1.0 if w is None else w)
    return w


def _booster_params(data: FitData, params: Params) -> dict[str, Any]:
    out: dict[str, Any] = {
        "objective": objective(data.task),
        "learning_rate": float(params["learning_rate"]),
        "num_leaves": int(params["num_leaves"]),
        "min_child_samples": int(params["min_child_samples"]),
        "feature_fraction": float(params["feature_fraction"]),
        "bagging_fraction": float(params["bagging_fraction"]),
        "bagging_freq": 1 if float(params["bagging_fraction"]) < 1.0 else 0,
        "lambda_l2": float(params["lambda_l2"]),
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": data.n_jobs,
        "seed": data.seed,
        "verbosity": -1,
        "max_cat_to_onehot": 8,
    }
    if task_kind(data.task).per_class:
        out["num_class"] = data.n_classes
    return out


def objective(task: TaskName) -> str:
    kind = task_kind(task)
    return OBJECTIVES[(kind.scores, kind.raw_output)]
