"""Evaluation: what a label-set policy's decisions yield on labelled rows, per label and in
the number of labels per row (predicted against true)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np


def stored_label_sets(values: Iterable[Any]) -> np.ndarray:
    """Label sets stored one 0/1 list per row (the bundle's `label` column) as (n, L)."""
    return np.stack([np.asarray(v, dtype=np.int64) for v in values])


def label_set_metrics(Y: np.ndarray, decided: np.ndarray, w: np.ndarray) -> dict[str, Any]:
    """Per label: support, precision, recall and F1 of the decided sets (weighted rows); the
    label-count distribution of the true and decided sets; and the share of exact sets."""
    w = np.asarray(w, dtype=np.float64)[:, None]
    tp = (w * (Y == 1) * (decided == 1)).sum(axis=0)
    fp = (w * (Y == 0) * (decided == 1)).sum(axis=0)
    fn = (w * (Y == 1) * (decided == 0)).sum(axis=0)
    per_label = []
    for j in range(Y.shape[1]):
        precision = tp[j] / (tp[j] + fp[j]) if tp[j] + fp[j] > 0 else float("nan")
        recall = tp[j] / (tp[j] + fn[j]) if tp[j] + fn[j] > 0 else float("nan")
        f1 = 2 * tp[j] / (2 * tp[j] + fp[j] + fn[j]) if tp[j] + fp[j] + fn[j] > 0 else 0.0
        per_label.append(
            {
                "support": int(Y[:, j].sum()),
                "decided": int(decided[:, j].sum()),
                "precision": float(precision),
                "recall": float(recall),
                "f1": float(f1),
            }
        )
    width = Y.shape[1] + 1
    true_counts = np.bincount(Y.sum(axis=1), minlength=width)
    decided_counts = np.bincount(decided.sum(axis=1), minlength=width)
    return {
        "per_label": per_label,
        "label_counts": {"true": true_counts.tolist(), "decided": decided_counts.tolist()},
        "mean_labels": {
            "true": float(Y.sum(axis=1).mean()),
            "decided": float(decided.sum(axis=1).mean()),
        },
        "exact_sets": float(np.mean(np.all(decided == Y, axis=1))),
    }
