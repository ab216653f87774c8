"""Decision: the multiclass policy. One-vs-rest calibration renormalized; then the class of
minimum expected cost under a cost matrix, or argmax, with class weights searched so each
per-class recall floor holds on the out-of-fold rows (where they can together).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from shipml.core.errors import DataContractError
from shipml.decision.calibration import calibrate
from shipml.decision.costs import cost_matrix
from shipml.decision.geometry import CLASSES
from shipml.decision.oof import OutOfFold
from shipml.decision.outcome import FIT_ON_OOF, DecisionOutcome
from shipml.runtime.policy import DecisionPolicy
from shipml.spec.model import Decision

ROUNDS = 200
MAX_WEIGHT = 1e6


def fit_multiclass(
    oof: OutOfFold, d: Decision, classes: Sequence[object], seed: int
) -> DecisionOutcome:
    raw = oof.scores
    orders = [np.argsort(raw[:, j]) for j in range(raw.shape[1])]
    cal = calibrate(oof, d.calibration, orders, CLASSES)
    labels = [str(c) for c in classes]
    costs = cost_matrix(d.costs, classes)
    weights, warnings = None, []
    if d.metric in WEIGHTED_METRICS:
        weights = metric_weights(cal.proba, oof.y, oof.weight, str(d.metric))
    elif d.class_recall_floors:
        floors = _floor_indices(d.class_recall_floors, labels)
        weights = recall_floor_weights(cal.proba, oof.y, oof.weight, floors)
        warnings = _unmet(cal.proba, oof.y, oof.weight, weights, floors, labels)
    policy = DecisionPolicy(
        rule="min_cost" if costs is not None else "argmax",
        calibrators=cal.calibrators,
        costs=None if costs is None else tuple(map(tuple, costs.tolist())),
        class_weights=None if weights is None else tuple(float(w) for w in weights),
    )
    decided = policy.decide(cal.proba)
    confusion = _confusion(oof.y, decided, oof.weight, len(labels))
    summary: dict[str, Any] = {
        "rule": policy.rule,
        "metric": d.metric if d.metric in WEIGHTED_METRICS else None,
        "fit_on": FIT_ON_OOF,
        "source": _source(d, costs is not None),
        "calibration": cal.kind,
        "oof": _metrics(confusion, labels, costs),
        "class_weights": None
        if weights is None
        else dict(zip(labels, weights.tolist(), strict=True)),
        "warnings": warnings,
    }
    policy = replace(policy, summary=summary)
    report = {"policy": summary, "calibration": cal.report, "oof_confusion": confusion.tolist()}
    return DecisionOutcome(policy, report, tuple(warnings))


WEIGHTED_METRICS = ("macro_f1", "balanced_accuracy")  # accuracy: argmax already maximizes it
GRID = np.exp(np.linspace(np.log(0.25), np.log(4.0), 17))  # multipliers tried per class


def metric_weights(proba: np.ndarray, y: np.ndarray, w: np.ndarray, metric: str) -> np.ndarray:
    """Class weights on the argmax that maximize `metric` on these rows: from 1 (macro F1) or
    the inverse class shares (balanced accuracy, whose optimum for calibrated probabilities
    that is), each class's weight in turn is scaled by the best of a grid of multipliers, for
    a few rounds or until nothing improves. Weights that do no better than argmax stay 1."""
    k = proba.shape[1]
    shares = np.bincount(y.astype(np.int64), w, minlength=k) / w.sum()
    start = np.ones(k) if metric == "macro_f1" else 1.0 / np.maximum(shares, 1e-12)
    plain = _metric(proba, y, w, np.ones(k), metric)
    weights = start / start.max()
    best = _metric(proba, y, w, weights, metric)
    for _ in range(4):
        before = best
        for c in range(k):
            for m in GRID:
                trial = weights.copy()
                trial[c] *= m
                got = _metric(proba, y, w, trial, metric)
                if got > best + 1e-12:
                    best, weights = got, trial
        if best <= before + 1e-9:
            break
    return weights / weights.max() if best > plain + 1e-12 else np.ones(k)


def _metric(
    proba: np.ndarray, y: np.ndarray, w: np.ndarray, weights: np.ndarray, metric: str
) -> float:
    k = proba.shape[1]
    decided = np.argmax(proba * weights, axis=1)
    c = _confusion(y, decided, w, k)
    tp, support, chosen = np.diag(c), c.sum(axis=1), c.sum(axis=0)
    if metric == "balanced_accuracy":
        present = support > 0
        return float(np.mean(tp[present] / support[present]))
    seen = (support + chosen) > 0
    return float(np.mean(2 * tp[seen] / (support + chosen)[seen]))


def recall_floor_weights(
    proba: np.ndarray, y: np.ndarray, w: np.ndarray, floors: dict[int, float]
) -> np.ndarray:
    """Raise the weight of the class furthest below its floor to the least value that lifts
    its recall to the floor (argmax of p * weight), until every floor holds or none can move."""
    weights = np.ones(proba.shape[1])
    for _ in range(ROUNDS):
        recall = _recalls(proba, y, w, weights)
        short = {c: f - recall[c] for c, f in floors.items() if recall[c] < f - 1e-12}
        if not short:
            break
        c = max(short, key=lambda k: short[k])
        needed = _weight_for(proba[y == c], w[y == c], weights, c, floors[c])
        if not needed > weights[c] or needed > MAX_WEIGHT:
            break
        weights[c] = needed
    return weights / weights.max()


def _weight_for(p: np.ndarray, w: np.ndarray, weights: np.ndarray, c: int, floor: float) -> float:
    """The least weight of class c under which a `floor` share of its rows decide c."""
    rivals = p * weights
    rivals[:, c] = -np.inf
    need = rivals.max(axis=1) / np.maximum(p[:, c], 1e-300)
    order = np.argsort(need)
    share = np.cumsum(w[order]) / w.sum()
    k = min(int(np.searchsorted(share, floor - 1e-12)), len(order) - 1)
    return float(need[order[k]]) * (1 + 1e-9)


def _recalls(proba: np.ndarray, y: np.ndarray, w: np.ndarray, weights: np.ndarray) -> np.ndarray:
    decided = np.argmax(proba * weights, axis=1)
    k = proba.shape[1]
    hit = np.bincount(y[decided == y].astype(np.int64), w[decided == y], minlength=k)
    return hit / np.maximum(np.bincount(y.astype(np.int64), w, minlength=k), 1e-300)


def _floor_indices(floors: dict[str, float], labels: list[str]) -> dict[int, float]:
    unknown = sorted(set(floors) - set(labels))
    if unknown:
        raise DataContractError(
            f"recall floors for classes the model does not have: {unknown}",
            where="decision.class_recall_floors",
            fix=f"name classes among {labels}",
        )
    return {labels.index(c): f for c, f in floors.items()}


def _unmet(
    proba: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    weights: np.ndarray,
    floors: dict[int, float],
    labels: list[str],
) -> list[str]:
    recall = _recalls(proba, y, w, weights)
    return [
        f"decision.class_recall_floors.{labels[c]}: {f} cannot be met together with the other "
        f"floors on the out-of-fold rows; the best reached is {recall[c]:.3f}"
        for c, f in floors.items()
        if recall[c] < f - 1e-9
    ]


def _confusion(y: np.ndarray, decided: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    key = y.astype(np.int64) * k + decided
    return np.bincount(key, w, minlength=k * k).reshape(k, k)


def _metrics(confusion: np.ndarray, labels: list[str], costs: np.ndarray | None) -> dict[str, Any]:
    total = max(confusion.sum(), 1e-300)
    recall = np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1e-300)
    out: dict[str, Any] = {
        "accuracy": float(np.trace(confusion) / total),
        "recall": dict(zip(labels, map(float, recall), strict=True)),
    }
    if costs is not None:
        out["cost_per_row"] = float((confusion * costs).sum() / total)
    return out


def _source(d: Decision, has_costs: bool) -> str:
    if has_costs:
        return (
            "the class of minimum expected cost under decision.costs, on calibrated probabilities"
        )
    if d.class_recall_floors:
        return "argmax of calibrated probabilities times class weights meeting the recall floors"
    if d.metric in WEIGHTED_METRICS:
        named = {"macro_f1": "macro F1", "balanced_accuracy": "balanced accuracy"}[str(d.metric)]
        return f"argmax of calibrated probabilities times class weights that maximize {named}"
    return "argmax of calibrated probabilities (no rule in the spec)"
