"""Decision: expected calibration error and reliability-diagram data (weighted, equal-width bins).

The geometry (`geometry.py`) says what is read: the positive class's probability for the
threshold policy, the top class's confidence for the argmax policy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shipml.decision.geometry import Geometry

BINS = 10


def reliability(
    geometry: Geometry, proba: np.ndarray, y: np.ndarray, w: np.ndarray
) -> dict[str, Any]:
    """ECE and, per bin, the mean predicted probability, the observed rate and the weight."""
    p, hit = geometry.confidence(proba, y)
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


def log_loss(geometry: Geometry, proba: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    p = geometry.true_class_probability(proba, y)
    return float(-(w * np.log(np.clip(p, 1e-15, 1.0))).sum() / w.sum())


def brier(geometry: Geometry, proba: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Positive: (p - y)^2; classes: the sum over classes."""
    return float((w * geometry.squared_error(proba, y)).sum() / w.sum())
