"""Decision: the binary rules, each a choice of one point on a threshold curve. They read any
leading shape, so the bootstrap re-chooses the threshold on every resample with the same code.
Ties go to the first point (the highest threshold).
"""

from __future__ import annotations

import numpy as np

from shipml.decision.curve import Counts
from shipml.spec.model import Decision

TOLERANCE = 1e-12


def rule_name(d: Decision) -> str:
    for name in ("costs", "recall_target", "precision_target", "metric", "fixed"):
        if getattr(d, name) is not None:
            return name
    return "default"


def pick(
    d: Decision, point: Counts, costs: np.ndarray, lower: dict[str, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The chosen index along the last axis and whether the target holds there. A target is
    checked on `lower` (the bootstrap's lower bounds per point) when given, else on `point`."""
    if d.recall_target is not None:
        recall = point.recall() if lower is None else lower["recall"]
        return _best(point.precision(), recall >= d.recall_target - TOLERANCE, recall)
    if d.precision_target is not None:
        precision = point.precision() if lower is None else lower["precision"]
        held = np.nan_to_num(precision, nan=-1.0) >= d.precision_target - TOLERANCE
        return _best(point.recall(), held, precision)
    if d.costs is not None:
        return _best(-point.cost(costs), None, None)
    return _best(point.objective(d.metric, d.beta), None, None)


def _best(
    objective: np.ndarray, feasible: np.ndarray | None, fallback: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    objective = np.where(np.isnan(objective), -np.inf, objective)
    if feasible is None or fallback is None:
        return np.asarray(np.argmax(objective, axis=-1)), np.ones(objective.shape[:-1], bool)
    held = np.asarray(feasible.any(axis=-1))
    chosen = np.argmax(np.where(feasible, objective, -np.inf), axis=-1)
    best_reachable = np.argmax(np.where(np.isnan(fallback), -np.inf, fallback), axis=-1)
    return np.where(held, chosen, best_reachable), held
