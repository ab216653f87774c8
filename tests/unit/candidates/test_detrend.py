"""The detrended rung: the trend is read from the time column's year and day-of-year features,
the inner rung learns what it leaves, the answer keeps rising past the last day trained on; it
saves and reloads exactly; a matrix without those features is refused by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shipml.candidates import FitData
from shipml.candidates.boosting import LightGBM
from shipml.candidates.detrend import Detrended
from shipml.core.enums import Task
from shipml.runtime.estimators import load_estimator

NAMES = ("x", "day.year", "day.month", "day.dayofyear")


def _rows(start: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    days = np.datetime64("2021-01-01") + np.arange(start, start + n)
    year = days.astype("datetime64[Y]").astype(int) + 1970.0
    doy = (days - days.astype("datetime64[Y]")).astype(int) + 1.0
    month = days.astype("datetime64[M]").astype(int) % 12 + 1.0
    x = rng.normal(size=n)
    y = 10.0 + 0.05 * np.arange(start, start + n) + np.sin(x) + rng.normal(0, 0.2, n)
    return np.column_stack([x, year, month, doy]), y


def test_the_detrended_tree_follows_the_trend_past_its_last_day(tmp_path: Path) -> None:
    X, y = _rows(0, 700, seed=1)
    data = FitData(X=X, y=y, w=None, task=Task.REGRESSION, n_classes=1, seed=0, n_jobs=1,
                   feature_names=NAMES)  # fmt: skip
    params = LightGBM().defaults(Task.REGRESSION, len(y))[0] | {"n_estimators": 100}
    fitted = Detrended(LightGBM(), "day").fit(data, params)
    raw = LightGBM().fit(data, params).estimator
    later, truth = _rows(800, 100, seed=2)  # 100 to 200 days after the last one trained on
    rmse = lambda p: float(np.sqrt(np.mean((p - truth) ** 2)))  # noqa: E731
    assert rmse(fitted.estimator.predict_raw(later)) < 0.25 * rmse(raw.predict_raw(later))
    assert fitted.info["trend_per_year"] == pytest.approx(0.05 * 365.25, rel=0.05)
    meta = fitted.estimator.save(tmp_path)
    again = load_estimator(meta, tmp_path, Task.REGRESSION)
    np.testing.assert_array_equal(again.predict_raw(later), fitted.estimator.predict_raw(later))


def test_a_matrix_without_the_time_features_is_refused_by_name() -> None:
    X, y = _rows(0, 50, seed=1)
    data = FitData(X=X, y=y, w=None, task=Task.REGRESSION, n_classes=1, seed=0, n_jobs=1,
                   feature_names=("x", "a", "b", "c"))  # fmt: skip
    with pytest.raises(ValueError, match=r"day\.year"):
        Detrended(LightGBM(), "day").fit(data, LightGBM().defaults(Task.REGRESSION, 50)[0])
