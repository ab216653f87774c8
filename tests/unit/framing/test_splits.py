"""The splitters never leak: groups stay whole, time flows forward, the holdout is set aside.

Properties are checked with hypothesis over random group sizes, labels and event times.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shipml.core.enums import SplitKind
from shipml.core.errors import DataContractError
from shipml.framing.splits import (
    SplitData,
    cv_folds,
    holdout_fraction,
    holdout_latest,
    inner_split,
)

FEW = settings(max_examples=25, deadline=None, database=None)


@st.composite
def grouped_rows(draw: st.DrawFn) -> tuple[np.ndarray, SplitData, int, int]:
    """Rows (a sorted subset of table positions) in groups of random sizes, with labels."""
    sizes = draw(st.lists(st.integers(1, 15), min_size=6, max_size=30))
    stratify = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    groups = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    y = rng.integers(0, 2, len(groups))
    rows = np.flatnonzero(rng.random(len(groups)) < 0.9)  # some table rows are not ours
    n_groups = len(np.unique(groups[rows]))
    assume(n_groups >= 3)
    n_folds = draw(st.integers(2, min(5, n_groups)))
    return rows, SplitData(y=y, stratify=stratify, groups=groups), n_folds, seed


@st.composite
def timed_rows(draw: st.DrawFn) -> tuple[np.ndarray, SplitData, int]:
    """Rows with random event times (ties likely) and a random gap."""
    n = draw(st.integers(40, 300))
    seed = draw(st.integers(0, 2**16))
    span = draw(st.sampled_from([30, 200, 5000]))
    gap = draw(st.sampled_from([0.0, 0.5, 3.0, 10.0]))
    rng = np.random.default_rng(seed)
    times = rng.integers(0, span, n).astype(np.float64)
    rows = np.flatnonzero(rng.random(n) < 0.9)
    y = rng.integers(0, 2, n)
    n_folds = draw(st.integers(2, 5))
    return rows, SplitData(y=y, stratify=True, times=times, gap=gap), n_folds


def _groups(data: SplitData, positions: np.ndarray) -> set[int]:
    return set(data.groups[positions].tolist())


def _group_folds(rows, data, n_folds, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a class rarer than the folds
        return cv_folds(rows, SplitKind.GROUP, data, n_folds, seed)


@FEW
@given(grouped_rows())
def test_group_folds_partition_the_rows_and_keep_groups_whole(case):
    rows, data, n_folds, seed = case
    folds = _group_folds(rows, data, n_folds, seed)
    assert len(folds) == n_folds
    all_valid = np.concatenate([f.valid for f in folds])
    assert sorted(all_valid.tolist()) == rows.tolist()  # every row validated exactly once
    seen: set[int] = set()
    for fold in folds:
        assert set(fold.train.tolist()) | set(fold.valid.tolist()) == set(rows.tolist())
        assert not _groups(data, fold.train) & _groups(data, fold.valid)
        assert not _groups(data, fold.valid) & seen  # no group validated in two folds
        seen |= _groups(data, fold.valid)


@FEW
@given(grouped_rows(), st.sampled_from([0.1, 0.2, 0.35]))
def test_the_group_holdout_and_inner_split_keep_groups_whole(case, fraction):
    rows, data, n_folds, seed = case
    train, test = holdout_fraction(rows, SplitKind.GROUP, data, fraction, seed)
    assert len(test) > 0
    assert sorted([*train.tolist(), *test.tolist()]) == rows.tolist()
    assert not _groups(data, train) & _groups(data, test)
    for fold in _group_folds(rows, data, n_folds, seed):
        if len(_groups(data, fold.train)) < 2:
            continue  # cannot be split by group; see the test below
        fit, early = inner_split(fold.train, SplitKind.GROUP, data, seed)
        assert len(early) > 0
        assert sorted([*fit.tolist(), *early.tolist()]) == sorted(fold.train.tolist())
        assert not _groups(data, fit) & _groups(data, early)


def test_an_inner_split_of_a_single_group_is_a_contract_error():
    data = SplitData(y=np.zeros(6, dtype=int), stratify=False, groups=np.array([0, 0, 0, 1, 1, 2]))
    with pytest.raises(DataContractError) as info:
        inner_split(np.arange(3), SplitKind.GROUP, data, 0)
    assert info.value.where == "validation.group_column"


def test_too_few_groups_for_the_folds_is_a_contract_error():
    data = SplitData(y=np.zeros(6, dtype=int), stratify=False, groups=np.array([0, 0, 1, 1, 2, 2]))
    with pytest.raises(DataContractError) as info:
        cv_folds(np.arange(6), SplitKind.GROUP, data, 4, 0)
    assert info.value.where == "validation.group_column"


@FEW
@given(timed_rows())
def test_time_folds_train_strictly_before_validation_and_respect_the_gap(case):
    rows, data, n_folds = case
    try:
        folds = cv_folds(rows, SplitKind.TIME, data, n_folds, 0)
    except DataContractError:
        assume(False)  # too few distinct times for the folds: refused, not leaked
    times = data.times
    previous_end = -np.inf
    for fold in folds:
        assert len(fold.train) > 0
        assert len(fold.valid) > 0
        assert set(fold.train.tolist()) <= set(rows.tolist())
        assert times[fold.train].max() < times[fold.valid].min()
        assert times[fold.train].max() <= times[fold.valid].min() - data.gap
        assert times[fold.valid].min() > previous_end  # folds move forward, never overlap
        previous_end = times[fold.valid].max()


@FEW
@given(timed_rows())
def test_the_time_inner_split_fits_on_earlier_rows_than_it_stops_on(case):
    rows, data, n_folds = case
    try:
        folds = cv_folds(rows, SplitKind.TIME, data, n_folds, 0)
    except DataContractError:
        assume(False)
    times = data.times
    for fold in folds:
        fit, early = inner_split(fold.train, SplitKind.TIME, data, 0)
        assert set(fit.tolist()) | set(early.tolist()) <= set(fold.train.tolist())
        assert not set(fit.tolist()) & set(early.tolist())
        if len(fit) and len(early):
            assert times[fit].max() < times[early].min()
            assert times[fit].max() <= times[early].min() - data.gap


@FEW
@given(timed_rows(), st.sampled_from([0.1, 0.2, 0.4]))
def test_the_time_holdout_takes_the_latest_rows(case, fraction):
    rows, data, _ = case
    assume(len(np.unique(data.times[rows])) >= 10)
    train, test = holdout_fraction(rows, SplitKind.TIME, data, fraction, 0)
    assert len(train) > 0
    assert len(test) > 0
    assert data.times[train].max() < data.times[test].min()
    assert data.times[train].max() <= data.times[test].min() - data.gap
    dropped = np.setdiff1d(rows, np.concatenate([train, test]))
    assert np.all(data.times[dropped] > data.times[test].min() - data.gap)  # only the gap
    assert abs(len(test) - fraction * len(rows)) <= np.bincount(data.times[rows].astype(int)).max()


@FEW
@given(timed_rows(), st.sampled_from([1.0, 7.0, 30.0]))
def test_the_latest_period_holdout_is_exactly_the_last_span(case, span):
    rows, data, _ = case
    train, test = holdout_latest(rows, data, span)
    latest = data.times[rows].max()
    assert np.all(data.times[test] > latest - span)
    assert np.all(data.times[train] <= latest - span)
    if len(test):
        assert np.all(data.times[train] <= data.times[test].min() - data.gap)
        dropped = np.setdiff1d(rows, np.concatenate([train, test]))
        assert np.all(data.times[dropped] > data.times[test].min() - data.gap)


def test_time_folds_with_too_few_distinct_times_are_refused():
    times = np.repeat([0.0, 1.0], 20)
    data = SplitData(y=np.zeros(40, dtype=int), stratify=False, times=times)
    with pytest.raises(DataContractError) as info:
        cv_folds(np.arange(40), SplitKind.TIME, data, 5, 0)
    assert info.value.where == "validation.time_column"


@pytest.mark.parametrize("n_folds", [3, 5])
def test_stratified_folds_keep_the_class_shares(n_folds):
    rng = np.random.default_rng(0)
    y = rng.choice(3, 600, p=[0.7, 0.2, 0.1])
    rows = np.arange(600)
    folds = cv_folds(rows, SplitKind.STRATIFIED, SplitData(y=y, stratify=True), n_folds, 1)
    counts = np.bincount(y, minlength=3)
    for fold in folds:
        valid_counts = np.bincount(y[fold.valid], minlength=3)
        for c in range(3):
            assert valid_counts[c] in (counts[c] // n_folds, -(-counts[c] // n_folds))
        assert not set(fold.train.tolist()) & set(fold.valid.tolist())


def test_the_stratified_holdout_keeps_the_class_shares_and_is_seeded():
    rng = np.random.default_rng(0)
    y = (rng.random(1000) < 0.08).astype(int)
    rows = np.arange(1000)
    data = SplitData(y=y, stratify=True)
    _, test = holdout_fraction(rows, SplitKind.STRATIFIED, data, 0.2, 3)
    assert len(test) == 200
    assert abs(y[test].mean() - y.mean()) < 0.006
    again = holdout_fraction(rows, SplitKind.STRATIFIED, data, 0.2, 3)
    np.testing.assert_array_equal(again[1], test)
    assert not np.array_equal(holdout_fraction(rows, SplitKind.STRATIFIED, data, 0.2, 4)[1], test)


def test_folds_are_deterministic_for_a_seed():
    y = np.random.default_rng(0).integers(0, 2, 200)
    data = SplitData(y=y, stratify=True)
    first = cv_folds(np.arange(200), SplitKind.STRATIFIED, data, 4, 9)
    second = cv_folds(np.arange(200), SplitKind.STRATIFIED, data, 4, 9)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.valid, b.valid)
