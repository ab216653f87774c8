"""A positive, skewed regression target: the boosted rung on log1p(target), back-transformed
with Duan's smearing, beats the same rung on the raw target where the noise is multiplicative;
it saves and reloads exactly; and only a skewed, non-negative target gets it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shipml.candidates import FitData
from shipml.candidates.boosting import LightGBM
from shipml.candidates.ladder import build_ladder
from shipml.candidates.target_transform import LogTarget, skewed
from shipml.core.enums import Task
from shipml.runtime.estimators import LogTargetEstimator, load_estimator
from shipml.spec.model import ModelSpec


def _multiplicative(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.exp(1.0 + 0.8 * X[:, 0] - 0.5 * X[:, 1] * X[:, 2] + rng.normal(0, 0.6, n))
    return X, y


def test_the_log_rung_beats_the_raw_one_on_a_multiplicative_target() -> None:
    X, y = _multiplicative(3000, seed=1)
    X_new, y_new = _multiplicative(3000, seed=2)
    data = FitData(X=X, y=y, w=None, task=Task.REGRESSION, n_classes=1, seed=0, n_jobs=1)
    params = LightGBM().defaults(Task.REGRESSION, len(y))[0] | {"n_estimators": 200}
    raw = LightGBM().fit(data, params).estimator.predict_raw(X_new)
    fitted = LogTarget(LightGBM()).fit(data, params)
    logged = fitted.estimator.predict_raw(X_new)
    rmse = lambda p: float(np.sqrt(np.mean((p - y_new) ** 2)))  # noqa: E731
    assert rmse(logged) < rmse(raw)
    smear = fitted.info["smearing"]
    assert 1.0 < smear < 1.5  # exp(residual) averages above 1: the median is below the mean
    uncorrected = (logged + 1) / smear - 1  # expm1 of the log-scale prediction: the median
    assert abs(logged.mean() - y_new.mean()) < abs(uncorrected.mean() - y_new.mean())


def test_the_log_model_saves_and_reloads_exactly(tmp_path: Path) -> None:
    X, y = _multiplicative(500, seed=3)
    data = FitData(X=X, y=y, w=None, task=Task.REGRESSION, n_classes=1, seed=0, n_jobs=1)
    params = LightGBM().defaults(Task.REGRESSION, len(y))[0] | {"n_estimators": 30}
    est = LogTarget(LightGBM()).fit(data, params).estimator
    assert isinstance(est, LogTargetEstimator)
    meta = est.save(tmp_path)
    again = load_estimator(meta, tmp_path, Task.REGRESSION)
    np.testing.assert_array_equal(again.predict_raw(X), est.predict_raw(X))
    assert meta["files"] == ["inner/model.lgb.txt"]


def test_only_a_skewed_non_negative_target_gets_the_log_rung() -> None:
    rng = np.random.default_rng(0)
    assert skewed(np.exp(rng.normal(0, 1, 500)))
    assert not skewed(rng.normal(10, 1, 500))  # symmetric
    assert not skewed(np.r_[-1.0, np.exp(rng.normal(0, 1, 500))])  # a negative value
    spec = ModelSpec.model_validate({"name": "p", "data": {"train": "t.csv"},
                                     "target": {"column": "y"}})  # fmt: skip
    names = [f.name for f in build_ladder(spec, "regression", skewed_target=True)]
    assert "lightgbm_log" in names
    assert "lightgbm_log" not in [f.name for f in build_ladder(spec, "regression")]
    assert "lightgbm_log" not in [f.name for f in build_ladder(spec, "binary", skewed_target=True)]
