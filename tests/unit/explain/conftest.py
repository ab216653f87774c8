"""Small fitted inference forms over planted data, built directly (no training pipeline)."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np

from shipml.core.enums import ColumnType, Task
from shipml.runtime.estimators import BoosterEstimator
from shipml.runtime.inference import InferenceModel
from shipml.runtime.policy import DecisionPolicy
from shipml.runtime.preprocess import Preprocessor
from shipml.runtime.schema import InputColumn, InputSchema
from shipml.runtime.steps import NumericStep, Scaling, Step


def wrap(
    steps: list[Step], estimator: object, task: Task, types: dict[str, ColumnType]
) -> InferenceModel:
    schema = InputSchema(tuple(InputColumn(s.column, types[s.column], "feature") for s in steps))
    classes: tuple[object, ...] = () if task is Task.REGRESSION else (0, 1)
    return InferenceModel(
        task=task,
        target="y",
        family="test",
        classes=classes,
        schema=schema,
        preprocessor=Preprocessor(tuple(steps)),
        estimator=estimator,  # type: ignore[arg-type]
        policy=DecisionPolicy.default(task),
    )


def booster_model(
    columns: dict[str, np.ndarray], y: np.ndarray, task: Task, rounds: int = 150, **params: object
) -> InferenceModel:
    """A LightGBM booster over numeric columns, wrapped as an inference form."""
    names = list(columns)
    X = np.column_stack([columns[n] for n in names]).astype(np.float64)
    objective = "binary" if task is Task.BINARY else "regression"
    base = {"objective": objective, "verbosity": -1, "num_threads": 1, "seed": 0,
            "deterministic": True, "learning_rate": 0.1, "num_leaves": 15}  # fmt: skip
    booster = lgb.train(base | params, lgb.Dataset(X, y), num_boost_round=rounds)
    steps: list[Step] = [NumericStep(n, Scaling()) for n in names]
    types = dict.fromkeys(names, ColumnType.NUMERIC)
    return wrap(steps, BoosterEstimator(booster, task), task, types)


def multiclass_model(
    columns: dict[str, np.ndarray], y: np.ndarray, classes: tuple[object, ...], rounds: int = 30
) -> InferenceModel:
    """A LightGBM softmax booster over numeric columns; `y` holds indices into `classes`."""
    import dataclasses

    names = list(columns)
    X = np.column_stack([columns[n] for n in names]).astype(np.float64)
    params = {"objective": "multiclass", "num_class": len(classes), "verbosity": -1,
              "num_threads": 1, "seed": 0, "deterministic": True, "num_leaves": 7}  # fmt: skip
    booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=rounds)
    steps: list[Step] = [NumericStep(n, Scaling()) for n in names]
    types = dict.fromkeys(names, ColumnType.NUMERIC)
    model = wrap(steps, BoosterEstimator(booster, Task.MULTICLASS), Task.MULTICLASS, types)
    return dataclasses.replace(model, classes=classes)
