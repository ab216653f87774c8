"""Decision: the binary threshold curve, every distinct calibrated probability as a threshold,
from one sort and cumulative (weighted) sums. Index 0 decides nothing positive; index i decides
positive every row with p >= threshold[i].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CURVE_POINTS = 400  # points kept for the report


@dataclass(frozen=True, slots=True)
class Counts:
    """Weighted confusion counts per threshold (any leading shape: bootstrap resamples)."""

    tp: np.ndarray
    fp: np.ndarray
    pos: np.ndarray  # total positive weight, broadcast against tp
    neg: np.ndarray

    def recall(self) -> np.ndarray:
        return self.tp / np.maximum(self.pos, 1e-300)

    def precision(self) -> np.ndarray:
        decided = self.tp + self.fp
        return np.divide(self.tp, decided, out=np.full(decided.shape, np.nan), where=decided > 0)

    def fbeta(self, beta: float) -> np.ndarray:
        b2 = beta * beta
        return (
            (1 + b2)
            * self.tp
            / np.maximum((1 + b2) * self.tp + b2 * (self.pos - self.tp) + self.fp, 1e-300)
        )

    def cost(self, c: np.ndarray) -> np.ndarray:
        """Expected cost per unit weight under c[true][decided] (0 = negative, 1 = positive)."""
        fn, tn = self.pos - self.tp, self.neg - self.fp
        total = c[1, 1] * self.tp + c[0, 1] * self.fp + c[1, 0] * fn + c[0, 0] * tn
        return total / np.maximum(self.pos + self.neg, 1e-300)

    def positive_rate(self) -> np.ndarray:
        return (self.tp + self.fp) / np.maximum(self.pos + self.neg, 1e-300)

    def accuracy(self) -> np.ndarray:
        return (self.tp + self.neg - self.fp) / np.maximum(self.pos + self.neg, 1e-300)

    def balanced_accuracy(self) -> np.ndarray:
        specificity = (self.neg - self.fp) / np.maximum(self.neg, 1e-300)
        return (self.recall() + specificity) / 2

    def macro_f1(self) -> np.ndarray:
        """The mean of the positive class's F1 and the negative class's."""
        fn, tn = self.pos - self.tp, self.neg - self.fp
        negative = 2 * tn / np.maximum(2 * tn + fn + self.fp, 1e-300)
        return (self.fbeta(1.0) + negative) / 2

    def objective(self, metric: str | None, beta: float) -> np.ndarray:
        """What `decision.metric` maximizes at each point (F-beta when it names none)."""
        if metric == "accuracy":
            return self.accuracy()
        if metric == "balanced_accuracy":
            return self.balanced_accuracy()
        if metric == "macro_f1":
            return self.macro_f1()
        return self.fbeta(1.0 if metric == "f1" else beta)


@dataclass(frozen=True, slots=True)
class ThresholdCurve:
    threshold: np.ndarray  # descending
    counts: Counts
    rows_tp: np.ndarray  # row counts (not weights) behind tp and fp, for the bootstrap
    rows_fp: np.ndarray

    def index_of(self, threshold: float) -> int:
        """The curve point a fixed threshold lands on."""
        return max(int(np.count_nonzero(self.threshold >= threshold)) - 1, 0)

    def at(self, i: int, costs: np.ndarray, beta: float) -> dict[str, float]:
        c = self.counts
        one = Counts(c.tp[i], c.fp[i], c.pos, c.neg)
        return {
            "threshold": float(self.threshold[i]),
            "precision": float(one.precision()),
            "recall": float(one.recall()),
            "f_beta": float(one.fbeta(beta)),
            "cost_per_row": float(one.cost(costs)),
            "positive_rate": float(one.positive_rate()),
        }

    def table(self, costs: np.ndarray, beta: float, keep: int) -> dict[str, list[float]]:
        """At most CURVE_POINTS points, evenly spaced in rows decided positive, plus `keep`."""
        rows = self.rows_tp + self.rows_fp
        targets = np.linspace(0, rows[-1], CURVE_POINTS)
        idx = np.unique(np.r_[np.searchsorted(rows, targets), keep].clip(0, len(rows) - 1))
        c = self.counts
        sub = Counts(c.tp[idx], c.fp[idx], c.pos, c.neg)
        return {
            "threshold": _floats(self.threshold[idx]),
            "precision": _floats(sub.precision()),
            "recall": _floats(sub.recall()),
            "f_beta": _floats(sub.fbeta(beta)),
            "cost_per_row": _floats(sub.cost(costs)),
            "positive_rate": _floats(sub.positive_rate()),
        }


def threshold_curve(p: np.ndarray, hit: np.ndarray, w: np.ndarray) -> ThresholdCurve:
    """Rows already sorted by p ascending (the binary fit sorts them once) skip the sort."""
    if np.all(p[1:] >= p[:-1]):
        ps, ws, hs = p[::-1], w[::-1], hit[::-1]
    else:
        order = np.argsort(-p)
        ps, ws, hs = p[order], w[order], hit[order]
    last = np.r_[np.flatnonzero(ps[1:] != ps[:-1]), len(ps) - 1]  # end of each tie group
    tp, fp = np.cumsum(ws * hs)[last], np.cumsum(ws * (1 - hs))[last]
    rows_tp, rows_fp = np.cumsum(hs)[last], np.cumsum(1 - hs)[last]
    top = np.nextafter(ps[0], np.inf)  # above every score: decide nothing positive
    return ThresholdCurve(
        threshold=np.r_[top, ps[last]],
        counts=Counts(np.r_[0.0, tp], np.r_[0.0, fp], np.asarray(tp[-1]), np.asarray(fp[-1])),
        rows_tp=np.r_[0.0, rows_tp],
        rows_fp=np.r_[0.0, rows_fp],
    )


def _floats(a: np.ndarray) -> list[float]:
    return [None if not np.isfinite(v) else round(float(v), 6) for v in a]  # type: ignore[misc]
