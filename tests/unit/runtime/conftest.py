"""Shared fixtures for the runtime's tests: a small mixed table as raw arrays, and fitted models."""

from __future__ import annotations

from collections.abc import Callable

import lightgbm as lgb
import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge

from shipml.core.enums import ColumnType, Task
from shipml.runtime import (
    BoosterEstimator,
    ConstantEstimator,
    Estimator,
    InferenceModel,
    InputColumn,
    InputSchema,
    LinearEstimator,
    PreprocessConfig,
    SkopsEstimator,
    fit_preprocessor,
)
from shipml.runtime.columns import Columns
from shipml.runtime.policy import DecisionPolicy

N_ROWS = 300
TYPES = {
    "age": ColumnType.NUMERIC,
    "city": ColumnType.CATEGORICAL,
    "member": ColumnType.BOOLEAN,
    "signup": ColumnType.DATETIME,
}
CLASSES = {Task.BINARY: ("no", "yes"), Task.MULTICLASS: ("a", "b", "c"), Task.REGRESSION: ()}
KINDS = ("constant", "linear", "lightgbm", "skops")


def make_columns(n: int = N_ROWS, seed: int = 0) -> Columns:
    """Raw arrays as the data layer hands them over: float64, object strings, datetimes."""
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 12, n)
    age[rng.random(n) < 0.1] = np.nan
    city = rng.choice(np.array(["paris", "rome", "oslo", "lima"], dtype=object), n)
    city[rng.random(n) < 0.05] = None
    member = rng.random(n) < 0.4
    days = rng.integers(0, 2000, n).astype("timedelta64[D]")
    signup = np.datetime64("2018-01-01", "s") + days
    return {"age": age, "city": city, "member": member, "signup": signup}


def make_target(columns: Columns, task: Task, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    age = np.nan_to_num(columns["age"], nan=40.0)
    score = (age - 40) / 12 + (columns["city"] == "rome") + rng.normal(0, 0.5, len(age))
    if task is Task.REGRESSION:
        return score
    if task is Task.BINARY:
        return (score > 0.3).astype(np.int64)
    return np.digitize(score, [-0.5, 0.5]).astype(np.int64)


def fit_estimator(kind: str, task: Task, X: np.ndarray, y: np.ndarray) -> Estimator:
    if kind == "constant":
        if task is Task.REGRESSION:
            return ConstantEstimator(values=(float(y.mean()),), task=task)
        return ConstantEstimator(values=tuple(np.bincount(y) / len(y)), task=task)
    if kind == "linear":
        if task is Task.REGRESSION:
            ridge = Ridge(alpha=1.0).fit(X, y)
            return LinearEstimator(
                ridge.coef_.reshape(1, -1), np.atleast_1d(ridge.intercept_), task
            )
        logit = LogisticRegression(max_iter=500).fit(X, y)
        return LinearEstimator(logit.coef_, logit.intercept_, task)
    if kind == "lightgbm":
        params = {"objective": str(task), "verbosity": -1, "num_threads": 1, "seed": 0}
        if task is Task.MULTICLASS:
            params["num_class"] = 3
        booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=20)
        return BoosterEstimator(booster=booster, task=task)
    forest_class = RandomForestRegressor if task is Task.REGRESSION else RandomForestClassifier
    forest = forest_class(n_estimators=10, max_depth=5, random_state=0).fit(X, y)
    return SkopsEstimator(model=forest, task=task)


def build_model(kind: str, task: Task, columns: Columns | None = None) -> InferenceModel:
    """A fitted inference form of the given estimator kind on the small mixed table."""
    columns = make_columns() if columns is None else columns
    linear = kind == "linear"
    config = PreprocessConfig(onehot=linear, impute=kind != "lightgbm", scale=linear)
    pre = fit_preprocessor(columns, TYPES, config)
    X = pre.transform(columns).matrix
    estimator = fit_estimator(kind, task, X, make_target(columns, task))
    schema = InputSchema(tuple(InputColumn(n, t, "feature") for n, t in TYPES.items()))
    return InferenceModel(
        task=task,
        target="y",
        family=kind,
        classes=CLASSES[task],
        schema=schema,
        preprocessor=pre,
        estimator=estimator,
        policy=DecisionPolicy.default(task),
    )


@pytest.fixture
def columns() -> Columns:
    return make_columns()


@pytest.fixture
def model_factory() -> Callable[..., InferenceModel]:
    return build_model
