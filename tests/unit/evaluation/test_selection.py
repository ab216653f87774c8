"""select_champion and diagnose: the best feasible candidate, with the reasons and warnings."""

from __future__ import annotations

import pytest

from shipml.core.enums import Metric
from shipml.core.errors import ConstraintError
from shipml.evaluation import diagnose, rank, select_champion
from shipml.framing.metrics import DEFINITIONS

from .conftest import make_frame, make_row

AUC = DEFINITIONS[Metric.ROC_AUC]
LOG_LOSS = DEFINITIONS[Metric.LOG_LOSS]


def test_the_best_feasible_candidate_wins():
    rows = [make_row("baseline", 0.5), make_row("linear", 0.80), make_row("lightgbm", 0.85)]
    selection = select_champion(rows, AUC, strict=True)
    assert selection.champion == "lightgbm"
    assert selection.beats_baseline
    assert selection.warnings == ()
    assert "0.8500" in selection.reason


def test_lower_is_better_metrics_are_ranked_ascending():
    rows = [make_row("baseline", 0.69), make_row("linear", 0.40), make_row("lightgbm", 0.45)]
    assert select_champion(rows, LOG_LOSS, strict=False).champion == "linear"


def test_a_better_scoring_constraint_breaker_is_reported():
    rows = [
        make_row("baseline", 0.5),
        make_row("linear", 0.80),
        make_row("lightgbm", 0.90, "p95 latency 9.00 ms > 5 ms"),
    ]
    selection = select_champion(rows, AUC, strict=True)
    assert selection.champion == "linear"
    assert "better-scoring lightgbm broke a constraint" in selection.reason


def test_strict_with_nothing_feasible_raises_naming_the_violations():
    rows = [make_row("baseline", 0.5, "size 3 MB > 1 MB"), make_row("linear", 0.8, "size 2 MB")]
    with pytest.raises(ConstraintError) as info:
        select_champion(rows, AUC, strict=True)
    assert info.value.where == "constraints"
    assert "linear: size 2 MB" in str(info.value)


def test_not_strict_with_nothing_feasible_takes_the_best_and_warns():
    rows = [make_row("baseline", 0.5, "slow"), make_row("linear", 0.8, "big")]
    selection = select_champion(rows, AUC, strict=False)
    assert selection.champion == "linear"
    assert any("no candidate meets the constraints" in w for w in selection.warnings)


@pytest.mark.parametrize(
    "rows",
    [
        [make_row("baseline", 0.70), make_row("linear", 0.70)],
        [make_row("baseline", 0.70), make_row("linear", 0.65)],
        [make_row("baseline", 0.70)],
    ],
    ids=["tie", "worse", "baseline_only"],
)
def test_a_champion_that_does_not_beat_the_baseline_is_warned_about(rows):
    selection = select_champion(rows, AUC, strict=False)
    assert not selection.beats_baseline
    assert any("does not beat the baseline" in w for w in selection.warnings)


def test_nan_scores_rank_last():
    rows = [make_row("lightgbm", float("nan")), make_row("linear", 0.6), make_row("baseline", 0.5)]
    assert [r.family for r in rank(rows, AUC)] == ["linear", "baseline", "lightgbm"]
    assert [r.family for r in rank(rows, LOG_LOSS)] == ["baseline", "linear", "lightgbm"]


def test_ties_go_to_the_earlier_cheaper_rung():
    rows = [make_row("baseline", 0.5), make_row("linear", 0.8), make_row("lightgbm", 0.8)]
    assert select_champion(rows, AUC, strict=False).champion == "linear"


def test_diagnose_says_overfitting_when_train_is_far_above_cv(frame):
    verdict = diagnose(frame, train=0.99, cv=0.75, test=0.74, baseline=0.5)
    assert verdict.startswith("overfitting")


def test_diagnose_says_underfitting_when_cv_barely_beats_the_baseline(frame):
    verdict = diagnose(frame, train=0.53, cv=0.52, test=0.52, baseline=0.5)
    assert verdict.startswith("underfitting")


def test_diagnose_flags_a_test_score_below_cv(frame):
    assert diagnose(frame, train=0.86, cv=0.85, test=0.62, baseline=0.5).startswith("test 0.6200")


def test_diagnose_says_sound_otherwise(frame):
    assert diagnose(frame, train=0.87, cv=0.85, test=0.84, baseline=0.5).startswith("a sound fit")


def test_diagnose_works_for_lower_is_better_metrics():
    frame = make_frame(metrics={"primary": "log_loss"})
    assert frame.primary is Metric.LOG_LOSS
    assert diagnose(frame, train=0.05, cv=0.45, test=0.46, baseline=0.66).startswith("overfit")
    assert diagnose(frame, train=0.65, cv=0.65, test=0.65, baseline=0.66).startswith("underfit")
    assert diagnose(frame, train=0.30, cv=0.33, test=0.34, baseline=0.66).startswith("a sound")
