"""Evaluation: score the frozen champion once on the test rows, through its decision policy
(metrics on calibrated probabilities, and at the policy's decision); diagnose the fit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shipml.core.enums import Metric, TaskName
from shipml.evaluation.comparison import Comparison, compare
from shipml.evaluation.label_sets import label_set_metrics
from shipml.evaluation.paths import path_decision_metrics
from shipml.framing.metrics import DEFINITIONS, score
from shipml.framing.problem import ProblemFrame
from shipml.runtime.inference import InferenceModel
from shipml.runtime.policy import DecisionPolicy
from shipml.tasks import task_kind

AT_DECISION = {
    Metric.ACCURACY, Metric.BALANCED_ACCURACY, Metric.F1, Metric.MACRO_F1,
    Metric.F1_MICRO, Metric.F1_MACRO, Metric.SUBSET_ACCURACY, Metric.HAMMING_LOSS,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class HoldoutReport:
    metrics: dict[str, float]  # champion's test metrics, on calibrated probabilities
    baseline_metrics: dict[str, float]
    train_score: float
    cv_score: float
    test_score: float
    diagnosis: str
    predictions: np.ndarray  # champion's raw test scores (uncalibrated: a new policy re-reads them)
    decided: dict[str, Any] = field(default_factory=dict)  # metrics at the policy's decision
    # the champion against the baseline on the same test rows, with the paired interval
    against_baseline: Comparison | None = None


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
    raw = champion.estimator.predict_raw(champion.matrix(test)[0])
    named = (frame.primary, *frame.secondary)
    metrics = policy_metrics(champion.policy, champion.task, named, y, raw, w, frame.classes)
    base_metrics: dict[str, float] = {}
    against = None
    if baseline is not None:
        base_pred = baseline.estimator.predict_raw(baseline.matrix(test)[0])
        stop = champion.policy.stop_below  # the baseline decides by the same path rule
        base_metrics = {str(m): score(m, y, base_pred, w, frame.classes, stop) for m in named}
        ours = primary_predictions(champion.policy, champion.task, frame.primary, raw)
        against = compare(
            frame.primary, y, ours, base_pred, w,
            names=("the champion", "the baseline"), rows="test rows", seed=frame.seed,
            classes=frame.classes, stop_below=(stop, stop),
        )  # fmt: skip
    test_score = metrics[str(frame.primary)]
    diagnosis = diagnose(frame, train_score, cv_score, test_score, baseline_cv)
    decided = decision_metrics(champion.policy, champion.task, y, raw, w, frame.classes)
    return HoldoutReport(
        metrics, base_metrics, train_score, cv_score, test_score, diagnosis, raw, decided, against
    )


def primary_predictions(
    policy: DecisionPolicy, task: TaskName, metric: Metric, raw: np.ndarray
) -> np.ndarray:
    """What `metric` reads of the champion, as `policy_metrics` scores it: values, calibrated
    probabilities, or the policy's decisions one-hot (for a label metric)."""
    if task_kind(task).gives_values:
        return raw
    proba = policy.calibrate(raw)
    if metric not in AT_DECISION:
        return proba
    decided = policy.decide(proba)
    if task_kind(task).label_sets:  # the sets themselves, 0/1 (n, L)
        return decided.astype(np.float64)
    k = proba.shape[1]  # a path stopped above the classes decides no class: a row of zeros
    return np.vstack([np.eye(k), np.zeros((1, k))])[np.minimum(decided, k)]


def policy_metrics(
    policy: DecisionPolicy,
    task: TaskName,
    names: Sequence[Metric],
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray | None,
    classes: Sequence[object] = (),
) -> dict[str, float]:
    """Metrics through the policy: scores on calibrated probabilities, and label metrics
    (accuracy, F1) on the policy's decisions, so at the chosen threshold; path metrics walk the
    tree at the policy's stopping share."""
    if task_kind(task).gives_values:
        return {str(m): score(m, y, raw, w) for m in names}
    stop = policy.stop_below
    return {
        str(m): score(m, y, primary_predictions(policy, task, m, raw), w, classes, stop)
        for m in names
    }


def decision_metrics(
    policy: DecisionPolicy,
    task: TaskName,
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray | None,
    classes: Sequence[object] = (),
) -> dict[str, Any]:
    """What the policy's decisions yield on labelled rows: the confusion matrix [true][decided]
    and metrics at the threshold, the cost in the spec's units against the default rule (0.5 or
    argmax), or the interval's coverage."""
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=np.float64)
    if task_kind(task).gives_values:
        bounds = policy.bounds(np.asarray(raw, dtype=np.float64))
        if bounds is None:
            return {}
        inside = (y >= bounds[0]) & (y <= bounds[1])
        target = policy.summary.get("coverage_target")
        width = float(np.mean(bounds[1] - bounds[0]))
        return {"coverage": float(inside.mean()), "coverage_target": target, "width": width}
    proba = policy.calibrate(raw)
    if task_kind(task).label_sets:
        return label_set_metrics(y, policy.decide(proba), w)
    if task_kind(task).paths:
        return path_decision_metrics(y, policy.decide(proba), w, classes)
    chosen = _confusion(y, policy.decide(proba), w, proba.shape[1])
    out: dict[str, Any] = {"confusion": chosen.tolist(), "accuracy": _accuracy(chosen)}
    if task_kind(task).has_positive:
        tp, fp, fn = chosen[1, 1], chosen[0, 1], chosen[1, 0]
        out |= {
            "threshold": policy.threshold,
            "precision": float(tp / (tp + fp)) if tp + fp > 0 else float("nan"),
            "recall": float(tp / (tp + fn)) if tp + fn > 0 else float("nan"),
            "f1": float(2 * tp / (2 * tp + fp + fn)) if tp + fp + fn > 0 else float("nan"),
        }
    if policy.costs is not None:
        costs = np.asarray(policy.costs)
        default = DecisionPolicy.default(task, classes).decide(proba)
        before = _confusion(y, default, w, proba.shape[1])
        out |= {
            "cost_total": float((chosen * costs).sum()),
            "cost_per_row": float((chosen * costs).sum() / w.sum()),
            "cost_total_default_rule": float((before * costs).sum()),
            "cost_saved": float(((before - chosen) * costs).sum()),
        }
    return out


def _confusion(y: np.ndarray, decided: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(y.astype(np.int64) * k + decided, w, minlength=k * k).reshape(k, k)


def _accuracy(confusion: np.ndarray) -> float:
    return float(np.trace(confusion) / max(confusion.sum(), 1e-300))


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
