"""Every family fits binary, multiclass and regression problems in its inference form."""

from __future__ import annotations

import numpy as np
import pytest

from shipml.candidates import balanced_weights
from shipml.candidates.baseline import Baseline
from shipml.candidates.boosting import LightGBM
from shipml.candidates.forest import Forest, extra_trees
from shipml.candidates.linear import Linear
from shipml.core.enums import Metric, Task
from shipml.framing.metrics import score

from .conftest import N_CLASSES, make_problem

FAMILIES = {
    "baseline": Baseline(),
    "linear": Linear(),
    "random_forest": Forest(),
    "extra_trees": extra_trees(),
    "lightgbm": LightGBM(),
}
METRIC = {Task.BINARY: Metric.ROC_AUC, Task.MULTICLASS: Metric.LOG_LOSS, Task.REGRESSION: Metric.R2}


def _fit(name: str, task: Task):
    family = FAMILIES[name]
    data, X_new, y_new = make_problem(task)
    params = family.defaults(task, len(data.y))[0]
    if name == "random_forest" or name == "extra_trees":
        params = params | {"n_estimators": 30}
    if family.early_stopping:
        n = len(data.y) * 4 // 5
        data = type(data)(
            X=data.X[:n], y=data.y[:n], w=None, task=task, n_classes=data.n_classes,
            seed=0, n_jobs=1, X_es=data.X[n:], y_es=data.y[n:],
        )  # fmt: skip
    return family, family.fit(data, params), X_new, y_new


@pytest.mark.parametrize("task", list(Task))
@pytest.mark.parametrize("name", list(FAMILIES))
def test_each_family_fits_and_predicts_in_shape(name, task):
    _, fitted, X_new, _ = _fit(name, task)
    raw = fitted.estimator.predict_raw(X_new)
    if task is Task.REGRESSION:
        assert raw.shape == (len(X_new),)
    else:
        assert raw.shape == (len(X_new), N_CLASSES[task])
        np.testing.assert_allclose(raw.sum(axis=1), 1.0, atol=1e-9)
        assert (raw >= 0).all()
    assert np.isfinite(raw).all()


@pytest.mark.parametrize("task", list(Task))
@pytest.mark.parametrize("name", ["linear", "random_forest", "lightgbm"])
def test_each_learning_family_beats_the_baseline_on_fresh_rows(name, task):
    _, fitted, X_new, y_new = _fit(name, task)
    _, base, _, _ = _fit("baseline", task)
    metric = METRIC[task]
    mine = score(metric, y_new, fitted.estimator.predict_raw(X_new))
    theirs = score(metric, y_new, base.estimator.predict_raw(X_new))
    if task is Task.MULTICLASS:
        assert mine < theirs * 0.8
    else:
        assert mine > theirs + 0.2


def test_the_baseline_predicts_the_class_shares_and_the_mean():
    data, X_new, _ = make_problem(Task.MULTICLASS)
    proba = Baseline().fit(data, {}).estimator.predict_raw(X_new)
    np.testing.assert_allclose(proba[0], np.bincount(data.y, minlength=3) / len(data.y))
    reg, X_new, _ = make_problem(Task.REGRESSION)
    np.testing.assert_allclose(Baseline().fit(reg, {}).estimator.predict_raw(X_new), reg.y.mean())


def test_lightgbm_stops_early_and_refits_with_the_mean_best_iteration():
    family, fitted, _, _ = _fit("lightgbm", Task.BINARY)
    best = fitted.info["best_iteration"]
    assert 1 <= best < 2000
    assert fitted.estimator.booster.current_iteration() == best
    params = family.defaults(Task.BINARY, 300)[0]
    refit = family.refit_params(params, [{"best_iteration": 40}, {"best_iteration": 61}])
    assert refit["n_estimators"] == 50  # round(50.5) to even
    assert family.refit_params(params, [{"best_iteration": 2}])["n_estimators"] == 10


def test_linear_gives_an_absent_class_near_zero_probability():
    data, X_new, _ = make_problem(Task.MULTICLASS)
    keep = data.y != 2
    without = type(data)(
        X=data.X[keep], y=data.y[keep], w=None, task=Task.MULTICLASS, n_classes=3, seed=0, n_jobs=1
    )
    proba = Linear().fit(without, {"penalty": "l2", "C": 1.0}).estimator.predict_raw(X_new)
    assert proba.shape == (len(X_new), 3)
    assert proba[:, 2].max() < 1e-6


def test_linear_l1_regression_shrinks_noise_coefficients():
    data, _, _ = make_problem(Task.REGRESSION)
    fitted = Linear().fit(data, {"penalty": "l1", "l1_alpha": 0.1})
    coef = fitted.estimator.coef[0]
    assert abs(coef[0]) > abs(coef[1]) > 0
    assert np.count_nonzero(coef[2:]) <= 1


def test_balanced_weights_give_equal_total_weight_per_class():
    y = np.array([0] * 70 + [1] * 20 + [2] * 10)
    w = balanced_weights(y, 3)
    totals = np.bincount(y, weights=w)
    np.testing.assert_allclose(totals, len(y) / 3)
    assert w.sum() == pytest.approx(len(y))


def test_balanced_weights_tolerate_an_absent_class():
    w = balanced_weights(np.array([0, 0, 1]), 3)
    np.testing.assert_allclose(np.bincount(np.array([0, 0, 1]), weights=w), [1.0, 1.0])


def test_balanced_class_weight_raises_the_minority_probability():
    data, X_new, _ = make_problem(Task.BINARY)
    base = {"penalty": "l2", "C": 1.0}
    plain = Linear().fit(data, base | {"class_weight": "none"}).estimator.predict_raw(X_new)
    weighted = Linear().fit(data, base | {"class_weight": "balanced"}).estimator.predict_raw(X_new)
    assert weighted[:, 1].mean() > plain[:, 1].mean()
