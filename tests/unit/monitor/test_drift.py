"""Two-sample drift tests and the training-to-test shift: flagged on real shifts, quiet on a
fresh sample of the same distribution, and every sentence names the column and its numbers."""

from __future__ import annotations

import numpy as np
import pytest

from shipml.core.enums import ColumnType
from shipml.monitor.drift import categorical_drift, numeric_drift, psi
from shipml.monitor.shift import ShiftReport, feature_shift, target_shift

RNG = np.random.default_rng(11)


def test_psi_is_zero_for_equal_shares_and_grows_with_the_shift() -> None:
    assert psi(np.array([10, 20, 30]), np.array([20, 40, 60])) == pytest.approx(0.0)
    small = psi(np.array([50, 50]), np.array([55, 45]))
    large = psi(np.array([50, 50]), np.array([90, 10]))
    assert 0 < small < 0.1 < large


def test_a_numeric_shift_is_flagged_and_a_fresh_sample_is_not() -> None:
    train = RNG.normal(0, 1, 5000)
    same = numeric_drift("x", train, RNG.normal(0, 1, 2000))
    moved = numeric_drift("x", train, RNG.normal(1.0, 1, 2000))
    assert same is not None
    assert moved is not None
    assert not same.drifted
    assert moved.drifted
    assert moved.p_value < 0.01
    assert moved.psi > 0.2
    assert moved.test == "ks"
    assert moved.describe().startswith("x: PSI")


def test_a_categorical_shift_is_flagged_with_chi_squared() -> None:
    train = RNG.choice(["a", "b", "c"], 4000, p=[0.6, 0.3, 0.1])
    same = categorical_drift("c", train, RNG.choice(["a", "b", "c"], 2000, p=[0.6, 0.3, 0.1]))
    moved = categorical_drift(
        "c", train, RNG.choice(["a", "b", "c", "d"], 2000, p=[0.2, 0.3, 0.1, 0.4])
    )
    assert same is not None
    assert moved is not None
    assert not same.drifted
    assert moved.drifted
    assert moved.test == "chi2"


def test_missing_values_are_left_out_and_an_empty_sample_gives_nothing() -> None:
    assert numeric_drift("x", np.array([np.nan, np.nan]), np.array([1.0])) is None
    with_gaps = np.where(RNG.random(3000) < 0.3, np.nan, RNG.normal(size=3000))
    drift = numeric_drift("x", RNG.normal(size=3000), with_gaps)
    assert drift is not None
    assert drift.missing_other == pytest.approx(0.3, abs=0.03)
    assert "missing 0% -> 3" in drift.describe()


def test_the_binary_target_rate_shift_names_both_rates() -> None:
    y_train = np.r_[np.ones(365), np.zeros(635)].astype(int)
    y_test = np.r_[np.ones(817), np.zeros(183)].astype(int)
    shift = target_shift(y_train, y_test, ("0", "1"))
    assert shift is not None
    assert shift.shifted == ("1",)
    assert shift.sentence == "rate of 1 36.5% in training, 81.7% later"
    steady = target_shift(y_train, (RNG.random(1000) < 0.37).astype(int), ("0", "1"))
    assert steady is not None
    assert steady.shifted == ()


def test_a_numeric_target_mean_shift_is_measured_in_training_sds() -> None:
    shift = target_shift(RNG.normal(10, 2, 3000), RNG.normal(11, 2, 1000), None)
    assert shift is not None
    assert shift.shifted == ("mean",)
    assert "training standard deviations" in shift.sentence


def test_outside_range_and_unseen_months_are_named() -> None:
    months_train = np.array(
        ["2024-01-15", "2024-05-03", "2024-08-30"] * 100, dtype="datetime64[ns]"
    )
    months_test = np.array(["2024-09-10", "2024-12-01"] * 50, dtype="datetime64[ns]")
    train = {"x": RNG.uniform(0, 1, 300), "when": months_train}
    test = {"x": RNG.uniform(0.5, 1.5, 100), "when": months_test}
    types = {"x": ColumnType.NUMERIC, "when": ColumnType.DATETIME}
    drifts, outside = feature_shift(train, test, types)
    assert [d.column for d in drifts] == ["x"]
    assert drifts[0].drifted
    assert any(s.startswith("x: ") and "outside the training range" in s for s in outside)
    assert "when: months 9, 12 never occur in training" in outside
    report = ShiftReport(
        "test rows", target_shift(np.zeros(10), np.ones(10), ("0", "1")), drifts, outside
    )
    warnings = report.warnings()
    assert warnings[0].startswith("the target shifts between training and the test rows")
    assert any("features drift" in w and "x: PSI" in w for w in warnings)
