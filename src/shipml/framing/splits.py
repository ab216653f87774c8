"""Framing: the splitters. The test set is held out first; cross-validation and the inner
early-stopping split follow the same structure (stratified, group-aware, or forward in time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from iterstrat.ml_stratifiers import MultilabelStratifiedKFold, MultilabelStratifiedShuffleSplit
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    train_test_split,
)

from shipml.core.enums import SplitKind
from shipml.core.errors import DataContractError


@dataclass(frozen=True, slots=True)
class Fold:
    train: np.ndarray  # row positions in the full table
    valid: np.ndarray


@dataclass(frozen=True, slots=True)
class SplitData:
    """What a splitter may look at: labels for stratification, entities, event times."""

    y: np.ndarray
    stratify: bool
    groups: np.ndarray | None = None
    times: np.ndarray | None = None  # float64 (days for datetimes), NaN never allowed
    gap: float = 0.0  # in the units of `times`
    label_sets: bool = False  # y is (n, L) 0/1: stratify iteratively over the label sets


def holdout_fraction(
    rows: np.ndarray, kind: SplitKind, data: SplitData, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split `rows` into (train, test) positions, keeping the split's structure."""
    if kind is SplitKind.TIME:
        assert data.times is not None
        order = rows[np.argsort(data.times[rows], kind="stable")]
        cut = _time_cut(data.times[order], 1.0 - fraction)
        return _leave_gap(order[:cut], order[cut:], data)
    if kind is SplitKind.GROUP:
        assert data.groups is not None
        if len(np.unique(data.groups[rows])) < 2:
            raise DataContractError(
                "a split needs at least two groups, but these rows hold one",
                where="validation.group_column",
                fix="use a column with more entities, or fewer validation.folds",
            )
        gss = GroupShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
        tr, te = next(gss.split(rows, groups=data.groups[rows]))
        return np.sort(rows[tr]), np.sort(rows[te])
    if data.stratify and data.label_sets:
        shuffle = MultilabelStratifiedShuffleSplit(1, test_size=fraction, random_state=seed)
        tr, te = next(shuffle.split(rows, data.y[rows]))
        return np.sort(rows[tr]), np.sort(rows[te])
    strat = data.y[rows] if data.stratify else None
    tr, te = train_test_split(rows, test_size=fraction, random_state=seed, stratify=strat)
    return np.sort(tr), np.sort(te)


def holdout_latest(rows: np.ndarray, data: SplitData, span: float) -> tuple[np.ndarray, np.ndarray]:
    """The rows within `span` of the latest time are the test set (after the gap)."""
    assert data.times is not None
    is_test = data.times[rows] > (np.max(data.times[rows]) - span)
    return _leave_gap(rows[~is_test], rows[is_test], data)


def _leave_gap(
    train: np.ndarray, test: np.ndarray, data: SplitData
) -> tuple[np.ndarray, np.ndarray]:
    """Drop training rows closer than the gap to the first test time."""
    if data.gap > 0 and len(test) and data.times is not None:
        train = train[data.times[train] <= data.times[test].min() - data.gap]
    return np.sort(train), np.sort(test)


def cv_folds(
    rows: np.ndarray, kind: SplitKind, data: SplitData, n_folds: int, seed: int
) -> list[Fold]:
    """Cross-validation folds over `rows` (positions in the full table)."""
    if kind is SplitKind.TIME:
        return _forward_chaining(rows, data, n_folds)
    y = data.y[rows]
    if kind is SplitKind.GROUP and data.label_sets:
        raise DataContractError(
            "group-aware folds are not built for label sets (multilabel) in this version",
            where="validation.group_column",
            fix="remove validation.group_column (label sets are stratified iteratively)",
        )
    if kind is SplitKind.GROUP:
        assert data.groups is not None
        g = data.groups[rows]
        n_groups = len(np.unique(g))
        if n_groups < n_folds:
            raise DataContractError(
                f"only {n_groups} distinct groups for {n_folds} folds",
                where="validation.group_column",
                fix="lower validation.folds or use a column with more entities",
            )
        splitter: StratifiedGroupKFold | GroupKFold
        if data.stratify:
            splitter = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        else:
            splitter = GroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        parts = splitter.split(rows, y, groups=g)
    elif data.stratify and data.label_sets:  # Sechidis et al. 2011, iterative stratification
        parts = MultilabelStratifiedKFold(n_folds, shuffle=True, random_state=seed).split(rows, y)
    elif data.stratify:
        parts = StratifiedKFold(n_folds, shuffle=True, random_state=seed).split(rows, y)
    else:
        parts = KFold(n_folds, shuffle=True, random_state=seed).split(rows)
    return [Fold(train=rows[tr], valid=rows[va]) for tr, va in parts]


def inner_split(
    train: np.ndarray, kind: SplitKind, data: SplitData, seed: int, fraction: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """Split a training fold for early stopping, with the same structure as the folds."""
    if kind is SplitKind.TIME:
        assert data.times is not None
        order = train[np.argsort(data.times[train], kind="stable")]
        cut = _time_cut(data.times[order], 1.0 - fraction)
        fit = order[:cut]
        if data.gap > 0 and cut < len(order):
            fit = fit[data.times[fit] <= data.times[order[cut]] - data.gap]
        return fit, order[cut:]
    return holdout_fraction(train, kind, data, fraction, seed)


def _forward_chaining(rows: np.ndarray, data: SplitData, n_folds: int) -> list[Fold]:
    assert data.times is not None
    order = rows[np.argsort(data.times[rows], kind="stable")]
    t = data.times[order]
    folds = []
    for k in range(1, n_folds + 1):
        start = _time_cut(t, k / (n_folds + 1))
        end = _time_cut(t, (k + 1) / (n_folds + 1))
        if start == 0 or end <= start:
            continue
        valid = order[start:end]
        train = order[:start]
        if data.gap > 0:
            train = train[data.times[train] <= t[start] - data.gap]
        if len(train):
            folds.append(Fold(train=np.sort(train), valid=np.sort(valid)))
    if len(folds) < 2:
        raise DataContractError(
            "too few distinct times for forward-chaining folds",
            where="validation.time_column",
            fix="lower validation.folds or the gap, or use a finer time column",
        )
    return folds


def _time_cut(sorted_times: np.ndarray, share: float) -> int:
    """A cut position near `share` that never splits rows with the same time."""
    n = len(sorted_times)
    pos = round(share * n)
    if pos <= 0 or pos >= n:
        return max(0, min(pos, n))
    return int(np.searchsorted(sorted_times, sorted_times[pos], side="left"))
