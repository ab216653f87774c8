"""PDP/ICE: a planted interaction (y = x1 * x2) is flagged; an additive effect is not, nor
a heterogeneous one whose ICE spread is a small share of the prediction range."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from shipml.core.enums import ColumnType, Task
from shipml.explain import ModelView, PartialDependence, partial_dependence
from shipml.explain.pdp import (
    INTERACTION_HETEROGENEITY,
    INTERACTION_SPREAD_SHARE,
    partial_dependence_by_class,
)
from shipml.runtime.estimators import LinearEstimator
from shipml.runtime.steps import NumericStep, Scaling
from tests.unit.explain.conftest import booster_model, wrap


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
    assert curves["x1"].spread_share > 2 * INTERACTION_SPREAD_SHARE
    x3 = curves["x3"]
    assert x3.ice.shape == (400, len(x3.grid))
    assert len(x3.grid) == 20
    assert np.allclose(x3.pdp, x3.ice.mean(axis=0))
    assert x3.pdp[-1] - x3.pdp[0] > 4  # the additive slope 1.5 over the grid's span


def test_categorical_grid_holds_categories() -> None:
    from shipml.runtime.preprocess import PreprocessConfig, fit_preprocessor

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


@dataclass(frozen=True)
class Formula:
    """An exact regression 'estimator': y = f(x1, x2, x3) on the raw (unscaled) columns."""

    f: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    task: Task = Task.REGRESSION

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        return self.f(X[:, 0], X[:, 1], X[:, 2])


def formula_panels(
    f: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], n: int = 400
) -> dict[str, PartialDependence]:
    rng = np.random.default_rng(3)
    columns = {name: rng.uniform(-1, 1, n) for name in ("x1", "x2", "x3")}
    types = dict.fromkeys(columns, ColumnType.NUMERIC)
    steps = [NumericStep(name, Scaling()) for name in columns]
    model = wrap(list(steps), Formula(f), Task.REGRESSION, types)  # type: ignore[arg-type]
    view = ModelView.of(model)
    X = view.matrix(columns)
    return {c: partial_dependence(view, columns, X, c, ColumnType.NUMERIC) for c in columns}


def test_an_additive_model_flags_nothing() -> None:
    panels = formula_panels(lambda x1, x2, x3: 2 * x1 + x2**2 + 0.5 * x3)
    for p in panels.values():
        assert not p.interaction
        assert p.spread_share < 1e-9  # parallel ICE curves: no spread at all
    assert panels["x1"].prediction_range > 3


def test_a_tiny_spread_is_not_flagged_however_heterogeneous() -> None:
    # x1 has no average effect (flat PDP, heterogeneity near 1: the old rule's flag), but its
    # curves differ by 0.03 * x2, a few percent of what the output spans (the rare spike).
    panels = formula_panels(lambda x1, x2, x3: 0.03 * x1 * x2 + 0.9 * (x3 > 0.98))
    x1 = panels["x1"]
    assert x1.heterogeneity > INTERACTION_HETEROGENEITY  # the heterogeneity rule alone flags it
    assert x1.prediction_range == pytest.approx(0.9, abs=0.05)
    assert x1.spread_share < INTERACTION_SPREAD_SHARE
    assert not x1.interaction


def test_a_real_interaction_is_flagged_with_its_numbers() -> None:
    panels = formula_panels(lambda x1, x2, x3: x1 * x2 + 0.5 * x3)
    x1, x3 = panels["x1"], panels["x3"]
    assert x1.interaction
    assert x1.spread_share > 0.3
    assert x1.heterogeneity > 0.5
    assert not x3.interaction
    assert x1.evidence.startswith("x1 on predicted y: ICE spread ")
    assert f"{x1.spread_share:.0%} of the prediction range" in x1.evidence


def test_every_class_gets_its_own_curves_from_one_prediction() -> None:
    rng = np.random.default_rng(4)
    columns = {"x": rng.normal(size=200)}
    types = {"x": ColumnType.NUMERIC}
    coef = np.array([[1.0], [0.0], [-1.0]])  # class a rises with x, class c falls
    estimator = LinearEstimator(coef, np.zeros(3), Task.MULTICLASS)
    model = wrap([NumericStep("x", Scaling())], estimator, Task.MULTICLASS, types)
    model = dataclasses.replace(model, classes=("a", "b", "c"))
    view = ModelView.of(model)
    X = view.matrix(columns)
    a, c = partial_dependence_by_class(view, columns, X, "x", ColumnType.NUMERIC, (0, 2))
    assert (a.label, a.output) == ("a", "P(y = a)")
    assert (c.label, c.output) == ("c", "P(y = c)")
    assert a.pdp[-1] > a.pdp[0]
    assert c.pdp[-1] < c.pdp[0]
    single = partial_dependence(view.for_class(2), columns, X, "x", ColumnType.NUMERIC)
    np.testing.assert_allclose(single.ice, c.ice)
