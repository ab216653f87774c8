"""Calibration fit on out-of-fold scores: it lowers the ECE of a miscalibrated model, held out
as well; Platt recovers a known map; `auto` records its comparison."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB

from shipml.decision import OutOfFold, reliability
from shipml.decision.geometry import POSITIVE

from .conftest import PRIOR, SHIFT, binary_oof, fit


@pytest.fixture(scope="module")
def naive_bayes() -> tuple[OutOfFold, np.ndarray, np.ndarray]:
    """Gaussian naive Bayes on correlated features: overconfident, so badly calibrated."""
    X, y = make_classification(6000, n_features=20, n_informative=5, n_redundant=10, random_state=0)
    X_train, y_train, X_test, y_test = X[:4000], y[:4000], X[4000:], y[4000:]
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    fold = np.empty(4000, dtype=np.int64)
    for k, (_, valid) in enumerate(folds.split(X_train, y_train)):
        fold[valid] = k
    oof = cross_val_predict(GaussianNB(), X_train, y_train, cv=folds, method="predict_proba")
    test = GaussianNB().fit(X_train, y_train).predict_proba(X_test)
    return OutOfFold.of(oof, y_train, fold), test, y_test


@pytest.mark.parametrize("calibration", ["auto", "isotonic", "sigmoid"])
def test_calibration_lowers_the_ece_of_naive_bayes(naive_bayes, calibration: str) -> None:
    oof, test, y_test = naive_bayes
    out = fit(oof, calibration=calibration)
    report = out.report["calibration"]
    assert report["kind"] != "none"
    assert report["before"]["ece"] > 0.05
    assert report["after"]["ece"] < report["before"]["ece"] / 2  # cross-fitted, so honest
    ones = np.ones(len(y_test))
    before = reliability(POSITIVE, test[:, 1], y_test, ones)["ece"]
    after = reliability(POSITIVE, out.policy.calibrate(test)[:, 1], y_test, ones)["ece"]
    assert after < before / 2
    bins = report["after"]["bins"]
    assert sum(b["weight"] for b in bins) == pytest.approx(oof.n)


def test_auto_records_each_maps_cross_fitted_score_and_its_reason() -> None:
    out = fit(binary_oof())
    report = out.report["calibration"]
    assert set(report["cross_fitted"]) == {"none", "sigmoid", "isotonic"}
    chosen = report["cross_fitted"][report["kind"]]["log_loss"]
    assert chosen <= min(s["log_loss"] for s in report["cross_fitted"].values()) + 1e-4
    assert report["reason"].startswith(f"auto: {report['kind']}")


def test_platt_recovers_the_known_map() -> None:
    out = fit(binary_oof(100_000), calibration="sigmoid")
    (cal,) = out.policy.calibrators
    assert cal.a == pytest.approx(2 * SHIFT, abs=0.05)
    assert cal.b == pytest.approx(np.log(PRIOR / (1 - PRIOR)), abs=0.05)


def test_isotonic_is_monotone_and_never_exactly_zero_or_one() -> None:
    out = fit(binary_oof(), calibration="isotonic")
    (cal,) = out.policy.calibrators
    assert np.all(np.diff(cal.x) >= 0)
    assert np.all(np.diff(cal.y) >= 0)
    assert min(cal.y) > 0
    assert max(cal.y) < 1


def test_calibration_none_leaves_scores_alone() -> None:
    oof = binary_oof()
    out = fit(oof, calibration="none")
    np.testing.assert_array_equal(out.policy.calibrate(oof.scores), oof.scores)
