"""Thresholds on calibrated out-of-fold scores: each rule against a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from shipml.decision import OutOfFold
from shipml.decision.curve import threshold_curve

from .conftest import PRIOR, SHIFT, binary_oof, fit, gaussian_scores, posterior

FP, FN = 1.0, 4.0
BAYES = FP / (FP + FN)  # on the posterior: decide positive when p >= c_fp / (c_fp + c_fn)


def bayes_boundary_score() -> float:
    """The raw score where the true posterior crosses the Bayes threshold."""
    x = (np.log(BAYES / (1 - BAYES)) - np.log(PRIOR / (1 - PRIOR))) / (2 * SHIFT)
    return float(1 / (1 + np.exp(-x)))


@pytest.mark.parametrize("calibration", ["sigmoid", "isotonic", "auto"])
def test_minimum_cost_finds_the_bayes_optimal_threshold(calibration: str) -> None:
    oof = binary_oof(200_000)
    out = fit(oof, costs={"fp": FP, "fn": FN}, calibration=calibration)
    policy = out.policy
    assert policy.threshold == pytest.approx(BAYES, abs=0.02)
    low, high = policy.summary["threshold_interval"]
    assert low <= policy.threshold <= high
    # the decision boundary in raw-score space lands on the Bayes boundary
    grid = np.linspace(0.3, 0.6, 3001)
    decided = policy.calibrate(np.column_stack([1 - grid, grid]))[:, 1] >= policy.threshold
    assert grid[np.argmax(decided)] == pytest.approx(bayes_boundary_score(), abs=0.01)
    # and its expected cost is within 1% of the Bayes decision's on fresh data
    score, y, _ = gaussian_scores(200_000, seed=9)
    chosen = policy.calibrate(np.column_stack([1 - score, score]))[:, 1] >= policy.threshold
    bayes = posterior(score) >= BAYES

    def cost(d: np.ndarray) -> float:
        return float((FP * (d & (y == 0)) + FN * (~d & (y == 1))).mean())

    assert cost(chosen) <= cost(bayes) * 1.01
    assert out.report["reference"]["bayes_threshold"] == pytest.approx(BAYES)


def test_without_calibration_the_cost_threshold_is_on_the_raw_scale() -> None:
    out = fit(binary_oof(200_000), costs={"fp": FP, "fn": FN}, calibration="none")
    assert out.policy.threshold == pytest.approx(bayes_boundary_score(), abs=0.01)


def _brute_force(p: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    t = np.unique(p)
    decided = p[None, :] >= t[:, None]
    tp = (decided & (y == 1)).sum(axis=1)
    fp = (decided & (y == 0)).sum(axis=1)
    return {"t": t, "recall": tp / (y == 1).sum(), "precision": tp / np.maximum(tp + fp, 1)}


def test_recall_target_takes_the_best_precision_among_thresholds_meeting_it() -> None:
    oof = binary_oof(3000)
    out = fit(oof, recall_target=0.8, calibration="none")
    bf = _brute_force(oof.scores[:, 1], oof.y)
    ok = bf["recall"] >= 0.8
    best = bf["t"][ok][np.argmax(bf["precision"][ok])]
    assert out.policy.threshold == pytest.approx(best)
    assert out.policy.summary["oof"]["recall"] >= 0.8
    assert out.policy.summary["target_met"]


def test_f_beta_matches_brute_force() -> None:
    oof = binary_oof(3000)
    out = fit(oof, metric="f_beta", beta=2.0, calibration="none")
    bf = _brute_force(oof.scores[:, 1], oof.y)
    f2 = 5 * bf["precision"] * bf["recall"] / np.maximum(4 * bf["precision"] + bf["recall"], 1e-12)
    assert out.policy.threshold == pytest.approx(bf["t"][np.argmax(f2)])


def test_an_unreachable_precision_target_says_so_and_gives_the_best_reachable() -> None:
    rng = np.random.default_rng(1)
    score = rng.choice([0.2, 0.4, 0.6], 4000)  # three score levels; the best is 60% positive
    y = (rng.random(4000) < score).astype(np.int64)
    out = fit(
        OutOfFold.of(np.column_stack([1 - score, score]), y, np.arange(4000) % 4),
        precision_target=0.99,
    )
    assert not out.policy.summary["target_met"]
    (warning,) = [w for w in out.warnings if "precision_target" in w]
    assert "cannot be met" in warning
    assert "best reachable" in warning
    assert out.policy.summary["oof"]["precision"] == pytest.approx(0.6, abs=0.03)


def test_a_threshold_resting_on_a_handful_of_rows_is_flagged() -> None:
    rng = np.random.default_rng(4)
    score = np.r_[np.full(5, 0.99), rng.uniform(0.1, 0.9, 3000)]
    y = np.r_[np.ones(5), rng.random(3000) < 0.4].astype(np.int64)
    out = fit(
        OutOfFold.of(np.column_stack([1 - score, score]), y, np.arange(3005) % 5),
        precision_target=0.95,
    )
    assert out.policy.summary["target_met"]
    assert out.policy.summary["oof"]["positive_rate"] * 3005 == pytest.approx(5)
    assert any("only 5 out-of-fold rows" in w for w in out.warnings)


def test_lower_bound_assurance_is_more_cautious_than_the_point_estimate() -> None:
    oof = binary_oof(5000)
    point = fit(oof, recall_target=0.9)
    assured = fit(oof, recall_target=0.9, assurance="lower_bound")
    assert assured.policy.threshold <= point.policy.threshold
    assert assured.policy.summary["oof_intervals"]["recall"][0] >= 0.9 - 1e-9
    assert point.policy.summary["oof_intervals"]["recall"][0] < 0.9


def test_no_rule_keeps_one_half_and_records_the_f1_optimal_threshold() -> None:
    out = fit(binary_oof())
    assert out.policy.rule == "threshold"
    assert out.policy.threshold == 0.5
    assert out.policy.summary["rule"] == "default"
    f1 = out.report["reference"]["f1_optimal"]
    assert 0 < f1["threshold"] < 1
    assert f1["f_beta"] >= out.policy.summary["oof"]["f_beta"]
    curve = out.report["curve"]
    assert len(curve["threshold"]) == len(curve["cost_per_row"]) <= 402


def test_fixed_threshold_is_kept_as_given() -> None:
    out = fit(binary_oof(), fixed=0.3)
    assert out.policy.threshold == 0.3
    assert out.policy.summary["threshold_interval"] == [0.3, 0.3]


def test_the_curve_counts_ties_together_and_respects_weights() -> None:
    p = np.array([0.9, 0.9, 0.5, 0.2])
    hit = np.array([1.0, 0.0, 1.0, 0.0])
    curve = threshold_curve(p, hit, np.array([2.0, 1.0, 1.0, 1.0]))
    assert curve.threshold[1:].tolist() == [0.9, 0.5, 0.2]
    assert curve.counts.tp.tolist() == [0.0, 2.0, 3.0, 3.0]
    assert curve.counts.fp.tolist() == [0.0, 1.0, 1.0, 2.0]
    assert curve.index_of(0.5) == 2
