"""cross_validate: out-of-fold predictions exactly at validation positions, scores per fold."""

from __future__ import annotations

import numpy as np
import pytest

from shipml.candidates.baseline import Baseline
from shipml.candidates.boosting import LightGBM
from shipml.candidates.linear import Linear
from shipml.core.enums import Task
from shipml.evaluation import FoldCache, cross_validate
from shipml.framing.metrics import score

from .conftest import make_frame, make_table

LINEAR = {"penalty": "l2", "C": 1.0, "class_weight": "none"}


def _valid_positions(frame) -> np.ndarray:
    return np.concatenate([f.valid for f in frame.folds])


def test_oof_predictions_are_only_at_validation_positions(frame):
    outcome = cross_validate(Linear(), LINEAR, FoldCache(frame))
    assert outcome.oof.shape == (len(frame.y), 2)
    validated = np.zeros(len(frame.y), dtype=bool)
    validated[_valid_positions(frame)] = True
    assert np.isfinite(outcome.oof[validated]).all()
    assert np.isnan(outcome.oof[~validated]).all()
    assert set(np.flatnonzero(~validated).tolist()) == set(frame.test_rows.tolist())
    np.testing.assert_allclose(outcome.oof[validated].sum(axis=1), 1.0)


def test_oof_fold_indices_match_the_folds(frame):
    outcome = cross_validate(Baseline(), {}, FoldCache(frame))
    for k, fold in enumerate(frame.folds):
        assert (outcome.oof_fold[fold.valid] == k).all()
    assert (outcome.oof_fold[frame.test_rows] == -1).all()


def test_fold_scores_are_the_primary_metric_on_each_validation_fold(frame):
    outcome = cross_validate(Linear(), LINEAR, FoldCache(frame))
    assert len(outcome.fold_scores) == len(frame.folds)
    for k, fold in enumerate(frame.folds):
        expected = score(frame.primary, frame.y[fold.valid], outcome.oof[fold.valid])
        assert outcome.fold_scores[k] == pytest.approx(expected)
    assert outcome.score == pytest.approx(np.mean(outcome.fold_scores))
    assert set(outcome.secondary) == {str(m) for m in frame.secondary}
    assert outcome.score > 0.75  # the signal is learnable


def test_regression_oof_is_one_value_per_row():
    frame = make_frame(make_table(regression=True))
    assert frame.task is Task.REGRESSION
    outcome = cross_validate(Linear(), {"penalty": "l2", "l2_alpha": 1.0}, FoldCache(frame))
    assert outcome.oof.shape == (len(frame.y),)
    assert np.isnan(outcome.oof[frame.test_rows]).all()
    assert np.isfinite(outcome.oof[_valid_positions(frame)]).all()


def test_early_stopping_families_report_their_best_iteration():
    frame = make_frame(validation={"group_column": "user"})
    params = LightGBM().defaults(Task.BINARY, 400)[0]
    outcome = cross_validate(LightGBM(), params, FoldCache(frame))
    assert len(outcome.infos) == len(frame.folds)
    assert all(info["best_iteration"] >= 1 for info in outcome.infos)


def test_the_report_hook_sees_the_running_mean_after_each_fold(frame):
    seen: list[tuple[int, float]] = []
    outcome = cross_validate(Baseline(), {}, FoldCache(frame), lambda k, s: seen.append((k, s)))
    assert [k for k, _ in seen] == list(range(len(frame.folds)))
    assert seen[-1][1] == pytest.approx(outcome.score)
