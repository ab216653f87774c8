"""Decision: the label-set policy (multilabel). Calibrate each label on its out-of-fold
scores, then decide a set: each label at its own threshold (`per_label`, one sort per label per
pass), the `top_k` most probable labels, or as many as the probabilities sum to
(`cardinality`). The out-of-fold metrics of the chosen rule stand beside those at 0.5.

Per-label thresholds serve the primary metric: F1-optimal per label for `f1_macro` (each
label's F1 alone), 0.5 for `hamming_loss` (with calibrated probabilities 0.5 minimizes the
expected share of wrong (row, label) decisions), and otherwise micro F1, the thresholds found by
coordinate ascent from both 0.5 and the per-label optimum (each step is one label's best cut
with the others fixed, so micro F1 never falls below either start).
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


NEVER = float(np.nextafter(1.0, 2.0))  # a threshold no probability reaches: never decided


def fit_labels(
    oof: OutOfFold,
    d: Decision,
    classes: Sequence[object],
    seed: int,
    primary: Metric | None = None,
) -> DecisionOutcome:
    orders = [np.argsort(oof.scores[:, j], kind="stable") for j in range(oof.scores.shape[1])]
    cal = calibrate(oof, d.calibration, orders, LABELS)
    rule = d.labels or "per_label"
    thresholds, aim = None, ""
    if rule == "per_label":
        thresholds, aim = label_thresholds(cal.proba, oof.y, oof.weight, primary)
    decided = decide_label_sets(cal.proba, rule, thresholds, d.k)
    at_half = decide_label_sets(cal.proba, "per_label", None, None)
    chosen = _set_metrics(oof.y, decided, oof.weight)
    half = _set_metrics(oof.y, at_half, oof.weight)
    labels = [str(c) for c in classes]
    summary: dict[str, Any] = {
        "rule": rule,
        "fit_on": FIT_ON_OOF,
        "source": _source(rule, d.k, chosen, half, aim),
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


def label_thresholds(
    proba: np.ndarray, Y: np.ndarray, w: np.ndarray, primary: Metric | None
) -> tuple[tuple[float, ...], str]:
    """Per-label thresholds for the primary metric, and what they aim at (for the summary)."""
    if primary is Metric.HAMMING_LOSS:
        return (0.5,) * proba.shape[1], "0.5 (the fewest wrong label decisions)"
    per_label = f1_thresholds(proba, Y, w)
    if primary is Metric.F1_MACRO:
        return per_label, "each label's F1-optimal threshold"
    found = [micro_f1_thresholds(proba, Y, w, start) for start in ((0.5,) * len(per_label),
                                                                   per_label)]  # fmt: skip
    scores = [_micro(Y, proba >= np.asarray(t), w) for t in found]
    return found[int(np.argmax(scores))], "thresholds that maximize micro F1"


def micro_f1_thresholds(
    proba: np.ndarray, Y: np.ndarray, w: np.ndarray, start: Sequence[float], passes: int = 3
) -> tuple[float, ...]:
    """Coordinate ascent on micro F1 = 2 TP / (TP + FP + P): each label in turn takes the cut
    (between distinct probabilities, or none) that maximizes it with the other labels fixed."""
    t = np.asarray(start, dtype=np.float64).copy()
    yes, W = Y == 1, w[:, None]
    decided = proba >= t
    tp = (W * (yes & decided)).sum(axis=0)
    fp = (W * (~yes & decided)).sum(axis=0)
    positives = float((W * yes).sum())
    for _ in range(passes):
        moved = False
        for j in range(proba.shape[1]):
            tp_o, fp_o = tp.sum() - tp[j], fp.sum() - fp[j]
            order = np.argsort(-proba[:, j], kind="stable")
            ps, ys, ws = proba[order, j], yes[order, j], w[order]
            ctp, cfp = np.cumsum(ws * ys), np.cumsum(ws * ~ys)
            last = np.r_[ps[1:] != ps[:-1], True]
            f = np.where(last, 2 * (tp_o + ctp) / np.maximum(positives + tp_o + ctp + fp_o + cfp,
                                                             1e-300), -1.0)  # fmt: skip
            none = 2 * tp_o / max(positives + tp_o + fp_o, 1e-300)
            now = 2 * tp.sum() / max(positives + tp.sum() + fp.sum(), 1e-300)
            best = int(np.argmax(f))
            if max(f[best], none) <= now + 1e-12:
                continue
            moved = True
            if none >= f[best]:
                t[j], tp[j], fp[j] = NEVER, 0.0, 0.0
            else:
                t[j], tp[j], fp[j] = float(ps[best]), float(ctp[best]), float(cfp[best])
        if not moved:
            break
    return tuple(float(x) for x in t)


def _micro(Y: np.ndarray, decided: np.ndarray, w: np.ndarray) -> float:
    return score(Metric.F1_MICRO, Y, decided.astype(np.float64), w)


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
        out.append(float(ps[best]) if positives > 0 else NEVER)
    return tuple(out)


def _set_metrics(Y: np.ndarray, decided: np.ndarray, w: np.ndarray) -> dict[str, float]:
    return {str(m): score(m, Y, decided.astype(np.float64), w) for m in SET_METRICS}


def _source(
    rule: str, k: int | None, chosen: dict[str, float], half: dict[str, float], aim: str
) -> str:
    how = {
        "per_label": f"each label at its own out-of-fold threshold ({aim})",
        "top_k": f"the {k} most probable labels of each row",
        "cardinality": "as many labels as the row's calibrated probabilities sum to",
    }[rule]
    micro = str(Metric.F1_MICRO)
    return (
        f"{how}: out-of-fold micro F1 {chosen[micro]:.4f} against {half[micro]:.4f} with every "
        "label at 0.5"
    )
