"""Evaluation: score the frozen champion once on the test rows; diagnose the fit."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from shipml.framing.metrics import DEFINITIONS, score
from shipml.framing.problem import ProblemFrame
from shipml.runtime.inference import InferenceModel


@dataclass(frozen=True, slots=True)
class HoldoutReport:
    metrics: dict[str, float]  # champion's test metrics
    baseline_metrics: dict[str, float]
    train_score: float
    cv_score: float
    test_score: float
    diagnosis: str
    predictions: np.ndarray  # champion's test predictions (probabilities or values)


def evaluate_holdout(
    champion: InferenceModel,
    baseline: InferenceModel | None,
    frame: ProblemFrame,
    *,
    train_score: float,
    cv_score: float,
    baseline_cv: float,
) -> HoldoutReport:
    rows = frame.test_rows
    test = frame.rows(rows)
    y, w = frame.y[rows], frame.weights(rows)
    pred = champion.estimator.predict_raw(champion.matrix(test)[0])
    metrics = {str(m): score(m, y, pred, w) for m in (frame.primary, *frame.secondary)}
    base_metrics: dict[str, float] = {}
    if baseline is not None:
        base_pred = baseline.estimator.predict_raw(baseline.matrix(test)[0])
        base_metrics = {
            str(m): score(m, y, base_pred, w) for m in (frame.primary, *frame.secondary)
        }
    test_score = metrics[str(frame.primary)]
    diagnosis = diagnose(frame, train_score, cv_score, test_score, baseline_cv)
    return HoldoutReport(metrics, base_metrics, train_score, cv_score, test_score, diagnosis, pred)


def diagnose(frame: ProblemFrame, train: float, cv: float, test: float, baseline: float) -> str:
    """One line: over- or underfitting, or a gap between validation and test."""
    perfect = DEFINITIONS[frame.primary].perfect

    def skill(s: float) -> float:  # 0 at the baseline, 1 at a perfect score
        span = perfect - baseline
        return (s - baseline) / span if span and not math.isnan(s) else 0.0

    gap = skill(train) - skill(cv)
    if gap > 0.15:
        return (
            f"overfitting: train {train:.4f} vs CV {cv:.4f}; regularize or simplify "
            "(fewer leaves, more samples per leaf, stronger L2)"
        )
    if skill(cv) < 0.1 and gap < 0.05:
        return (
            f"underfitting: train {train:.4f} and CV {cv:.4f} barely beat the baseline "
            f"{baseline:.4f}; add capacity, features, or lower regularization"
        )
    if skill(cv) - skill(test) > 0.15:
        return (
            f"test {test:.4f} falls short of CV {cv:.4f}: the test period or population may "
            "differ (drift), or validation was optimistic"
        )
    return f"a sound fit: train {train:.4f}, CV {cv:.4f}, test {test:.4f}"
