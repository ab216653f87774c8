"""Explain: partial dependence with ICE curves, and which features interact.

Computed directly through the inference form: each sampled row is predicted with the feature
set to every grid value (its ICE curve); the PDP is their mean. A PDP assumes the feature can
move independently of the others; the ICE curves show when its effect differs from row to row.
Heterogeneity is the spread of the mean-centred ICE curves (their standard deviation across
rows, averaged over the grid) relative to spread plus the PDP's range: near 0 for an additive
effect, near 1 when the average hides opposite effects (y = x1 * x2 has a flat PDP in x1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shipml.core.enums import ColumnType
from shipml.explain.view import ModelView

GRID_POINTS = 20
INTERACTION_HETEROGENEITY = 0.5
MIN_SPREAD_SHARE = 0.05  # of the predictions' standard deviation: below it, too weak to flag


@dataclass(frozen=True, slots=True)
class PartialDependence:
    feature: str
    discrete: bool  # categories (or dates): plotted at positions, labelled
    grid: tuple[str | float, ...]
    pdp: np.ndarray  # (g,)
    ice: np.ndarray  # (rows, g)
    heterogeneity: float  # in [0, 1]
    interaction: bool  # flagged: the ICE curves diverge strongly


def partial_dependence(
    view: ModelView,
    columns: dict[str, np.ndarray],
    X: np.ndarray,
    feature: str,
    ctype: ColumnType,
    *,
    grid_points: int = GRID_POINTS,
) -> PartialDependence:
    """PDP and ICE of one feature over the rows of `X` (the matrix of `columns`)."""
    categorical = ctype is ColumnType.CATEGORICAL
    discrete = categorical or ctype is ColumnType.DATETIME
    grid = _grid(columns[feature], ctype, grid_points)
    block = view.blocks[feature]
    n = len(X)
    curves = np.empty((n, len(grid)))
    for j, value in enumerate(grid):
        Xg = X.copy()
        Xg[:, block] = view.encode(
            feature, np.full(n, value, dtype=object if categorical else None)
        )
        curves[:, j] = view.output(Xg)
    pdp = curves.mean(axis=0)
    spread = float(np.mean(np.std(curves - curves.mean(axis=1, keepdims=True), axis=0)))
    span = float(pdp.max() - pdp.min()) if len(grid) else 0.0
    hetero = spread / (spread + span) if spread + span > 0 else 0.0
    relevant = spread > MIN_SPREAD_SHARE * max(float(np.std(view.output(X))), 1e-12)
    labels = tuple(_label(g) if discrete else float(g) for g in grid)  # type: ignore[arg-type]
    flagged = bool(hetero > INTERACTION_HETEROGENEITY and relevant)
    return PartialDependence(feature, discrete, labels, pdp, curves, hetero, flagged)


def _label(value: object) -> str:
    if isinstance(value, np.datetime64):
        return str(value.astype("datetime64[D]"))
    return str(value)


def _grid(values: np.ndarray, ctype: ColumnType, points: int) -> list[object]:
    s = pd.Series(values)
    if ctype is ColumnType.CATEGORICAL:
        counts = s.dropna().astype(str).value_counts()
        return list(counts.index[:points])
    if ctype is ColumnType.DATETIME:
        seconds = pd.to_datetime(s, errors="coerce").dropna().to_numpy("datetime64[s]")
        if seconds.size == 0:
            return []
        qs = np.quantile(seconds.astype(np.int64), np.linspace(0.05, 0.95, points))
        return [np.datetime64(int(q), "s") for q in np.unique(np.round(qs))]
    x = pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype=np.float64)
    if x.size == 0:
        return []
    uniq = np.unique(x)
    if uniq.size <= points:
        return list(uniq)
    return list(np.unique(np.quantile(x, np.linspace(0.05, 0.95, points))))
