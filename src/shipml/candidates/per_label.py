"""Candidates: a family learned one label at a time, for a label-set task (multilabel).

`PerLabel` wraps any rung: binary relevance fits it once per label, on the same rows and
features, each label a binary task (the task kind's `label_task`); a classifier chain orders
the labels by frequency (most frequent first) and gives each label's model the labels before
it as extra 0/1 columns: the true labels in training, its own decisions (p >= 0.5) when
predicting. Hyperparameters are shared across labels and tuned on the task's metric; the refit
keeps each label's own early-stopped rounds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shipml.candidates.family import FitData, Fitted, Params
from shipml.candidates.wrapped import Wrapped, refit_in_parts
from shipml.core.enums import TaskName
from shipml.runtime.estimators import LabelwiseEstimator
from shipml.tasks import task_kind

PER_LABEL_KEY = "per_label"  # refit params: one inner params dict per label


@dataclass(frozen=True)
class PerLabel(Wrapped):
    chain: bool = False

    @property
    def name(self) -> str:
        return f"{self.inner.name}_chain" if self.chain else self.inner.name

    @property
    def cost_rank(self) -> int:
        return self.inner.cost_rank + (1 if self.chain else 0)

    def inner_task(self, task: TaskName) -> TaskName:
        return _label_task(task)

    def fit(self, data: FitData, params: Params) -> Fitted:
        Y, n_labels = data.y, data.y.shape[1]
        order = _chain_order(Y) if self.chain else tuple(range(n_labels))
        per_label = params.get(PER_LABEL_KEY)
        base = {k: v for k, v in params.items() if k != PER_LABEL_KEY}
        fitted: dict[int, Fitted] = {}
        for i, j in enumerate(order):
            before = list(order[:i]) if self.chain else []
            one = dataclasses.replace(
                data,
                X=_with_labels(data.X, Y, before),
                y=Y[:, j],
                task=_label_task(data.task),
                n_classes=2,
                X_es=None if data.X_es is None else _with_labels(data.X_es, data.y_es, before),
                y_es=None if data.y_es is None else data.y_es[:, j],
            )
            fitted[j] = self.inner.fit(one, base if per_label is None else per_label[str(j)])
        estimators = tuple(fitted[j].estimator for j in range(n_labels))
        info = {f"{key}@{j}": v for j, f in fitted.items() for key, v in f.info.items()}
        chain = order if self.chain else None
        return Fitted(LabelwiseEstimator(estimators, chain, data.task), info)

    def refit_params(self, params: Params, infos: Sequence[Mapping[str, float]]) -> Params:
        return refit_in_parts(self.inner, params, infos, PER_LABEL_KEY)


def _label_task(task: TaskName) -> TaskName:
    inner = task_kind(task).label_task
    if inner is None:
        raise ValueError(f"the {task} task is not learned one label at a time")
    return inner


def _chain_order(Y: np.ndarray) -> tuple[int, ...]:
    counts = Y.sum(axis=0)
    return tuple(int(j) for j in sorted(range(Y.shape[1]), key=lambda j: (-counts[j], j)))


def _with_labels(X: np.ndarray, Y: np.ndarray | None, before: list[int]) -> np.ndarray:
    if not before or Y is None:
        return X
    return np.column_stack([X, Y[:, before].astype(X.dtype)])
