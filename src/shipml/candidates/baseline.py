"""Candidates: the baseline rung, the class priors or the (weighted) mean of the target."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from shipml.candidates.family import FitData, Fitted, Params, Trial
from shipml.core.enums import TaskName
from shipml.runtime.estimators import ConstantEstimator
from shipml.runtime.preprocess import PreprocessConfig
from shipml.tasks import task_kind


@dataclass(frozen=True)
class Baseline:
    name: str = "baseline"
    cost_rank: int = 0
    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    early_stopping: bool = False

    def defaults(self, task: TaskName, n_rows: int) -> list[Params]:
        return [{}]

    def suggest(self, trial: Trial, task: TaskName, n_rows: int) -> Params:
        return {}

    def fit(self, data: FitData, params: Params) -> Fitted:
        w = np.ones(len(data.y)) if data.w is None else data.w
        if task_kind(data.task).gives_values:
            values: tuple[float, ...] = (float(np.average(data.y, weights=w)),)
        else:
            shares = np.bincount(data.y, weights=w, minlength=data.n_classes) / w.sum()
            values = tuple(float(s) for s in shares)
        return Fitted(ConstantEstimator(values=values, task=data.task))

    def refit_params(self, params: Params, infos: Sequence[Mapping[str, float]]) -> Params:
        return params
