"""Explain: clusters of associated features, for grouped permutation importance.

Numeric (and boolean, datetime) pairs are compared with |Spearman|. Spearman on arbitrary
category codes would hide strong ties (an education label and its years), so a categorical
column meets a numeric one through the correlation ratio on ranks, and another categorical
one through Cramér's V; all three lie in [0, 1]. Features whose association is at least
`1 - threshold` end up together under average-linkage hierarchical clustering.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from shipml.core.enums import ColumnType

DISTANCE_THRESHOLD = 0.3  # associated at 0.7 or more


def association_matrix(
    columns: Mapping[str, np.ndarray], types: Mapping[str, ColumnType]
) -> np.ndarray:
    """Pairwise association in [0, 1] of the named columns, in the order of `types`."""
    names = list(types)
    coded = {n: _encode(columns[n], types[n]) for n in names}
    k = len(names)
    out = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            a, b = coded[names[i]], coded[names[j]]
            out[i, j] = out[j, i] = _association(a, b)
    return np.nan_to_num(out, nan=0.0)


def correlated_groups(
    columns: Mapping[str, np.ndarray],
    types: Mapping[str, ColumnType],
    *,
    threshold: float = DISTANCE_THRESHOLD,
) -> list[tuple[str, ...]]:
    """Clusters of two or more features whose association exceeds `1 - threshold`."""
    from scipy.cluster import hierarchy
    from scipy.spatial.distance import squareform

    names = list(types)
    if len(names) < 2:
        return []
    distance = 1.0 - association_matrix(columns, types)
    np.fill_diagonal(distance, 0.0)
    tree = hierarchy.linkage(squareform(distance, checks=False), method="average")
    labels = hierarchy.fcluster(tree, t=threshold, criterion="distance")
    groups = [tuple(n for n, c in zip(names, labels, strict=True) if c == k) for k in set(labels)]
    return sorted((g for g in groups if len(g) > 1), key=lambda g: names.index(g[0]))


def _encode(values: np.ndarray, ctype: ColumnType) -> tuple[bool, np.ndarray]:
    """(is_categorical, codes or ranks); missing values form their own category or mid-rank."""
    if ctype is ColumnType.CATEGORICAL:
        codes = pd.factorize(pd.Series(values, dtype=object).astype(str), use_na_sentinel=False)[0]
        return True, codes
    if ctype is ColumnType.DATETIME:
        x = pd.to_datetime(pd.Series(values), errors="coerce").astype("int64").to_numpy(float)
        x[pd.isna(pd.Series(values)).to_numpy()] = np.nan
    else:
        x = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64)
    x = np.where(np.isnan(x), np.nanmedian(x) if np.isfinite(x).any() else 0.0, x)
    return False, pd.Series(x).rank().to_numpy()


def _association(a: tuple[bool, np.ndarray], b: tuple[bool, np.ndarray]) -> float:
    (a_cat, x), (b_cat, y) = a, b
    if not a_cat and not b_cat:
        if np.std(x) == 0 or np.std(y) == 0:
            return 0.0
        return float(abs(np.corrcoef(x, y)[0, 1]))
    if a_cat and b_cat:
        return _cramers_v(x, y)
    return _correlation_ratio(x, y) if a_cat else _correlation_ratio(y, x)


def _correlation_ratio(codes: np.ndarray, ranks: np.ndarray) -> float:
    total = np.sum((ranks - ranks.mean()) ** 2)
    if total == 0:
        return 0.0
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=ranks) / np.maximum(counts, 1)
    between = np.sum(counts * (means - ranks.mean()) ** 2)
    return float(np.sqrt(between / total))


def _cramers_v(a: np.ndarray, b: np.ndarray) -> float:
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), 1.0)
    n = table.sum()
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.nansum((table - expected) ** 2 / expected)
    k = min(table.shape) - 1
    return float(np.sqrt(chi2 / (n * k))) if k > 0 else 0.0
