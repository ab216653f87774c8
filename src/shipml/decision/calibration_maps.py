"""Decision: calibration maps fit on out-of-fold scores (isotonic knots, Platt's sigmoid on the
logit). Fits read weighted sufficient statistics of quantile bins of the sorted scores: exact
below FIT_BINS rows (one row per bin), and at 1M rows a bin holds ~61 rows, finer than either
map resolves, so a fit takes milliseconds whatever the row count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression

from shipml.runtime.policy import EPS, CalibrationKind, Calibrator

FIT_BINS = 16_384


@dataclass(frozen=True, slots=True)
class Binned:
    """Per (fold, bin) weighted sums of the score, its logit, the label and the weight."""

    folds: np.ndarray  # (F,) fold labels
    score: np.ndarray  # (F, B) sum w * score
    logit: np.ndarray  # (F, B) sum w * logit(score)
    pos: np.ndarray  # (F, B) sum w * y
    weight: np.ndarray  # (F, B) sum w
    n_rows: int

    def pooled(self, skip: int | None = None) -> Binned:
        """All folds summed into one, or all but the fold at position `skip`."""
        keep = np.ones(len(self.folds), dtype=bool)
        if skip is not None:
            keep[skip] = False

        def total(a: np.ndarray) -> np.ndarray:
            return a[keep].sum(axis=0, keepdims=True)

        sums = (total(self.score), total(self.logit), total(self.pos), total(self.weight))
        return Binned(self.folds[:1], *sums, n_rows=self.n_rows)


def logit(score: np.ndarray) -> np.ndarray:
    s = np.clip(score, EPS, 1 - EPS)  # as the runtime's sigmoid calibrator reads it
    return np.log(s / (1 - s))


def bin_scores(
    score: np.ndarray, hit: np.ndarray, w: np.ndarray, fold: np.ndarray, order: np.ndarray
) -> Binned:
    """Quantile bins of one score column (rows in `order` ascending), split by fold."""
    n = len(score)
    bins = min(n, FIT_BINS)
    bin_of = np.empty(n, dtype=np.int64)
    bin_of[order] = np.arange(n, dtype=np.int64) * bins // n
    folds, f = fold_index(fold)
    key, size = f * bins + bin_of, len(folds) * bins

    def sums(values: np.ndarray) -> np.ndarray:
        return np.bincount(key, values, minlength=size).reshape(len(folds), bins)

    return Binned(folds, sums(w * score), sums(w * logit(score)), sums(w * hit), sums(w), n)


def fold_index(fold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fold labels present and each row's position among them (no sort of the rows)."""
    present = np.flatnonzero(np.bincount(fold))
    lookup = np.zeros(present[-1] + 1, dtype=np.int64)
    lookup[present] = np.arange(len(present))
    return present, lookup[fold]


def fit_map(kind: CalibrationKind, b: Binned) -> Calibrator:
    """Fit one calibrator on pooled bins (one fold row)."""
    used = b.weight[0] > 0
    weight, pos = b.weight[0][used], b.pos[0][used]
    if kind == "isotonic":
        return _isotonic(b.score[0][used] / weight, pos, weight, b.n_rows)
    if kind == "sigmoid":
        a, c = _logistic(b.logit[0][used] / weight, pos, weight)
        return Calibrator("sigmoid", a=a, b=c)
    return Calibrator()


def _isotonic(x: np.ndarray, pos: np.ndarray, weight: np.ndarray, n: int) -> Calibrator:
    # one pseudo-observation keeps a fitted probability off exactly 0 and 1
    bound = 1.0 / (n + 2)
    iso = IsotonicRegression(y_min=bound, y_max=1 - bound, out_of_bounds="clip")
    iso.fit(x, pos / weight, sample_weight=weight)
    knots_x, knots_y = iso.X_thresholds_, iso.y_thresholds_
    return Calibrator("isotonic", tuple(map(float, knots_x)), tuple(map(float, knots_y)))


def _logistic(x: np.ndarray, pos: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
    """Weighted 1-D logistic regression by Newton's method, a faint ridge toward the identity
    map (a=1, b=0) so separable scores stay finite."""
    ridge = 1e-6 * weight.sum() + 1e-6
    theta = np.array([1.0, 0.0])
    prior = theta.copy()

    def loss(t: np.ndarray) -> float:
        z = t[0] * x + t[1]
        return float(
            (weight * np.logaddexp(0.0, z) - pos * z).sum() + ridge * ((t - prior) ** 2).sum() / 2
        )

    current = loss(theta)
    for _ in range(100):
        z = theta[0] * x + theta[1]
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))
        r, h = weight * p - pos, weight * p * (1 - p)
        grad = np.array([(r * x).sum(), r.sum()]) + ridge * (theta - prior)
        hess = np.array([[(h * x * x).sum(), (h * x).sum()], [(h * x).sum(), h.sum()]])
        step = np.linalg.solve(hess + ridge * np.eye(2), grad)
        scale = 1.0
        while scale > 1e-8 and loss(theta - scale * step) > current:
            scale /= 2
        theta = theta - scale * step
        previous, current = current, loss(theta)
        if abs(previous - current) <= 1e-12 * max(1.0, abs(current)):
            break
    return float(theta[0]), float(theta[1])
