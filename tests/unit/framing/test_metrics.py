"""Metric definitions and defaults: the primary metric suits the task; scores match sklearn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from shipml.core.enums import Metric, Task
from shipml.framing import DEFINITIONS, default_metrics, score


@pytest.mark.parametrize(
    ("task", "share", "primary"),
    [
        (Task.BINARY, 0.05, Metric.AVERAGE_PRECISION),
        (Task.BINARY, 0.149, Metric.AVERAGE_PRECISION),
        (Task.BINARY, 0.15, Metric.ROC_AUC),
        (Task.BINARY, 0.5, Metric.ROC_AUC),
        (Task.BINARY, None, Metric.ROC_AUC),
        (Task.MULTICLASS, None, Metric.LOG_LOSS),
        (Task.REGRESSION, None, Metric.RMSE),
    ],
)
def test_the_default_primary_metric(task, share, primary):
    chosen, secondary, reason = default_metrics(task, share)
    assert chosen is primary
    assert primary not in secondary
    assert reason


def test_every_metric_has_a_definition_with_its_direction():
    assert set(DEFINITIONS) == set(Metric)
    assert DEFINITIONS[Metric.LOG_LOSS].better(0.1, 0.2)
    assert DEFINITIONS[Metric.ROC_AUC].better(0.9, 0.8)
    assert not DEFINITIONS[Metric.RMSE].greater_is_better


RNG = np.random.default_rng(0)
Y_BIN = RNG.integers(0, 2, 200)
P_BIN = np.clip(Y_BIN * 0.3 + RNG.random(200) * 0.7, 0.01, 0.99)
PROBA_BIN = np.column_stack([1 - P_BIN, P_BIN])
Y_MULTI = RNG.integers(0, 3, 200)
PROBA_MULTI = RNG.dirichlet([1, 1, 1], 200)
Y_REG = RNG.normal(size=200)
P_REG = Y_REG + RNG.normal(0, 0.3, 200)
W = RNG.random(200)


@pytest.mark.parametrize(
    ("metric", "y", "pred", "expected"),
    [
        (Metric.ROC_AUC, Y_BIN, PROBA_BIN, skm.roc_auc_score(Y_BIN, P_BIN)),
        (Metric.AVERAGE_PRECISION, Y_BIN, PROBA_BIN, skm.average_precision_score(Y_BIN, P_BIN)),
        (Metric.LOG_LOSS, Y_BIN, PROBA_BIN, skm.log_loss(Y_BIN, PROBA_BIN)),
        (Metric.BRIER, Y_BIN, PROBA_BIN, skm.brier_score_loss(Y_BIN, P_BIN)),
        (Metric.ACCURACY, Y_BIN, PROBA_BIN, skm.accuracy_score(Y_BIN, P_BIN >= 0.5)),
        (Metric.F1, Y_BIN, PROBA_BIN, skm.f1_score(Y_BIN, P_BIN >= 0.5)),
        (Metric.LOG_LOSS, Y_MULTI, PROBA_MULTI, skm.log_loss(Y_MULTI, PROBA_MULTI)),
        (
            Metric.ROC_AUC_OVR,
            Y_MULTI,
            PROBA_MULTI,
            skm.roc_auc_score(Y_MULTI, PROBA_MULTI, multi_class="ovr"),
        ),
        (
            Metric.MACRO_F1,
            Y_MULTI,
            PROBA_MULTI,
            skm.f1_score(Y_MULTI, PROBA_MULTI.argmax(1), average="macro"),
        ),
        (
            Metric.BALANCED_ACCURACY,
            Y_MULTI,
            PROBA_MULTI,
            skm.balanced_accuracy_score(Y_MULTI, PROBA_MULTI.argmax(1)),
        ),
        (Metric.RMSE, Y_REG, P_REG, skm.root_mean_squared_error(Y_REG, P_REG)),
        (Metric.MAE, Y_REG, P_REG, skm.mean_absolute_error(Y_REG, P_REG)),
        (Metric.R2, Y_REG, P_REG, skm.r2_score(Y_REG, P_REG)),
    ],
)
def test_scores_match_sklearn(metric, y, pred, expected):
    assert score(metric, y, pred) == pytest.approx(expected, rel=1e-12)


def test_weights_are_passed_on():
    expected = skm.roc_auc_score(Y_BIN, P_BIN, sample_weight=W)
    assert score(Metric.ROC_AUC, Y_BIN, PROBA_BIN, W) == pytest.approx(expected)
    assert score(Metric.ROC_AUC, Y_BIN, PROBA_BIN, W) != pytest.approx(
        score(Metric.ROC_AUC, Y_BIN, PROBA_BIN)
    )


def test_log_loss_knows_every_class_even_when_a_fold_lacks_one():
    y = np.array([0, 0, 1])
    proba = np.array([[0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.2, 0.7, 0.1]])
    expected = skm.log_loss(y, proba, labels=[0, 1, 2])
    assert score(Metric.LOG_LOSS, y, proba) == pytest.approx(expected)


@pytest.mark.filterwarnings("ignore:Only one class is present")
def test_an_undefined_score_is_nan():
    assert np.isnan(score(Metric.ROC_AUC, np.zeros(4, dtype=int), np.full((4, 2), 0.5)))
