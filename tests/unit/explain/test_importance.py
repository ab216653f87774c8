"""Permutation importance ranks planted signal first and noise last; groups handle duplicates."""

from __future__ import annotations

import numpy as np

from shipml.core.enums import ColumnType, Metric, Task
from shipml.explain import ModelView, correlated_groups, permutation_importance
from shipml.runtime.estimators import LinearEstimator
from shipml.runtime.preprocess import PreprocessConfig, fit_preprocessor
from tests.unit.explain.conftest import booster_model, wrap


def _table(n: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    signal, weak, noise = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    y = (2.0 * signal + 0.6 * weak + rng.normal(size=n) > 0).astype(int)
    return {"noise": noise, "weak": weak, "signal": signal}, y


def test_planted_signal_first_and_noise_last() -> None:
    train, y = _table(3000, 0)
    model = booster_model(train, y, Task.BINARY)
    test, y_test = _table(2000, 1)
    view = ModelView.of(model)
    ranked = permutation_importance(
        view, view.matrix(test), y_test, None, Metric.ROC_AUC, repeats=5, seed=3
    )
    assert [i.name for i in ranked] == ["signal", "weak", "noise"]
    top, last = ranked[0], ranked[-1]
    assert top.low > 0.2
    assert len(top.repeats) == 5
    assert top.low <= top.mean <= top.high
    assert abs(last.mean) < 0.01
    assert last.low < 0.005


def test_lower_is_better_metric_keeps_positive_importance() -> None:
    train, y = _table(2000, 0)
    model = booster_model(train, y, Task.BINARY, rounds=60)
    test, y_test = _table(1000, 2)
    view = ModelView.of(model)
    ranked = permutation_importance(view, view.matrix(test), y_test, None, Metric.LOG_LOSS)
    assert ranked[0].name == "signal"
    assert ranked[0].mean > 0.1


def test_one_hot_columns_are_judged_as_their_raw_feature() -> None:
    rng = np.random.default_rng(4)
    n = 2000
    colour = rng.choice(np.array(["red", "green", "blue"], dtype=object), n)
    x = rng.normal(size=n)
    y = ((colour == "red") * 2.0 + 0.2 * x + rng.normal(size=n) * 0.5 > 1).astype(int)
    columns = {"colour": colour, "x": x}
    types = {"colour": ColumnType.CATEGORICAL, "x": ColumnType.NUMERIC}
    pre = fit_preprocessor(columns, types, PreprocessConfig(onehot=True, impute=True, scale=True))
    X = pre.transform(columns).matrix
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression().fit(X, y)
    model = wrap(list(pre.steps), LinearEstimator(fit.coef_, fit.intercept_, Task.BINARY),
                 Task.BINARY, types)  # fmt: skip
    view = ModelView.of(model)
    assert view.blocks["colour"] == slice(0, 5)  # 3 categories + other + missing
    ranked = permutation_importance(view, X, y, None, Metric.ROC_AUC, repeats=3)
    assert [i.name for i in ranked] == ["colour", "x"]


def test_grouped_permutation_handles_a_duplicated_feature() -> None:
    rng = np.random.default_rng(0)

    def table(n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        x1, other, noise = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
        y = (2 * x1 + 0.7 * other + rng.normal(size=n) > 0).astype(int)
        return {"x1": x1, "x1_copy": x1.copy(), "other": other, "noise": noise}, y

    train, y = table(3000)
    model = booster_model(train, y, Task.BINARY, feature_fraction_bynode=0.5)
    test, y_test = table(2000)
    types = dict.fromkeys(test, ColumnType.NUMERIC)
    groups = correlated_groups(test, types)
    assert groups == [("x1", "x1_copy")]
    view = ModelView.of(model)
    X = view.matrix(test)
    alone = {i.name: i.mean for i in permutation_importance(view, X, y_test, None, Metric.ROC_AUC)}
    together = permutation_importance(
        view, X, y_test, None, Metric.ROC_AUC, groups={"x1 + x1_copy": groups[0]}
    )[0]
    assert together.mean > 0.3
    assert alone["x1"] < 0.5 * together.mean
    assert alone["x1_copy"] < 0.5 * together.mean
