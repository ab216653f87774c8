"""Decision: expected calibration error and reliability-diagram data (weighted, equal-width bins).

Binary looks at the positive class's probability (given alone, as an (n,) array, or as the
second of two columns); multiclass at the top class's confidence.
"""

from __future__ import annotations

from typing import Any

import numpy as np

BINS = 10


def confidence(proba: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The probability a reliability diagram plots, and whether it came true."""
    if proba.ndim == 1 or proba.shape[1] == 2:
        return _positive(proba), (y == 1).astype(np.float64)
    top = np.argmax(proba, axis=1)
    return proba[np.arange(len(y)), top], (top == y).astype(np.float64)


def reliability(proba: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, Any]:
    """ECE and, per bin, the mean predicted probability, the observed rate and the weight."""
    p, hit = confidence(proba, y)
    b = np.minimum((p * BINS).astype(np.int64), BINS - 1)
    weight = np.bincount(b, w, minlength=BINS)
    mean_p = np.bincount(b, w * p, minlength=BINS)
    observed = np.bincount(b, w * hit, minlength=BINS)
    used = weight > 0
    gap = np.abs(observed[used] - mean_p[used]).sum() / max(weight.sum(), 1e-300)
    rows = [
        {
            "low": k / BINS,
            "high": (k + 1) / BINS,
            "mean_predicted": float(mean_p[k] / weight[k]),
            "observed": float(observed[k] / weight[k]),
            "weight": float(weight[k]),
        }
        for k in range(BINS)
        if used[k]
    ]
    return {"ece": float(gap), "bins": rows}


def log_loss(proba: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    if proba.ndim == 1:
        p = np.where(y == 1, proba, 1.0 - proba)
    else:
        p = proba[np.arange(len(y)), y.astype(np.int64)]
    return float(-(w * np.log(np.clip(p, 1e-15, 1.0))).sum() / w.sum())


def brier(proba: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Binary: (p - y)^2 of the positive class; multiclass: the sum over classes."""
    if proba.ndim == 1 or proba.shape[1] == 2:
        return float((w * (_positive(proba) - (y == 1)) ** 2).sum() / w.sum())
    onehot = np.zeros_like(proba)
    onehot[np.arange(len(y)), y.astype(np.int64)] = 1.0
    return float((w * ((proba - onehot) ** 2).sum(axis=1)).sum() / w.sum())


def _positive(proba: np.ndarray) -> np.ndarray:
    return proba if proba.ndim == 1 else proba[:, 1]
