"""Explain: calibration, threshold and cost curves of a binary model, from stored scores.

A fallback for bundles without `decision.json`: threshold and cost curves read the out-of-fold
scores (where a decision layer chooses); the calibration curve reads the test predictions, as a
read-only check of the frozen model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

THRESHOLDS = np.round(np.linspace(0.02, 0.98, 49), 2)


@dataclass(frozen=True, slots=True)
class Curve:
    x: np.ndarray
    y: np.ndarray


def calibration_curve(y: np.ndarray, p: np.ndarray, bins: int = 10) -> Curve:
    """Mean predicted probability against the observed positive rate, in quantile bins."""
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, max(len(edges) - 2, 0))
    counts = np.bincount(which, minlength=len(edges) - 1)
    keep = counts > 0
    mean_p = np.bincount(which, weights=p, minlength=len(counts))[keep] / counts[keep]
    rate = np.bincount(which, weights=y.astype(float), minlength=len(counts))[keep] / counts[keep]
    return Curve(mean_p, rate)


def threshold_curves(y: np.ndarray, p: np.ndarray) -> dict[str, Curve]:
    """Precision, recall and F1 of `p >= t` for each threshold t."""
    y = y.astype(bool)
    decided = p[None, :] >= THRESHOLDS[:, None]
    tp = (decided & y).sum(axis=1)
    flagged = decided.sum(axis=1)
    positives = max(int(y.sum()), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(flagged > 0, tp / flagged, np.nan)
        recall = tp / positives
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0)
    return {
        "precision": Curve(THRESHOLDS, precision),
        "recall": Curve(THRESHOLDS, recall),
        "F1": Curve(THRESHOLDS, f1),
    }


def cost_curve(y: np.ndarray, p: np.ndarray, weights: Mapping[str, float]) -> Curve:
    """Expected cost per row of deciding `p >= t`, for each threshold t."""
    y = y.astype(bool)
    decided = p[None, :] >= THRESHOLDS[:, None]
    cells = {
        "tp": (decided & y).sum(axis=1),
        "fp": (decided & ~y).sum(axis=1),
        "fn": (~decided & y).sum(axis=1),
        "tn": (~decided & ~y).sum(axis=1),
    }
    total = sum(weights[k] * cells[k] for k in cells)
    return Curve(THRESHOLDS, np.asarray(total, dtype=float) / max(len(y), 1))


@dataclass(frozen=True, slots=True)
class RankingCurves:
    """ROC and precision-recall curves of one positive score, with their areas (weighted when
    the rows carry weights): the figures' captions quote these very numbers."""

    roc: Curve  # false positive rate -> true positive rate
    auc: float
    pr: Curve  # recall -> precision
    average_precision: float
    prevalence: float  # the positive share: a score that knows nothing has this precision


def ranking_curves(y: np.ndarray, p: np.ndarray, w: np.ndarray | None = None) -> RankingCurves:
    """ROC (scikit-learn's `roc_curve`, area by the trapezoid rule, so `roc_auc_score`) and
    precision-recall (`precision_recall_curve`, `average_precision_score`)."""
    from sklearn import metrics as skm

    y = np.asarray(y).astype(bool)
    fpr, tpr, _ = skm.roc_curve(y, p, sample_weight=w)
    precision, recall, _ = skm.precision_recall_curve(y, p, sample_weight=w)
    weights = np.ones(len(y)) if w is None else np.asarray(w, dtype=np.float64)
    return RankingCurves(
        roc=Curve(fpr, tpr),
        auc=float(skm.auc(fpr, tpr)),
        pr=Curve(recall, precision),
        average_precision=float(skm.average_precision_score(y, p, sample_weight=w)),
        prevalence=float(weights[y].sum() / max(weights.sum(), 1e-300)),
    )
