"""Decision: calibrate the out-of-fold scores. `auto` cross-fits each map (fit on the other
folds' rows, scored on this fold's) and keeps the lowest log loss, preferring the simpler map
on a near tie; the winner is refit on every out-of-fold row. Multiclass is one-vs-rest,
renormalized (as the runtime applies it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shipml.decision.calibration_maps import Binned, bin_scores, fit_map, fold_index
from shipml.decision.geometry import Geometry
from shipml.decision.oof import OutOfFold
from shipml.decision.reliability import brier, log_loss, reliability
from shipml.runtime.policy import CalibrationKind, Calibrator

SIMPLEST_FIRST: tuple[CalibrationKind, ...] = ("none", "sigmoid", "isotonic")
NEAR_TIE = 1e-4  # log loss per row: a more flexible map must win by more than this


@dataclass(frozen=True, slots=True)
class Calibrated:
    kind: CalibrationKind
    calibrators: tuple[Calibrator, ...]
    proba: np.ndarray  # out-of-fold probabilities through the refit maps, shaped as the scores
    report: dict[str, Any]


def calibrate(
    oof: OutOfFold, requested: str, orders: list[np.ndarray], geometry: Geometry
) -> Calibrated:
    """Fit the requested map (or choose one: `auto`) on the scores as `geometry` reads them
    (the positive class's one column, or every class's); `orders` sorts each calibrated column
    ascending (rows already sorted by their one score make every map's lookup fast)."""
    raw = oof.scores
    columns = geometry.columns(raw)
    folds = oof.fold if len(fold_index(oof.fold)[0]) > 1 else np.arange(oof.n) % 2
    binned = [
        bin_scores(col, geometry.outcome(oof.y, j), oof.weight, folds, order)
        for j, (col, order) in enumerate(zip(columns, orders, strict=True))
    ]
    position = fold_index(folds)[1]
    groups = [np.flatnonzero(position == i) for i in range(len(binned[0].folds))]
    kinds = SIMPLEST_FIRST if requested == "auto" else (_kind(requested),)
    honest = {kind: _cross_fit(kind, binned, raw, groups, geometry) for kind in kinds}
    y, w = oof.y, oof.weight
    scores = {
        k: {"log_loss": log_loss(geometry, p, y, w), "brier": brier(geometry, p, y, w)}
        for k, p in honest.items()
    }
    kind = _choose(scores) if requested == "auto" else _kind(requested)
    calibrators = tuple(fit_map(kind, b.pooled()) for b in binned)
    report = {
        "kind": kind,
        "requested": requested,
        "reason": _reason(requested, kind, scores),
        "cross_fitted": scores,
        "before": reliability(geometry, raw, y, w),
        "after": reliability(geometry, honest[kind], y, w),
        "rows": oof.n,
    }
    return Calibrated(kind, calibrators, geometry.apply(calibrators, raw), report)


def _cross_fit(
    kind: CalibrationKind,
    binned: list[Binned],
    raw: np.ndarray,
    groups: list[np.ndarray],
    geometry: Geometry,
) -> np.ndarray:
    """Each fold's rows calibrated by maps fit on the other folds' rows."""
    if kind == "none":
        return raw
    out = np.empty_like(raw)
    for i, rows in enumerate(groups):
        maps = tuple(fit_map(kind, b.pooled(skip=i)) for b in binned)
        out[rows] = geometry.apply(maps, raw[rows])
    return out


def _kind(requested: str) -> CalibrationKind:
    return next(k for k in SIMPLEST_FIRST if k == requested)


def _choose(scores: dict[CalibrationKind, dict[str, float]]) -> CalibrationKind:
    best = min(s["log_loss"] for s in scores.values())
    return next(k for k in SIMPLEST_FIRST if scores[k]["log_loss"] <= best + NEAR_TIE)


def _reason(
    requested: str, kind: CalibrationKind, scores: dict[CalibrationKind, dict[str, float]]
) -> str:
    if requested != "auto":
        return f"{kind}, as decision.calibration asks"
    others = ", ".join(f"{k} {s['log_loss']:.4f}" for k, s in scores.items() if k != kind)
    return (
        f"auto: {kind} had the lowest cross-fitted log loss ({scores[kind]['log_loss']:.4f}; "
        f"{others}), each fold scored by a map fit on the other folds' out-of-fold rows"
    )
