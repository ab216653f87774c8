"""Evaluation: what a path policy's decisions yield on labelled rows: hierarchical precision,
recall and F1 at the policy's stopping rule, the accuracy at each level of the tree, the macro
F1 over the classes, and how many rows the rule stopped above a class."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from shipml.data.taxonomy import taxonomy_of
from shipml.framing.path_metrics import decided_leaf_f1_macro, hierarchical_scores


def path_decision_metrics(
    y: np.ndarray, decided: np.ndarray, w: np.ndarray, classes: Sequence[object]
) -> dict[str, Any]:
    tax = taxonomy_of(tuple(str(c) for c in classes))
    y = np.asarray(y, dtype=np.int64)
    decided = np.asarray(decided, dtype=np.int64)
    w = np.asarray(w, dtype=np.float64)
    precision, recall, f1 = hierarchical_scores(w @ tax.counts(y, decided)).tolist()
    levels = []
    for level in range(1, tax.levels + 1):
        truth, chosen = tax.at_level(y, level), tax.at_level(decided, level)
        scored = truth >= 0  # rows whose true class reaches this level
        total = float(w[scored].sum())
        right = float(w[scored & (truth == chosen)].sum())
        answered = float(w[scored & (chosen >= 0)].sum())
        levels.append(
            {
                "level": level,
                "rows": int(scored.sum()),
                "accuracy": right / total if total > 0 else float("nan"),
                "answered": answered / total if total > 0 else float("nan"),
            }
        )
    stopped = tax.depth[decided] < tax.depth[y]  # decided above the true class
    return {
        "hierarchical_precision": precision,
        "hierarchical_recall": recall,
        "hierarchical_f1": f1,
        "leaf_f1_macro": decided_leaf_f1_macro(y, decided, w, tax.n_classes),
        "accuracy": float(w[decided == y].sum() / w.sum()) if w.sum() > 0 else float("nan"),
        "levels": levels,
        "stopped_early": float(w[stopped].sum() / w.sum()) if w.sum() > 0 else float("nan"),
        "classes": tax.n_classes,
    }
