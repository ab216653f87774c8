"""PDP/ICE: a planted interaction (y = x1 * x2) is flagged; an additive effect is not."""

from __future__ import annotations

import numpy as np

from shipml.core.enums import ColumnType, Task
from shipml.explain import ModelView, partial_dependence
from tests.unit.explain.conftest import booster_model


def test_ice_flags_a_planted_interaction() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    x1, x2, x3 = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)
    y = x1 * x2 + 1.5 * x3 + rng.normal(size=n) * 0.1
    columns = {"x1": x1, "x2": x2, "x3": x3}
    model = booster_model(columns, y, Task.REGRESSION, rounds=300)
    view = ModelView.of(model)
    sample = {k: v[:400] for k, v in columns.items()}
    X = view.matrix(sample)
    curves = {f: partial_dependence(view, sample, X, f, ColumnType.NUMERIC) for f in columns}
    assert curves["x1"].interaction
    assert curves["x2"].interaction
    assert not curves["x3"].interaction
    assert curves["x1"].heterogeneity > 0.7 > 0.3 > curves["x3"].heterogeneity
    x3 = curves["x3"]
    assert x3.ice.shape == (400, len(x3.grid))
    assert len(x3.grid) == 20
    assert np.allclose(x3.pdp, x3.ice.mean(axis=0))
    assert x3.pdp[-1] - x3.pdp[0] > 4  # the additive slope 1.5 over the grid's span


def test_categorical_grid_holds_categories() -> None:
    from shipml.runtime.estimators import LinearEstimator
    from shipml.runtime.preprocess import PreprocessConfig, fit_preprocessor
    from tests.unit.explain.conftest import wrap

    rng = np.random.default_rng(1)
    colour = rng.choice(np.array(["red", "blue", "green"], dtype=object), 300)
    columns = {"colour": colour}
    types = {"colour": ColumnType.CATEGORICAL}
    pre = fit_preprocessor(columns, types, PreprocessConfig(onehot=True))
    coef = np.array([[0.0, 2.0, 0.0, 0.0, 0.0]])  # categories sorted: blue, green, red, ...
    model = wrap(list(pre.steps), LinearEstimator(coef, np.zeros(1), Task.BINARY),
                 Task.BINARY, types)  # fmt: skip
    view = ModelView.of(model)
    pd_ = partial_dependence(view, columns, view.matrix(columns), "colour", types["colour"])
    assert pd_.discrete
    assert set(pd_.grid) == {"red", "blue", "green"}
    green = pd_.grid.index("green")
    assert np.isclose(pd_.pdp[green], 1 / (1 + np.exp(-2.0)))
    assert not pd_.interaction  # a linear model has parallel ICE curves
