"""Candidates: a regression rung learned after a linear trend in time is taken out.

Under time-ordered validation a tree cannot follow a trend past the last time it saw: it
answers the last level it learned. `Detrended` fits a linear trend of the target on the time
column's position in years (year + (day of year - 1) / 365.25, from the datetime step's
unscaled features: the boosted rung's matrix), fits the inner rung on what the trend leaves,
and answers trend + the inner prediction. Cross-validation (time-ordered) scores it beside the
raw rung and picks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shipml.candidates.family import FitData, Fitted, Params
from shipml.candidates.wrapped import Wrapped
from shipml.runtime.estimators import DetrendedEstimator

TIME_PARTS = ("year", "dayofyear")  # the datetime step's features that place a row in time


@dataclass(frozen=True)
class Detrended(Wrapped):
    time_column: str = ""

    @property
    def name(self) -> str:
        return f"{self.inner.name}_detrended"

    def fit(self, data: FitData, params: Params) -> Fitted:
        columns = time_columns(data.feature_names, self.time_column)
        fill = np.nanmean(data.X[:, columns], axis=0)
        fill = np.where(np.isfinite(fill), fill, 0.0)
        coef = _trend(data.X[:, columns], fill, data.y, data.w)
        trend = DetrendedEstimator.trend_of(data.X, columns, fill, coef)
        es_trend = (
            None
            if data.X_es is None
            else DetrendedEstimator.trend_of(data.X_es, columns, fill, coef)
        )
        rest = dataclasses.replace(
            data,
            y=data.y - trend,
            y_es=None if data.y_es is None or es_trend is None else data.y_es - es_trend,
        )
        fitted = self.inner.fit(rest, params)
        estimator = DetrendedEstimator(
            fitted.estimator, tuple(columns), tuple(fill.tolist()), tuple(coef.tolist()), data.task
        )
        slope = float(coef[1]) if len(coef) > 1 else 0.0
        return Fitted(estimator, {**fitted.info, "trend_per_year": slope})


def time_columns(names: Sequence[str], time_column: str) -> list[int]:
    """The positions of the time column's year and day-of-year features."""
    wanted = [f"{time_column}.{p}" for p in TIME_PARTS]
    missing = [w for w in wanted if w not in names]
    if missing:
        raise ValueError(f"the matrix has no {missing} feature to take a trend in time from")
    return [list(names).index(w) for w in wanted]


def _trend(T: np.ndarray, fill: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Least-squares intercept and slope per year of y on the time in years (weighted)."""
    A = np.column_stack([np.ones(len(T)), DetrendedEstimator.years(T, fill)])
    sw = np.sqrt(np.ones(len(T)) if w is None else np.asarray(w, dtype=np.float64))
    coef, *_ = np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)
    return np.asarray(coef, dtype=np.float64)
