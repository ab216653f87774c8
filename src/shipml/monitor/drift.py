"""Monitor: two-sample tests of one column, the training sample against a later one.

Numeric columns: the Kolmogorov-Smirnov test (scipy's `ks_2samp`) and the population stability
index on ten bins cut at the training sample's deciles. Categorical columns: the chi-squared
test of homogeneity (scipy's `chi2_contingency`) over the training sample's 20 most frequent
categories plus "other", and the PSI over the same cells. A column has drifted when its PSI
reaches the alert level (the spec's `monitoring.drift.psi_alert`, 0.2 by default) and its test's
p-value is below 0.01: the PSI says the shift is large enough to matter, the p-value that the
sample is large enough to show it. Missing values are left out of both samples; their shares
are compared apart.

Used by training (the test rows against the training rows) and by monitoring (live traffic
against the reference).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import stats

PSI_ALERT = 0.2
P_VALUE = 0.01
BINS = 10
TOP_CATEGORIES = 20
_EPS = 1e-4  # the share given to an empty cell, so the PSI stays finite


@dataclass(frozen=True, slots=True)
class ColumnDrift:
    column: str
    test: str  # "ks" or "chi2"
    statistic: float
    p_value: float
    psi: float
    missing_train: float  # the share of missing values in each sample
    missing_other: float
    drifted: bool

    def describe(self) -> str:
        return (
            f"{self.column}: PSI {self.psi:.2f}, {self.test} p={self.p_value:.2g}"
            + (f", missing {self.missing_train:.0%} -> {self.missing_other:.0%}"
               if abs(self.missing_train - self.missing_other) >= 0.05 else "")
        )  # fmt: skip


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """The population stability index of two count vectors over the same cells."""
    e = np.maximum(expected / max(expected.sum(), 1), _EPS)
    a = np.maximum(actual / max(actual.sum(), 1), _EPS)
    return float(np.sum((a - e) * np.log(a / e)))


def numeric_drift(
    column: str, train: np.ndarray, other: np.ndarray, *, psi_alert: float = PSI_ALERT
) -> ColumnDrift | None:
    """K-S and the PSI on training deciles; None when either sample has no value."""
    t, o = _finite(train), _finite(other)
    if len(t) == 0 or len(o) == 0:
        return None
    edges = np.unique(np.quantile(t, np.linspace(0, 1, BINS + 1))[1:-1])
    cells = (np.bincount(np.searchsorted(edges, x, side="right"), minlength=len(edges) + 1)
             for x in (t, o))  # fmt: skip
    index = psi(*cells)
    result = stats.ks_2samp(t, o)
    return _drift(column, "ks", float(result.statistic), float(result.pvalue), index,
                  (train, other), psi_alert)  # fmt: skip


def categorical_drift(
    column: str, train: np.ndarray, other: np.ndarray, *, psi_alert: float = PSI_ALERT
) -> ColumnDrift | None:
    """Chi-squared homogeneity and the PSI over the top training categories plus other."""
    t, o = _present(train), _present(other)
    if len(t) == 0 or len(o) == 0:
        return None
    top = [c for c, _ in Counter(t).most_common(TOP_CATEGORIES)]
    index = {c: i for i, c in enumerate(top)}
    counts = [np.bincount([index.get(v, len(top)) for v in x], minlength=len(top) + 1)
              for x in (t, o)]  # fmt: skip
    table = np.vstack(counts)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        statistic, p_value = 0.0, 1.0
    else:
        result = stats.chi2_contingency(table)
        statistic, p_value = float(result.statistic), float(result.pvalue)
    return _drift(column, "chi2", statistic, p_value, psi(*counts), (train, other), psi_alert)


def _drift(
    column: str,
    test: str,
    statistic: float,
    p_value: float,
    index: float,
    samples: tuple[np.ndarray, np.ndarray],
    psi_alert: float,
) -> ColumnDrift:
    missing = [float(np.mean(_missing(x))) if len(x) else 0.0 for x in samples]
    drifted = index >= psi_alert and p_value < P_VALUE
    return ColumnDrift(column, test, statistic, p_value, index, missing[0], missing[1], drifted)


def _missing(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "fc":
        return np.isnan(x)
    return np.array([v is None or (isinstance(v, float) and v != v) for v in x], dtype=bool)


def _finite(x: np.ndarray) -> np.ndarray:
    v = np.asarray(x, dtype=np.float64)
    return v[np.isfinite(v)]


def _present(x: np.ndarray) -> list[str]:
    return [str(v) for v, gone in zip(x, _missing(np.asarray(x, dtype=object)), strict=True)
            if not gone]  # fmt: skip
