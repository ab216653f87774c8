"""Candidates: a family learned one parent node at a time, for a path task (hierarchical).

`PerNode` wraps any rung: at every node of the taxonomy with more than one option (its
children, and the node itself when it is also a class), it fits the rung over those options
on the rows under the node, each node a task of the kind's `node_task` (multiclass). The
class probabilities are the products down each path (`NodewiseEstimator`), so they sum to 1
and agree with the tree. Hyperparameters are shared across nodes and tuned on the task's
metric; the refit keeps each node's own early-stopped rounds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shipml.candidates.family import FitData, Fitted, Params
from shipml.candidates.wrapped import Wrapped, refit_in_parts
from shipml.core.enums import TaskName
from shipml.data.taxonomy import ROOT, Taxonomy, taxonomy_of
from shipml.runtime.estimators import NodeModel, NodewiseEstimator
from shipml.tasks import task_kind

PER_NODE_KEY = "per_node"  # refit params: one inner params dict per node


@dataclass(frozen=True)
class PerNode(Wrapped):
    @property
    def name(self) -> str:
        return f"{self.inner.name}_per_node"

    def inner_task(self, task: TaskName) -> TaskName:
        return _node_task(task)

    def fit(self, data: FitData, params: Params) -> Fitted:
        tax = taxonomy_of(data.classes)
        per_node = params.get(PER_NODE_KEY)
        base = {k: v for k, v in params.items() if k != PER_NODE_KEY}
        models: list[NodeModel] = []
        info: dict[str, float] = {}
        for v in tax.inner:
            key = "root" if v == ROOT else str(v)
            model, fitted = self._fit_node(
                tax, v, data, base if per_node is None else per_node[key]
            )
            models.append(model)
            if fitted is not None:
                info |= {f"{name}@{key}": value for name, value in fitted.info.items()}
        return Fitted(NodewiseEstimator(data.classes, tuple(models), data.task), info)

    def _fit_node(
        self, tax: Taxonomy, v: int, data: FitData, params: Params
    ) -> tuple[NodeModel, Fitted | None]:
        options = tax.options(v)
        position = option_of_class(tax, v)
        at = position[data.y]
        rows = np.flatnonzero(at >= 0)
        present = tuple(int(p) for p in np.unique(at[rows]))
        if len(present) < 2:
            return NodeModel(v, options, present or (0,), None), None
        code = {p: i for i, p in enumerate(present)}
        y_node = np.array([code[p] for p in at[rows]], dtype=np.int64)
        X_es = y_es = w_es = None
        if data.X_es is not None and data.y_es is not None:
            at_es = position[data.y_es]
            keep = np.flatnonzero(np.isin(at_es, present))
            if len(keep):
                X_es, y_es = data.X_es[keep], np.array([code[p] for p in at_es[keep]])
                w_es = None if data.w_es is None else data.w_es[keep]
        one = dataclasses.replace(
            data,
            X=data.X[rows],
            y=y_node,
            w=None if data.w is None else data.w[rows],
            task=_node_task(data.task),
            n_classes=len(present),
            X_es=X_es,
            y_es=y_es,
            w_es=w_es,
            classes=(),
        )
        fitted = self.inner.fit(one, params)
        return NodeModel(v, options, present, fitted.estimator), fitted

    def refit_params(self, params: Params, infos: Sequence[Mapping[str, float]]) -> Params:
        return refit_in_parts(self.inner, params, infos, PER_NODE_KEY)


def option_of_class(tax: Taxonomy, v: int) -> np.ndarray:
    """For each class, its option's position at node `v` (-1: the class is not under `v`)."""
    out = np.full(tax.n_classes, -1, dtype=np.int64)
    for i, o in enumerate(tax.options(v)):
        if o == v:
            out[v] = i
        else:
            out[tax.below[:, o] > 0] = i
    return out


def _node_task(task: TaskName) -> TaskName:
    inner = task_kind(task).node_task
    if inner is None:
        raise ValueError(f"the {task} task is not learned one node at a time")
    return inner
