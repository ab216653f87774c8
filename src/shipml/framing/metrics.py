"""Framing: metric definitions (direction, what they read) and the default primary metric."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm

from shipml.core.enums import Metric, TaskName
from shipml.data.taxonomy import Taxonomy, taxonomy_of
from shipml.framing import path_metrics as pm
from shipml.tasks import task_kind

Scorer = Callable[[np.ndarray, np.ndarray, np.ndarray | None], float]
TreeScorer = Callable[[np.ndarray, np.ndarray, np.ndarray | None, Taxonomy, float], float]


@dataclass(frozen=True, slots=True)
class MetricDef:
    metric: Metric
    greater_is_better: bool
    perfect: float
    scorer: Scorer
    tree: TreeScorer | None = None  # a path metric: reads the taxonomy of the classes

    def better(self, a: float, b: float) -> bool:
        return a > b if self.greater_is_better else a < b


def _pos(p: np.ndarray) -> np.ndarray:
    """The positive class's column of (n, 2) class probabilities."""
    return p[:, 1]


def _label(p: np.ndarray) -> np.ndarray:
    """The most probable class of (n, k) class probabilities (or a one-hot decision); -1 for a
    row of zeros (a decision that is no class: a path stopped above the classes)."""
    return np.where(p.max(axis=1) > 0, np.argmax(p, axis=1), -1)


def _safe(fn: Scorer) -> Scorer:
    def wrapped(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
        try:
            return float(fn(y, p, w))
        except ValueError:  # e.g. one class only in a small fold
            return float("nan")

    return wrapped


def _log_loss(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    labels = list(range(p.shape[1]))
    return float(skm.log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), sample_weight=w, labels=labels))


def _auc_ovr(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    labels = list(range(p.shape[1]))
    return float(skm.roc_auc_score(y, p, sample_weight=w, multi_class="ovr", labels=labels))


def _auc(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.roc_auc_score(y, _pos(p), sample_weight=w))


def _ap(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.average_precision_score(y, _pos(p), sample_weight=w))


def _brier(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.brier_score_loss(y, _pos(p), sample_weight=w))


def _accuracy(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.accuracy_score(y, _label(p), sample_weight=w))


def _balanced(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.balanced_accuracy_score(y, _label(p), sample_weight=w))


def _f1(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.f1_score(y, _label(p), sample_weight=w, zero_division=0))


def _macro_f1(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.f1_score(y, _label(p), average="macro", sample_weight=w, zero_division=0))


def _rmse(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.root_mean_squared_error(y, p, sample_weight=w))


def _mae(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.mean_absolute_error(y, p, sample_weight=w))


def _r2(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.r2_score(y, p, sample_weight=w))


def _sets(p: np.ndarray) -> np.ndarray:
    """Label sets of (n, L) label probabilities at 0.5 (a policy's 0/1 sets pass unchanged)."""
    return (p >= 0.5).astype(np.int64)


def _f1_micro(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.f1_score(y, _sets(p), average="micro", sample_weight=w, zero_division=0))


def _f1_macro(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.f1_score(y, _sets(p), average="macro", sample_weight=w, zero_division=0))


def _subset_accuracy(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.accuracy_score(y, _sets(p), sample_weight=w))


def _hamming(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.hamming_loss(y, _sets(p), sample_weight=w))


def _lrap(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    return float(skm.label_ranking_average_precision_score(y, p, sample_weight=w))


def _needs_tree(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> float:
    raise TypeError("a path metric reads the taxonomy: call score(..., classes=the classes)")


DEFINITIONS: dict[Metric, MetricDef] = {
    d.metric: d
    for d in (
        MetricDef(Metric.ROC_AUC, True, 1.0, _auc),
        MetricDef(Metric.AVERAGE_PRECISION, True, 1.0, _ap),
        MetricDef(Metric.LOG_LOSS, False, 0.0, _log_loss),
        MetricDef(Metric.BRIER, False, 0.0, _brier),
        MetricDef(Metric.ACCURACY, True, 1.0, _accuracy),
        MetricDef(Metric.BALANCED_ACCURACY, True, 1.0, _balanced),
        MetricDef(Metric.F1, True, 1.0, _f1),
        MetricDef(Metric.MACRO_F1, True, 1.0, _macro_f1),
        MetricDef(Metric.ROC_AUC_OVR, True, 1.0, _auc_ovr),
        MetricDef(Metric.RMSE, False, 0.0, _rmse),
        MetricDef(Metric.MAE, False, 0.0, _mae),
        MetricDef(Metric.R2, True, 1.0, _r2),
        MetricDef(Metric.F1_MICRO, True, 1.0, _f1_micro),
        MetricDef(Metric.F1_MACRO, True, 1.0, _f1_macro),
        MetricDef(Metric.SUBSET_ACCURACY, True, 1.0, _subset_accuracy),
        MetricDef(Metric.HAMMING_LOSS, False, 0.0, _hamming),
        MetricDef(Metric.LABEL_RANKING_AVERAGE_PRECISION, True, 1.0, _lrap),
        *(
            MetricDef(m, True, 1.0, _needs_tree, tree)
            for m, tree in (
                (Metric.HIERARCHICAL_F1, pm.hierarchical_f1),
                (Metric.HIERARCHICAL_PRECISION, pm.hierarchical_precision),
                (Metric.HIERARCHICAL_RECALL, pm.hierarchical_recall),
                (Metric.LEAF_F1_MACRO, pm.leaf_f1_macro),
            )
        ),
    )
}


def score(
    metric: Metric,
    y: np.ndarray,
    pred: np.ndarray,
    w: np.ndarray | None = None,
    classes: Sequence[object] = (),
    stop_below: float = 0.0,
) -> float:
    """Score predictions (class probabilities or values) with a metric, NaN when undefined;
    a path metric reads the taxonomy of `classes` (the frame's classes) and decides by walking
    it at `stop_below` (the path policy's stopping share; 0: down to a class)."""
    d = DEFINITIONS[metric]
    if d.tree is not None:
        tax = taxonomy_of(tuple(str(c) for c in classes))
        tree = d.tree
        return _safe(lambda y_, p_, w_: tree(y_, p_, w_, tax, stop_below))(y, pred, w)
    return _safe(d.scorer)(y, pred, w)


def default_metrics(
    task: TaskName, positive_share: float | None
) -> tuple[Metric, list[Metric], str]:
    """The primary metric suited to the task and class balance, secondaries, and why."""
    chosen = task_kind(task).metrics_for(positive_share)
    return chosen.primary, list(chosen.secondary), chosen.why
