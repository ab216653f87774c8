"""Candidates: a regression rung learned on log1p(target), for a positive, skewed target.

`LogTarget` wraps a rung: it fits the inner family on log1p(y) (early stopping too) and answers
on the original scale, expm1 of the prediction corrected by Duan's (1983) smearing factor, the
mean of exp(residual) on the training rows, so the answer estimates the mean of y rather than
its median: exp(f(x)) * smear - 1. Cross-validation scores it on the original scale against the
untransformed rungs, and picks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shipml.candidates.family import Family, FitData, Fitted, Params, Trial
from shipml.core.enums import TaskName
from shipml.runtime.estimators import LogTargetEstimator
from shipml.runtime.preprocess import PreprocessConfig

SKEW = 1.0  # a positive target more skewed than this also gets a log1p rung


def skewed(y: np.ndarray) -> bool:
    """A non-negative target whose sample skewness exceeds `SKEW`."""
    y = np.asarray(y, dtype=np.float64)
    if len(y) < 20 or y.min() < 0 or y.std() == 0:
        return False
    z = (y - y.mean()) / y.std()
    return bool(np.mean(z**3) > SKEW)


@dataclass(frozen=True)
class LogTarget:
    inner: Family

    @property
    def name(self) -> str:
        return f"{self.inner.name}_log"

    @property
    def cost_rank(self) -> int:
        return self.inner.cost_rank + 1

    @property
    def preprocess(self) -> PreprocessConfig:
        return self.inner.preprocess

    @property
    def early_stopping(self) -> bool:
        return self.inner.early_stopping

    def defaults(self, task: TaskName, n_rows: int) -> list[Params]:
        return self.inner.defaults(task, n_rows)

    def suggest(self, trial: Trial, task: TaskName, n_rows: int) -> Params:
        return self.inner.suggest(trial, task, n_rows)

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

    def refit_params(self, params: Params, infos: Sequence[Mapping[str, float]]) -> Params:
        return self.inner.refit_params(params, infos)
