"""Decision: the label-set policy (multilabel). Calibrate each label on its out-of-fold
scores, then decide a set: each label at its F1-optimal threshold (`per_label`, one sort per
label), the `top_k` most probable labels, or as many as the probabilities sum to
(`cardinality`). The out-of-fold metrics of the chosen rule stand beside those at 0.5.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from shipml.core.enums import Metric
from shipml.decision.calibration import calibrate
from shipml.decision.geometry import LABELS
from shipml.decision.oof import OutOfFold
from shipml.decision.outcome import FIT_ON_OOF, DecisionOutcome
from shipml.framing.metrics import score
from shipml.runtime.policy import DecisionPolicy, decide_label_sets
from shipml.spec.model import Decision

SET_METRICS = (Metric.F1_MICRO, Metric.F1_MACRO, Metric.SUBSET_ACCURACY, Metric.HAMMING_LOSS)
THIN_SUPPORT = 20  # out-of-fold positives of a label below which its threshold is uncertain


def fit_labels(
    oof: OutOfFold, d: Decision, classes: Sequence[object], seed: int
) -> DecisionOutcome:
    orders = [np.argsort(oof.scores[:, j], kind="stable") for j in range(oof.scores.shape[1])]
    cal = calibrate(oof, d.calibration, orders, LABELS)
    rule = d.labels or "per_label"
    thresholds = f1_thresholds(cal.proba, oof.y, oof.weight) if rule == "per_label" else None
    decided = decide_label_sets(cal.proba, rule, thresholds, d.k)
    at_half = decide_label_sets(cal.proba, "per_label", None, None)
    chosen = _set_metrics(oof.y, decided, oof.weight)
    half = _set_metrics(oof.y, at_half, oof.weight)
    labels = [str(c) for c in classes]
    summary: dict[str, Any] = {
        "rule": rule,
        "fit_on": FIT_ON_OOF,
        "source": _source(rule, d.k, chosen, half),
        "calibration": cal.kind,
        "k": d.k,
        "thresholds": None if thresholds is None else dict(zip(labels, thresholds, strict=True)),
        "oof_metrics": chosen,
        "oof_metrics_at_half": half,
    }
    support = oof.y.sum(axis=0)
    thin = [labels[j] for j in range(len(labels)) if support[j] < THIN_SUPPORT]
    warnings = (
        (
            f"the labels {thin} have fewer than {THIN_SUPPORT} positive out-of-fold rows; their "
            "thresholds are uncertain",
        )
        if thin and rule == "per_label"
        else ()
    )
    policy = DecisionPolicy(
        rule=rule, calibrators=cal.calibrators, thresholds=thresholds, k=d.k, summary=summary
    )
    return DecisionOutcome(policy, {"calibration": cal.report, "policy": summary}, warnings)


def f1_thresholds(proba: np.ndarray, Y: np.ndarray, w: np.ndarray) -> tuple[float, ...]:
    """Per label, the threshold on calibrated probabilities with the highest weighted F1 on
    the rows (decide the label when p >= threshold). One descending sort per label; a cut is
    only placed between distinct probabilities, and ties of F1 keep the higher threshold."""
    out = []
    for j in range(proba.shape[1]):
        p, y = proba[:, j], (Y[:, j] == 1).astype(np.float64)
        order = np.argsort(-p, kind="stable")
        ps, ys, ws = p[order], y[order], w[order]
        tp = np.cumsum(ws * ys)
        fp = np.cumsum(ws * (1.0 - ys))
        positives = tp[-1]
        last = np.r_[ps[1:] != ps[:-1], True]  # the last row of each run of equal p
        f1 = np.where(last, 2 * tp / np.maximum(positives + tp + fp, 1e-300), -1.0)
        best = int(np.argmax(f1))
        out.append(float(ps[best]) if positives > 0 else 1.0)
    return tuple(out)


def _set_metrics(Y: np.ndarray, decided: np.ndarray, w: np.ndarray) -> dict[str, float]:
    return {str(m): score(m, Y, decided.astype(np.float64), w) for m in SET_METRICS}


def _source(rule: str, k: int | None, chosen: dict[str, float], half: dict[str, float]) -> str:
    how = {
        "per_label": "each label at its F1-optimal out-of-fold threshold",
        "top_k": f"the {k} most probable labels of each row",
        "cardinality": "as many labels as the row's calibrated probabilities sum to",
    }[rule]
    micro = str(Metric.F1_MICRO)
    return (
        f"{how}: out-of-fold micro F1 {chosen[micro]:.4f} against {half[micro]:.4f} with every "
        "label at 0.5"
    )
