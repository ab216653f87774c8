"""Regression intervals from out-of-fold residuals: the coverage holds on fresh rows."""

from __future__ import annotations

import numpy as np
import pytest

from shipml.core.enums import Task
from shipml.decision import OutOfFold
from shipml.decision.intervals import residual_offsets

from .conftest import fit


def skewed(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n) * 3
    return y, y - rng.gumbel(size=n)  # predictions with skewed errors


@pytest.mark.parametrize("coverage", [0.8, 0.9])
def test_the_interval_covers_fresh_rows_at_the_spec_coverage(coverage: float) -> None:
    y, pred = skewed(4000, seed=0)
    out = fit(OutOfFold.of(pred, y, np.arange(4000) % 5), Task.REGRESSION, coverage=coverage)
    policy = out.policy
    assert policy.rule == "value"
    y_new, pred_new = skewed(100_000, seed=1)
    low, high = policy.bounds(pred_new)
    reached = np.mean((y_new >= low) & (y_new <= high))
    assert reached == pytest.approx(coverage, abs=0.02)
    assert reached >= coverage - 0.02
    assert policy.interval[0] < 0 < policy.interval[1]
    assert -policy.interval[0] < policy.interval[1]  # the errors' long tail is on one side
    assert "time-ordered" in policy.summary["note"]


def test_time_ordered_validation_warns_that_the_guarantee_weakens() -> None:
    from shipml.decision import fit_decision_policy
    from shipml.spec.model import Decision

    y, pred = skewed(500, seed=0)
    out = fit_decision_policy(
        OutOfFold.of(pred, y, np.arange(500) % 5),
        task=Task.REGRESSION,
        classes=(),
        decision=Decision(),
        time_ordered=True,
    )
    assert any("weakens" in w for w in out.warnings)


def test_few_rows_use_the_widest_residuals_and_say_so() -> None:
    low, high, enough = residual_offsets(np.arange(10.0), 0.95)
    assert (low, high, enough) == (0.0, 9.0, False)
    y, pred = skewed(10, seed=0)
    out = fit(OutOfFold.of(pred, y, np.arange(10) % 2), Task.REGRESSION, coverage=0.95)
    assert any("too few" in w for w in out.warnings)
