"""Fairness metrics match a hand computation on a small table."""

from __future__ import annotations

import numpy as np
import pytest

from shipml.explain import assess_fairness
from shipml.explain.fairness import band
from shipml.spec.model import Fairness

# group A: 6 rows, group B: 4 rows
GROUP = np.array(["A"] * 6 + ["B"] * 4, dtype=object)
Y_TRUE = np.array([1, 1, 1, 0, 0, 0, 1, 1, 0, 0], dtype=bool)
Y_PRED = np.array([1, 1, 0, 1, 0, 0, 1, 0, 0, 0], dtype=bool)


def test_group_rates_and_differences_match_a_hand_computation() -> None:
    section = Fairness(sensitive=["group"], tolerance={"demographic_parity_difference": 0.2})
    report = assess_fairness({"group": GROUP}, Y_TRUE, Y_PRED, section, decision="test",
                             bootstrap=50, min_group=1)  # fmt: skip
    (by_group,) = report.slices
    a, b = by_group.groups
    assert (a.group, a.count, b.group, b.count) == ("A", 6, "B", 4)
    # A: 3 selected of 6; TP 2 of 3 positives; FP 1 of 3 negatives
    assert a.values == pytest.approx({"selection_rate": 3 / 6, "tpr": 2 / 3, "fpr": 1 / 3})
    # B: 1 selected of 4; TP 1 of 2 positives; FP 0 of 2 negatives
    assert b.values == pytest.approx({"selection_rate": 1 / 4, "tpr": 1 / 2, "fpr": 0.0})
    dp, eo = by_group.disparities
    assert dp.metric == "demographic_parity_difference"
    assert dp.value == pytest.approx(0.25)
    assert eo.metric == "equalized_odds_difference"
    assert eo.value == pytest.approx(max(2 / 3 - 1 / 2, 1 / 3 - 0))
    assert dp.flagged
    assert dp.tolerance == 0.2
    assert eo.flagged
    assert eo.tolerance == 0.1
    assert dp.low <= dp.value <= dp.high or np.isnan(dp.low)


def test_fairlearn_agrees() -> None:
    from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

    report = assess_fairness({"group": GROUP}, Y_TRUE, Y_PRED, Fairness(sensitive=["group"]),
                             decision="test", bootstrap=10, min_group=1)  # fmt: skip
    dp, eo = report.slices[0].disparities
    kw = {"sensitive_features": GROUP}
    assert dp.value == pytest.approx(demographic_parity_difference(Y_TRUE, Y_PRED, **kw))
    assert eo.value == pytest.approx(equalized_odds_difference(Y_TRUE, Y_PRED, **kw))


def test_numeric_columns_are_banded_and_intersections_assessed() -> None:
    age = np.array([18, 30, 45, 70, 22, 38, 50, 66, np.nan, 40], dtype=float)
    labels, order = band(age, [25, 40, 65])
    assert list(labels[:4]) == ["<25", "25–40", "40–65", "≥65"]
    assert labels[8] == "missing"
    assert labels[9] == "40–65"
    assert order == ["<25", "25–40", "40–65", "≥65", "missing"]
    section = Fairness(sensitive=["group", "age"], bins={"age": [25, 40, 65]})
    report = assess_fairness({"group": GROUP, "age": age}, Y_TRUE, Y_PRED, section,
                             decision="test", bootstrap=10, min_group=1)  # fmt: skip
    assert [s.by for s in report.slices] == [("group",), ("age",), ("group", "age")]
    joint = report.slices[2]
    assert sum(g.count for g in joint.groups) == 10
    assert joint.groups[0].group == "group=A & age=<25"


def test_small_groups_are_left_out_of_the_differences() -> None:
    report = assess_fairness({"group": GROUP}, Y_TRUE, Y_PRED, Fairness(sensitive=["group"]),
                             decision="test", bootstrap=10, min_group=5)  # fmt: skip
    s = report.slices[0]
    assert s.small_groups == ("B",)
    assert np.isnan(s.disparities[0].value)  # one group left: no difference to take


def test_every_difference_has_a_tolerance_in_the_spec():
    from shipml.explain.fairness import DIFFERENCES
    from shipml.spec.model import FairnessTolerance

    assert set(DIFFERENCES) == set(FairnessTolerance.model_fields)
