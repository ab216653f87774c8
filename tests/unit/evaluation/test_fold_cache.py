"""No leakage through preprocessing: each fold's preprocessor sees its training rows only."""

from __future__ import annotations

import numpy as np
import pytest

from shipml.core.enums import SplitKind
from shipml.evaluation import FoldCache
from shipml.runtime import PreprocessConfig
from shipml.runtime.steps import CategoricalStep, NumericStep

from .conftest import make_frame, make_table

SCALED = PreprocessConfig(impute=True, scale=True)


def _step(pre, column):
    return next(s for s in pre.steps if s.column == column)


@pytest.mark.parametrize(
    "validation",
    [{}, {"group_column": "user"}, {"time_column": "day"}],
    ids=["stratified", "group", "time"],
)
def test_the_scaler_is_fit_on_the_training_rows_of_the_fold_only(validation):
    table = make_table()
    table.loc[::7, "x"] = np.nan  # imputation statistics too
    frame = make_frame(table, validation=validation)
    cache = FoldCache(frame)
    x = frame.columns["x"]
    for k, fold in enumerate(frame.folds):
        mats = cache.matrices(k, SCALED)
        step = _step(mats.preprocessor, "x")
        assert isinstance(step, NumericStep)
        train_x = x[fold.train]
        median = float(np.nanmedian(train_x))
        filled = np.where(np.isnan(train_x), median, train_x)
        assert step.scaling.fill == median
        assert step.scaling.mean == pytest.approx(filled.mean(), abs=1e-12)
        assert step.scaling.scale == pytest.approx(filled.std(), abs=1e-12)
        everything = np.where(np.isnan(x), median, x)
        assert abs(step.scaling.mean - everything.mean()) > 1e-6  # not the all-rows mean
        np.testing.assert_allclose(mats.X_train[:, 0].mean(), 0.0, atol=1e-12)
        assert abs(mats.X_valid[:, 0].mean()) > 1e-6


def test_a_category_seen_only_in_validation_rows_is_unseen_there():
    frame = make_frame(validation={"group_column": "user"})
    assert frame.strategy is SplitKind.GROUP
    cache = FoldCache(frame)
    city = frame.columns["city"]
    for k, fold in enumerate(frame.folds):
        mats = cache.matrices(k, SCALED)
        step = _step(mats.preprocessor, "city")
        assert isinstance(step, CategoricalStep)
        valid_only = set(city[fold.valid]) - set(city[fold.train])
        assert valid_only == set(city[fold.valid])  # one city per user, users stay whole
        assert not valid_only & (set(step.categories) | set(step.rare))
        unseen = mats.preprocessor.transform(frame.rows(fold.valid)).unseen
        assert unseen == {"city": len(fold.valid)}
        assert mats.preprocessor.transform(frame.rows(fold.train)).unseen == {}
        column = mats.preprocessor.input_columns.index("city")
        np.testing.assert_array_equal(mats.X_valid[:, column], len(step.categories))


def test_matrices_are_cached_per_fold_and_config(frame):
    cache = FoldCache(frame)
    first = cache.matrices(0, SCALED)
    assert cache.matrices(0, PreprocessConfig(impute=True, scale=True)) is first
    assert cache.matrices(0, PreprocessConfig()) is not first
    assert cache.matrices(1, SCALED) is not first
    assert first.X_train.shape[0] == len(frame.folds[0].train)
    assert first.X_valid.shape[0] == len(frame.folds[0].valid)


@pytest.mark.parametrize(
    ("validation", "check"),
    [
        ({"group_column": "user"}, "group"),
        ({"time_column": "day", "gap": "3d"}, "time"),
        ({}, "stratified"),
    ],
)
def test_the_early_stopping_slice_is_cut_from_the_fold_like_the_folds(validation, check):
    frame = make_frame(validation=validation)
    cache = FoldCache(frame)
    users, days = frame.split.groups, frame.split.times
    for k, fold in enumerate(frame.folds):
        fit, early = cache.inner(k)
        assert len(fit) > 0
        assert len(early) > 0
        assert not set(fit.tolist()) & set(early.tolist())
        assert max(fit.max(), early.max()) < len(fold.train)  # positions within the fold
        rows_fit, rows_early = fold.train[fit], fold.train[early]
        assert not set(rows_early.tolist()) & set(fold.valid.tolist())
        if check == "group":
            assert not set(users[rows_fit]) & set(users[rows_early])
        if check == "time":
            assert days[rows_fit].max() <= days[rows_early].min() - 3
