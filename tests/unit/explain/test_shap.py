"""SHAP contributions per raw feature sum, with the base value, to the model's raw output."""

from __future__ import annotations

import numpy as np

from shipml.core.enums import ColumnType, Task
from shipml.explain import ModelView, shap_contributions
from shipml.runtime.estimators import LinearEstimator, SkopsEstimator
from shipml.runtime.preprocess import PreprocessConfig, fit_preprocessor
from tests.unit.explain.conftest import booster_model, wrap


def _data(n: int = 1500) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    colour = rng.choice(np.array(["red", "green", "blue"], dtype=object), n)
    y = (x1 - 0.5 * x2 + (colour == "red") + rng.normal(size=n) > 0.3).astype(int)
    return {"x1": x1, "x2": x2, "colour": colour}, y


def test_lightgbm_contributions_sum_to_the_raw_margin() -> None:
    columns, y = _data()
    numeric = {k: v for k, v in columns.items() if k != "colour"}
    model = booster_model(numeric, y, Task.BINARY, rounds=80)
    view = ModelView.of(model)
    X = view.matrix(numeric)
    c = shap_contributions(view, X)
    assert c is not None
    assert c.values.shape == (len(X), 2)
    margin = model.estimator.booster.predict(X, raw_score=True)  # type: ignore[attr-defined]
    np.testing.assert_allclose(c.base + c.values.sum(axis=1), margin, atol=1e-9)
    np.testing.assert_allclose(c.output, margin, atol=1e-9)
    assert c.scale.startswith("log-odds")
    assert c.mean_abs()[0] > c.mean_abs()[1]


def test_linear_contributions_are_exact_and_aggregate_one_hot() -> None:
    columns, y = _data()
    types = {"x1": ColumnType.NUMERIC, "x2": ColumnType.NUMERIC,
             "colour": ColumnType.CATEGORICAL}  # fmt: skip
    pre = fit_preprocessor(columns, types, PreprocessConfig(onehot=True, impute=True, scale=True))
    X = pre.transform(columns).matrix
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression().fit(X, y)
    model = wrap(list(pre.steps), LinearEstimator(fit.coef_, fit.intercept_, Task.BINARY),
                 Task.BINARY, types)  # fmt: skip
    c = shap_contributions(ModelView.of(model), X)
    assert c is not None
    assert c.features == ("x1", "x2", "colour")
    assert c.values.shape == (len(X), 3)  # five one-hot columns summed into one feature
    np.testing.assert_allclose(c.base + c.values.sum(axis=1), fit.decision_function(X), atol=1e-9)
    np.testing.assert_allclose(c.values.mean(axis=0), 0.0, atol=1e-9)


def test_forest_contributions_sum_to_the_probability() -> None:
    from sklearn.ensemble import RandomForestClassifier

    columns, y = _data(600)
    numeric = {k: v for k, v in columns.items() if k != "colour"}
    X = np.column_stack(list(numeric.values()))
    forest = RandomForestClassifier(n_estimators=20, max_depth=5, random_state=0).fit(X, y)
    template = booster_model(numeric, y, Task.BINARY, rounds=2)
    model = wrap(list(template.preprocessor.steps), SkopsEstimator(forest, Task.BINARY),
                 Task.BINARY, dict.fromkeys(numeric, ColumnType.NUMERIC))  # fmt: skip
    c = shap_contributions(ModelView.of(model), X[:100])
    assert c is not None
    np.testing.assert_allclose(c.output, forest.predict_proba(X[:100])[:, 1], atol=1e-6)
