"""Refit on the non-test rows, score once on the test rows, and the leaderboard row."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shipml.candidates import Budget, tune
from shipml.candidates.baseline import Baseline
from shipml.candidates.boosting import LightGBM
from shipml.candidates.linear import Linear
from shipml.core.protocols import NullTracker
from shipml.evaluation import FoldCache, cross_validate, evaluate_holdout, leaderboard_row, refit
from shipml.framing.metrics import score
from shipml.runtime.steps import NumericStep
from shipml.spec.model import Constraints


def _tuned(family, frame, n_trials=2):
    cache = FoldCache(frame)
    return tune(
        family,
        lambda fam, params, report: cross_validate(fam, params, cache, report),
        task=frame.task,
        n_rows=len(frame.train_rows),
        maximize=True,
        budget=Budget(n_trials=n_trials, deadline=None),
        seed=frame.seed,
        fixed={},
        tracker=NullTracker(),
    )


def test_the_refit_preprocessor_never_sees_the_test_rows(frame):
    refitted = refit(_tuned(Linear(), frame), frame)
    step = refitted.model.preprocessor.steps[0]
    assert isinstance(step, NumericStep)
    x = frame.columns["x"]
    assert step.scaling.mean == pytest.approx(x[frame.train_rows].mean(), abs=1e-12)
    assert abs(step.scaling.mean - x.mean()) > 1e-6
    assert refitted.model.classes == frame.classes
    assert refitted.train_score > 0.75


def test_lightgbm_is_refit_with_the_folds_mean_best_iteration(frame):
    candidate = _tuned(LightGBM(), frame, n_trials=1)
    iterations = [i["best_iteration"] for i in candidate.outcome.infos]
    refitted = refit(candidate, frame)
    assert refitted.params["n_estimators"] == max(10, round(float(np.mean(iterations))))
    assert refitted.model.estimator.booster.current_iteration() == refitted.params["n_estimators"]


def test_the_holdout_scores_the_champion_on_the_test_rows(frame):
    champion = refit(_tuned(Linear(), frame), frame)
    baseline = refit(_tuned(Baseline(), frame, n_trials=1), frame)
    report = evaluate_holdout(
        champion.model,
        baseline.model,
        frame,
        train_score=champion.train_score,
        cv_score=0.85,
        baseline_cv=0.5,
    )
    rows = frame.test_rows
    assert report.predictions.shape == (len(rows), 2)
    expected = score(frame.primary, frame.y[rows], report.predictions)
    assert report.test_score == pytest.approx(expected)
    assert set(report.metrics) == {str(m) for m in (frame.primary, *frame.secondary)}
    assert report.baseline_metrics[str(frame.primary)] == pytest.approx(0.5)
    assert report.test_score > 0.75
    assert report.diagnosis


def test_a_leaderboard_row_records_constraint_violations(frame):
    candidate = _tuned(Linear(), frame)
    refitted = refit(candidate, frame)
    loose = leaderboard_row(candidate, refitted, frame, Constraints())
    assert loose.violations == ()
    assert loose.cv_mean == candidate.outcome.score
    assert loose.size_mb > 0
    assert loose.latency_p95_ms > 0
    tight = leaderboard_row(
        candidate, refitted, frame, Constraints(max_model_mb=1e-9, max_p95_latency_ms=1e-9)
    )
    assert [v.split()[0] for v in tight.violations] == ["p95", "size"]
    as_json = json.loads(json.dumps(tight.to_dict()))
    assert as_json["family"] == "linear"
    assert len(as_json["violations"]) == 2
