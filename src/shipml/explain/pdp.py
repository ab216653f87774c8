"""Explain: partial dependence with ICE curves, and which features interact.

Computed directly through the inference form: each sampled row is predicted with the feature
set to every grid value (its ICE curve); the PDP is their mean. A PDP assumes the feature can
move independently of the others; the ICE curves show when its effect differs from row to row.
For a classifier the curves show the calibrated probability of one class; one prediction per
grid value serves every class asked for (`partial_dependence_by_class`).

A feature is flagged as an interaction when both hold:
- heterogeneity above 0.5: the spread of the mean-centred ICE curves (their standard deviation
  across rows, averaged over the grid) relative to spread plus the PDP's range; near 0 for an
  additive effect, near 1 when the average hides opposite effects (y = x1 * x2 has a flat PDP
  in x1). Alone it flags weak effects too: a flat PDP over curves that barely differ is "1".
- ICE spread above 10% of the prediction range: the ICE spread is the width of the middle 90%
  of the mean-centred ICE curves (their 95th minus 5th percentile across rows, averaged over the
  grid); the prediction range is max - min of the model's output over the sampled rows. So the
  rows must disagree about the feature's effect by a share of what the model's output actually
  spans (a class predicted near 0 on almost every row never qualifies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shipml.core.enums import ColumnType
from shipml.explain.view import ModelView

GRID_POINTS = 20
INTERACTION_HETEROGENEITY = 0.5
INTERACTION_SPREAD_SHARE = 0.10  # of the prediction range: the ICE spread needed to flag
RULE = (
    f"flagged when the heterogeneity is above {INTERACTION_HETEROGENEITY:g} and the ICE spread "
    f"(the middle 90% of the centred curves) is above {INTERACTION_SPREAD_SHARE:.0%} of the "
    "prediction range (max - min of the output over these rows)"
)


@dataclass(frozen=True, slots=True)
class PartialDependence:
    feature: str
    discrete: bool  # categories (or dates): plotted at positions, labelled
    grid: tuple[str | float, ...]
    pdp: np.ndarray  # (g,)
    ice: np.ndarray  # (rows, g)
    heterogeneity: float  # in [0, 1]
    interaction: bool  # flagged: heterogeneity and ICE spread both above their bars
    spread: float = 0.0  # ICE spread: middle-90% width of the centred curves, output units
    prediction_range: float = 0.0  # max - min of the output over the sampled rows
    output: str = ""  # what the curves show: "P(cut = Ideal)", "predicted price"
    label: str = ""  # the class whose probability they show; "" for values

    @property
    def spread_share(self) -> float:
        """The ICE spread as a share of the prediction range."""
        return self.spread / self.prediction_range if self.prediction_range > 0 else 0.0

    @property
    def evidence(self) -> str:
        """The numbers behind the flag, in words: "x1 on P(y = a): ICE spread 29% of the
        prediction range, heterogeneity 0.89"."""
        on = f" on {self.output}" if self.output else ""
        return (
            f"{self.feature}{on}: ICE spread {self.spread_share:.0%} of the prediction range, "
            f"heterogeneity {self.heterogeneity:.2f}"
        )


def partial_dependence(
    view: ModelView,
    columns: dict[str, np.ndarray],
    X: np.ndarray,
    feature: str,
    ctype: ColumnType,
    *,
    grid_points: int = GRID_POINTS,
) -> PartialDependence:
    """PDP and ICE of one feature over the rows of `X` (the matrix of `columns`), for the
    view's output."""
    found = partial_dependence_by_class(
        view, columns, X, feature, ctype, (view.focus,), grid_points=grid_points
    )
    return found[0]


def partial_dependence_by_class(
    view: ModelView,
    columns: dict[str, np.ndarray],
    X: np.ndarray,
    feature: str,
    ctype: ColumnType,
    focuses: Sequence[int],
    *,
    grid_points: int = GRID_POINTS,
) -> tuple[PartialDependence, ...]:
    """PDP and ICE of one feature for each class in `focuses` (indices into the classes)."""
    categorical = ctype is ColumnType.CATEGORICAL
    discrete = categorical or ctype is ColumnType.DATETIME
    grid = _grid(columns[feature], ctype, grid_points)
    block = view.blocks[feature]
    n = len(X)
    curves = np.empty((len(focuses), n, len(grid)))
    for j, value in enumerate(grid):
        Xg = X.copy()
        Xg[:, block] = view.encode(
            feature, np.full(n, value, dtype=object if categorical else None)
        )
        curves[:, :, j] = view.outputs(Xg, focuses).T
    observed = view.outputs(X, focuses)
    labels = tuple(_label(g) if discrete else float(g) for g in grid)  # type: ignore[arg-type]
    out = []
    for i, k in enumerate(focuses):
        shown = view.for_class(k)
        label = "" if not view.model.classes else str(view.model.classes[k])
        pred_range = float(np.ptp(observed[:, i])) if n else 0.0
        out.append(_summarize(feature, discrete, labels, curves[i], pred_range,
                              shown.output_label, label))  # fmt: skip
    return tuple(out)


def _summarize(
    feature: str,
    discrete: bool,
    grid: tuple[str | float, ...],
    curves: np.ndarray,
    prediction_range: float,
    output: str,
    label: str,
) -> PartialDependence:
    pdp = curves.mean(axis=0)
    centred = curves - curves.mean(axis=1, keepdims=True)
    sd = float(np.mean(np.std(centred, axis=0))) if curves.size else 0.0
    span = float(pdp.max() - pdp.min()) if len(grid) else 0.0
    hetero = sd / (sd + span) if sd + span > 0 else 0.0
    spread = 0.0
    if curves.size:
        low, high = np.quantile(centred, [0.05, 0.95], axis=0)
        spread = float(np.mean(high - low))
    wide = spread > INTERACTION_SPREAD_SHARE * prediction_range and prediction_range > 0
    flagged = bool(hetero > INTERACTION_HETEROGENEITY and wide)
    return PartialDependence(
        feature, discrete, grid, pdp, curves, hetero, flagged, spread, prediction_range,
        output, label,
    )  # fmt: skip


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
