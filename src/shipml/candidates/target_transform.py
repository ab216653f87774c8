"""Candidates: a regression rung learned on log1p(target), for a positive, skewed target.

`LogTarget` wraps a rung: it fits the inner family on log1p(y) (early stopping too) and answers
on the original scale, expm1 of the prediction corrected by Duan's (1983) smearing factor, the
mean of exp(residual) on the training rows, so the answer estimates the mean of y rather than
its median: exp(f(x)) * smear - 1. Cross-validation scores it on the original scale against the
untransformed rungs, and picks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from shipml.candidates.family import FitData, Fitted, Params
from shipml.candidates.wrapped import Wrapped
from shipml.runtime.estimators import LogTargetEstimator

SKEW = 1.0  # a positive target more skewed than this also gets a log1p rung


def skewed(y: np.ndarray) -> bool:
    """A non-negative target whose sample skewness exceeds `SKEW`."""
    y = np.asarray(y, dtype=np.float64)
    if len(y) < 20 or y.min() < 0 or y.std() == 0:
        return False
    z = (y - y.mean()) / y.std()
    return bool(np.mean(z**3) > SKEW)


@dataclass(frozen=True)
class LogTarget(Wrapped):
    @property
    def name(self) -> str:
        return f"{self.inner.name}_log"

    def fit(self, data: FitData, params: Params) -> Fitted:
        logged = dataclasses.replace(
            data,
            y=np.log1p(data.y),
            y_es=None if data.y_es is None else np.log1p(data.y_es),
        )
        fitted = self.inner.fit(logged, params)
        residual = logged.y - fitted.estimator.predict_raw(data.X)
        w = np.ones(len(residual)) if data.w is None else np.asarray(data.w, dtype=np.float64)
        smear = float(np.average(np.exp(np.clip(residual, -50, 50)), weights=w))
        estimator = LogTargetEstimator(fitted.estimator, smear, data.task)
        return Fitted(estimator, {**fitted.info, "smearing": smear})
