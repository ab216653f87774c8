"""Framing: the single-feature leakage probe.

Each feature alone is cross-validated against the target with a shallow tree (ROC AUC for a
binary target, one-vs-rest ROC AUC for several classes, R² for a number). A feature is a
leakage suspect, likely encoding the outcome, when it stands apart from the rest:

* its own score is near perfect, at least `NEAR_PERFECT` (0.98 for an AUC, 0.95 for R²), and
* it is at least `MARGIN` (0.05) above the best feature scoring under that bar.

Strength alone is not the signal: on clean sensor data the median feature may reach an AUC
of 0.87 and several reach 0.98 or more, and those are honest, strong features. Only a jump
clear of every ordinary feature marks one out; several planted leaks are all found, since
each is compared with the best feature under the bar, not with the other leaks. When every
feature reaches the bar there is no ordinary feature to compare with and nothing stands
apart, so none is singled out: the problem itself is easy (or all of it is leaked, which a
per-feature probe cannot tell apart). A lone feature is never reported, for the same reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from shipml.core.enums import Metric
from shipml.framing.metrics import score
from shipml.framing.problem import ProblemFrame
from shipml.runtime.preprocess import PreprocessConfig, fit_preprocessor
from shipml.tasks import ScoresKind, task_kind

NEAR_PERFECT = 0.98  # the bar for an AUC (binary, one-vs-rest)
NEAR_PERFECT_R2 = 0.95  # the bar for R² (regression)
MARGIN = 0.05  # how far above the best feature under the bar a suspect must be
_TOLERANCE = 1e-9  # 0.98 - 0.93 is 0.0499... in floating point
MAX_ROWS = 20_000
PROBE_FOLDS = 3


@dataclass(frozen=True, slots=True)
class LeakFinding:
    column: str
    score: float
    metric: Metric
    reason: str


def single_feature_scores(frame: ProblemFrame) -> tuple[Metric, dict[str, float]]:
    """Each feature's own cross-validated score (ROC AUC, one-vs-rest AUC or R²)."""
    metric = task_kind(frame.task).probe_metric
    rng = np.random.default_rng(frame.seed)
    folds = []
    for fold in frame.folds[:PROBE_FOLDS]:
        train = fold.train if len(fold.train) <= MAX_ROWS else rng.choice(fold.train, MAX_ROWS)
        folds.append((np.sort(train), fold.valid[: MAX_ROWS // 2]))
    scores = {}
    for name, ctype in frame.features.items():
        fold_scores = []
        for train, valid in folds:
            pre = fit_preprocessor(
                {name: frame.columns[name][train]}, {name: ctype}, PreprocessConfig()
            )
            x_tr = pre.transform({name: frame.columns[name][train]}).matrix
            x_va = pre.transform({name: frame.columns[name][valid]}).matrix
            pred = _fit_predict(frame, x_tr, frame.y[train], x_va)
            fold_scores.append(score(metric, frame.y[valid], pred))
        scores[name] = float(np.nanmean(fold_scores)) if not np.all(np.isnan(fold_scores)) else 0.0
    return metric, scores


def probe_leakage(frame: ProblemFrame) -> list[LeakFinding]:
    """Features that alone score near perfect, well above every ordinary feature."""
    if len(frame.features) < 2:
        return []
    metric, scores = single_feature_scores(frame)
    return leak_findings(metric, scores)


def near_perfect(metric: Metric) -> float:
    """The single-feature score from which a feature may be a suspect."""
    return NEAR_PERFECT_R2 if metric is Metric.R2 else NEAR_PERFECT


def leak_findings(metric: Metric, scores: Mapping[str, float]) -> list[LeakFinding]:
    """The suspects among single-feature scores: at least the bar and `MARGIN` above the
    best score under it; none when fewer than two features or none under the bar."""
    bar = near_perfect(metric)
    valid = {k: v for k, v in scores.items() if not math.isnan(v)}
    below = [v for v in valid.values() if v < bar]
    if len(valid) < 2 or not below:
        return []
    best = max(below)
    label = _LABELS.get(metric, str(metric))
    return [
        LeakFinding(
            name,
            s,
            metric,
            f"single-feature {label} {s:.3f}, {s - best:.2f} above the best other feature "
            f"({best:.3f}): it may encode the outcome",
        )
        for name, s in valid.items()
        if s >= bar and s - best >= MARGIN - _TOLERANCE
    ]


def _fit_predict(
    frame: ProblemFrame, x_tr: np.ndarray, y_tr: np.ndarray, x_va: np.ndarray
) -> np.ndarray:
    return _PROBES[task_kind(frame.task).scores](frame, x_tr, y_tr, x_va)


def _regress(
    frame: ProblemFrame, x_tr: np.ndarray, y_tr: np.ndarray, x_va: np.ndarray
) -> np.ndarray:
    reg = DecisionTreeRegressor(max_depth=8, min_samples_leaf=5, random_state=frame.seed)
    return np.asarray(reg.fit(x_tr, y_tr).predict(x_va))


def _classify(
    frame: ProblemFrame, x_tr: np.ndarray, y_tr: np.ndarray, x_va: np.ndarray
) -> np.ndarray:
    clf = DecisionTreeClassifier(max_depth=8, min_samples_leaf=5, random_state=frame.seed)
    clf.fit(x_tr, y_tr)
    proba = np.zeros((len(x_va), frame.n_classes))
    proba[:, clf.classes_] = clf.predict_proba(x_va)
    return proba


def _label_sets(
    frame: ProblemFrame, x_tr: np.ndarray, y_tr: np.ndarray, x_va: np.ndarray
) -> np.ndarray:
    """One multi-output tree over every label: P(label) per label, (n, L)."""
    clf = DecisionTreeClassifier(max_depth=8, min_samples_leaf=5, random_state=frame.seed)
    clf.fit(x_tr, y_tr)
    out = np.zeros((len(x_va), y_tr.shape[1]))
    for j, (classes, proba) in enumerate(zip(clf.classes_, clf.predict_proba(x_va), strict=True)):
        if 1 in classes:
            out[:, j] = proba[:, list(classes).index(1)]
    return out


_LABELS = {
    Metric.ROC_AUC: "ROC AUC",
    Metric.ROC_AUC_OVR: "one-vs-rest ROC AUC",
    Metric.R2: "R²",
    Metric.LABEL_RANKING_AVERAGE_PRECISION: "label ranking average precision",
}
_PROBES = {
    ScoresKind.VALUES: _regress,
    ScoresKind.CLASS_PROBABILITIES: _classify,
    ScoresKind.LABEL_PROBABILITIES: _label_sets,
}
