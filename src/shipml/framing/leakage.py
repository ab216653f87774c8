"""Framing: the single-feature leakage probe. A feature that alone predicts the target almost
perfectly, when the others do not, is a leakage suspect (it likely encodes the outcome).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from shipml.core.enums import Metric
from shipml.framing.metrics import score
from shipml.framing.problem import ProblemFrame
from shipml.runtime.preprocess import PreprocessConfig, fit_preprocessor
from shipml.tasks import ScoresKind, task_kind

NEAR_PERFECT = 0.98
OTHERS_BELOW = 0.90
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
    """Features whose own score is near perfect while the median of the others is not."""
    if len(frame.features) < 2:
        return []
    metric, scores = single_feature_scores(frame)
    findings = []
    for name, s in scores.items():
        others = [v for k, v in scores.items() if k != name]
        if s >= NEAR_PERFECT and float(np.median(others)) < OTHERS_BELOW:
            reason = (
                f"alone it reaches {metric} {s:.3f} while the median feature reaches "
                f"{float(np.median(others)):.3f}: it may encode the outcome"
            )
            findings.append(LeakFinding(name, s, metric, reason))
    return findings


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


_PROBES = {ScoresKind.VALUES: _regress, ScoresKind.CLASS_PROBABILITIES: _classify}
