"""Decision: bootstrap intervals for a threshold and what it yields, in seconds on 1M rows.
The curve is cut into about GRID bins of equal row counts (the chosen point is always a cut);
each resample draws every bin's positive and negative row counts from a Poisson (the Poisson
bootstrap of rows, at bin resolution) and re-reads the curve from their cumulative sums.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shipml.decision.curve import Counts, ThresholdCurve

RESAMPLES = 200
GRID = 2000
LEVEL = 0.90  # two-sided; its lower end is a one-sided 95% bound


@dataclass(frozen=True, slots=True)
class Resampled:
    cuts: np.ndarray  # curve indices, ascending: 0 decides nothing positive, the last everything
    counts: Counts  # (RESAMPLES, len(cuts))

    def lower(self, values: np.ndarray) -> np.ndarray:
        """The interval's lower end at each cut."""
        return _quantile(values, (1 - LEVEL) / 2)

    def position(self, index: int) -> int:
        return int(np.searchsorted(self.cuts, index))


def resample(curve: ThresholdCurve, keep: Sequence[int], seed: int) -> Resampled:
    rows = curve.rows_tp + curve.rows_fp
    grid = np.searchsorted(rows, np.linspace(0, rows[-1], GRID + 1))
    cuts = np.unique(np.r_[grid, list(keep), 0, len(rows) - 1].clip(0, len(rows) - 1))
    rng = np.random.default_rng(seed)
    c = curve.counts

    def draw(row_counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
        n = np.diff(row_counts[cuts], prepend=0.0)
        mean_weight = np.diff(weights[cuts], prepend=0.0) / np.maximum(n, 1.0)
        return np.cumsum(rng.poisson(n, size=(RESAMPLES, len(cuts))) * mean_weight, axis=1)

    tp, fp = draw(curve.rows_tp, c.tp), draw(curve.rows_fp, c.fp)
    return Resampled(cuts, Counts(tp, fp, tp[:, -1:], fp[:, -1:]))


def interval(values: np.ndarray) -> list[float | None]:
    """The LEVEL interval of one quantity over the resamples."""
    lo, hi = _quantile(values, (1 - LEVEL) / 2), _quantile(values, (1 + LEVEL) / 2)
    return [_num(lo), _num(hi)]


def _quantile(values: np.ndarray, q: float) -> np.ndarray:
    finite = np.where(np.isfinite(values), values, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a point no resample defines is NaN
        return np.asarray(np.nanquantile(finite, q, axis=0))


def _num(v: np.ndarray) -> float | None:
    return None if not np.isfinite(v) else float(v)
