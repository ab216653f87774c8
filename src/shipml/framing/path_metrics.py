"""Framing: the metrics of a path task, which read the taxonomy of the classes.

Each one walks the class probabilities down the tree (`Taxonomy.walk`, at the policy's stopping
share: 0 decides down to a class) and scores
the decided node against the true class: hierarchical precision, recall and F1 (Kiritchenko et
al. 2005: a path's nodes, ancestors included, so the right branch earns partial credit), and
the macro F1 over the classes (a class decided or true on some row), where a row decided above
a class counts as a miss of its true class.
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

from shipml.data.taxonomy import Taxonomy


def path_counts(y: np.ndarray, p: np.ndarray, tax: Taxonomy, stop_below: float) -> np.ndarray:
    """(overlap, decided length, true length) per row, walking at `stop_below`."""
    return tax.counts(y, tax.walk(p, stop_below))


def _totals(
    y: np.ndarray, p: np.ndarray, w: np.ndarray | None, tax: Taxonomy, stop: float
) -> np.ndarray:
    c = path_counts(y, p, tax, stop)
    weights = np.ones(len(c)) if w is None else np.asarray(w, dtype=np.float64)
    return weights @ c


def hierarchical_scores(totals: np.ndarray) -> np.ndarray:
    """Hierarchical precision, recall and F1 from (overlap, decided, true) path-node totals
    (the last axis; any leading shape, as resamples); NaN where a total is 0."""
    overlap, decided, true = np.moveaxis(np.asarray(totals, dtype=np.float64), -1, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.stack([overlap / decided, overlap / true, 2 * overlap / (decided + true)], -1)


def hierarchical_precision(
    y: np.ndarray, p: np.ndarray, w: np.ndarray | None, tax: Taxonomy, stop: float = 0.0
) -> float:
    return float(hierarchical_scores(_totals(y, p, w, tax, stop))[0])


def hierarchical_recall(
    y: np.ndarray, p: np.ndarray, w: np.ndarray | None, tax: Taxonomy, stop: float = 0.0
) -> float:
    return float(hierarchical_scores(_totals(y, p, w, tax, stop))[1])


def hierarchical_f1(
    y: np.ndarray, p: np.ndarray, w: np.ndarray | None, tax: Taxonomy, stop: float = 0.0
) -> float:
    return float(hierarchical_scores(_totals(y, p, w, tax, stop))[2])


def leaf_f1_macro(
    y: np.ndarray, p: np.ndarray, w: np.ndarray | None, tax: Taxonomy, stop: float = 0.0
) -> float:
    decided = tax.walk(p, stop)
    return decided_leaf_f1_macro(np.asarray(y, dtype=np.int64), decided, w, tax.n_classes)


def decided_leaf_f1_macro(
    y: np.ndarray, decided: np.ndarray, w: np.ndarray | None, n_classes: int
) -> float:
    labels = sorted(set(np.unique(y).tolist()) | set(np.unique(decided[decided < n_classes])))
    return float(
        skm.f1_score(y, decided, labels=labels, average="macro", sample_weight=w, zero_division=0)
    )
