"""Decision: the binary policy. Calibrate the out-of-fold scores, choose a threshold on the
calibrated probabilities by the spec's rule, bootstrap how stable it is, record the curves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from shipml.decision.bootstrap import LEVEL, RESAMPLES, Resampled, interval, resample
from shipml.decision.calibration import calibrate
from shipml.decision.costs import UNIT_COSTS, cost_matrix
from shipml.decision.curve import Counts, ThresholdCurve, threshold_curve
from shipml.decision.geometry import POSITIVE
from shipml.decision.oof import OutOfFold
from shipml.decision.outcome import FIT_ON_OOF, DecisionOutcome
from shipml.decision.thresholds import pick, rule_name
from shipml.runtime.policy import DecisionPolicy
from shipml.spec.model import Decision

THIN_SUPPORT = 20  # out-of-fold rows decided positive below which a warning is given


def fit_binary(
    oof: OutOfFold, d: Decision, classes: Sequence[object], seed: int
) -> DecisionOutcome:
    score = oof.scores[:, 1]  # (n, 2) class probabilities: the positive class's
    oof = OutOfFold(score, oof.y, oof.fold, oof.weight).take(np.argsort(score))  # sorted once
    cal = calibrate(oof, d.calibration, [np.arange(oof.n)], POSITIVE)
    curve = threshold_curve(cal.proba, (oof.y == 1).astype(np.float64), oof.weight)
    spec_costs = cost_matrix(d.costs, classes)
    costs = UNIT_COSTS if spec_costs is None else spec_costs
    rule = rule_name(d)
    beta = 1.0 if d.metric == "f1" else d.beta
    fixed = {"fixed": d.fixed, "default": 0.5}.get(rule)
    if fixed is not None:
        i, held = curve.index_of(fixed), True
    else:
        index, target_held = pick(d, curve.counts, costs)
        i, held = int(index), bool(target_held)
    boot = resample(curve, [i], seed)
    if d.assurance == "lower_bound":
        i, held = _assured(d, curve, boot, costs)  # one of the bootstrap's points
    threshold = float(curve.threshold[i]) if fixed is None else float(fixed)
    at = curve.at(i, costs, beta) | {"threshold": threshold}
    summary: dict[str, Any] = {
        "rule": rule,
        "target": {"recall_target": d.recall_target, "precision_target": d.precision_target}.get(
            rule
        ),  # what the rule reaches for, and F-beta's beta: what a promotion compares on
        "beta": beta,
        "metric": d.metric if rule == "metric" else None,
        "fit_on": FIT_ON_OOF,
        "source": _source(d, rule, threshold),
        "calibration": cal.kind,
        "threshold": threshold,
        "threshold_interval": _threshold_interval(d, curve, boot, costs, fixed),
        "target_met": held,
        "costs_given": spec_costs is not None,  # else cost_per_row is the error rate
        "oof": at,
        "oof_intervals": _intervals(boot, boot.position(i), costs, beta),
    }
    warnings = _warnings(d, curve, i, held, at)
    summary["warnings"] = list(warnings)
    policy = DecisionPolicy(
        rule="threshold",
        calibrators=cal.calibrators,
        threshold=threshold,
        costs=None if spec_costs is None else tuple(map(tuple, spec_costs.tolist())),
        summary=summary,
    )
    report = {
        "policy": summary,
        "calibration": cal.report,
        "costs": costs.tolist(),
        "reference": _reference(curve, costs, spec_costs is not None),
        "curve": curve.table(costs, beta, keep=i),
        "bootstrap": {"resamples": RESAMPLES, "level": LEVEL, "points": len(boot.cuts)},
    }
    return DecisionOutcome(policy, report, warnings)


def _assured(
    d: Decision, curve: ThresholdCurve, boot: Resampled, costs: np.ndarray
) -> tuple[int, bool]:
    """Choose on the bootstrap's points so the interval's lower bound meets the target."""
    rc = boot.counts
    lower = {"recall": boot.lower(rc.recall()), "precision": boot.lower(_precision(rc))}
    c = curve.counts
    point = Counts(c.tp[boot.cuts], c.fp[boot.cuts], c.pos, c.neg)
    j, held = pick(d, point, costs, lower)
    return int(boot.cuts[int(j)]), bool(held)


def _precision(counts: Counts) -> np.ndarray:
    """A resample that decides no row positive misses a precision target: it counts as 0."""
    return np.nan_to_num(counts.precision(), nan=0.0)


def _threshold_interval(
    d: Decision, curve: ThresholdCurve, boot: Resampled, costs: np.ndarray, fixed: float | None
) -> list[float | None]:
    """The rule re-run on every resample (a fixed threshold does not move)."""
    if fixed is not None:
        return [float(fixed), float(fixed)]
    chosen, _ = pick(d, boot.counts, costs)
    return interval(curve.threshold[boot.cuts[chosen]])


def _intervals(
    boot: Resampled, j: int, costs: np.ndarray, beta: float
) -> dict[str, list[float | None]]:
    """What the chosen threshold yields, over the resamples."""
    rc = boot.counts
    at = Counts(rc.tp[:, j], rc.fp[:, j], rc.pos[:, 0], rc.neg[:, 0])
    return {
        "precision": interval(_precision(at)),
        "recall": interval(at.recall()),
        "f_beta": interval(at.fbeta(beta)),
        "cost_per_row": interval(at.cost(costs)),
    }


def _reference(curve: ThresholdCurve, costs: np.ndarray, from_spec: bool) -> dict[str, Any]:
    """Points a reader compares the choice with: the F1-optimal threshold, the Bayes one."""
    f1 = int(np.nanargmax(curve.counts.fbeta(1.0)))
    out: dict[str, Any] = {"f1_optimal": curve.at(f1, costs, 1.0)}
    if from_spec:
        against, toward = costs[0, 1] - costs[0, 0], costs[1, 0] - costs[1, 1]
        out["bayes_threshold"] = float(against / (against + toward))
    return out


def _source(d: Decision, rule: str, threshold: float) -> str:
    point = "interval lower bound" if d.assurance == "lower_bound" else "point estimate"
    beta = 1.0 if d.metric == "f1" else d.beta
    return {
        "costs": f"minimum expected cost under {_costs_text(d.costs)}",
        "recall_target": f"recall >= {d.recall_target} ({point}) with the best precision",
        "precision_target": f"precision >= {d.precision_target} ({point}) with the best recall",
        "metric": _metric_text(d, beta),
        "fixed": f"fixed threshold {threshold:g}",
        "default": "default 0.5 (no rule in the spec); the F1-optimal threshold is in the report",
    }[rule] + ", on calibrated out-of-fold probabilities"


def _metric_text(d: Decision, beta: float) -> str:
    named = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy",
             "macro_f1": "macro F1"}.get(str(d.metric))  # fmt: skip
    return f"maximum {named}" if named else f"maximum F{beta:g} (beta {beta:g})"


def _costs_text(costs: object) -> str:
    if isinstance(costs, dict) and not any(isinstance(v, dict) for v in costs.values()):
        return ", ".join(f"{k}={v:g}" for k, v in costs.items())
    return "the cost matrix"


def _warnings(
    d: Decision, curve: ThresholdCurve, i: int, held: bool, at: dict[str, float]
) -> tuple[str, ...]:
    out = []
    if not held:
        name = "recall" if d.recall_target is not None else "precision"
        target = d.recall_target if d.recall_target is not None else d.precision_target
        bound = " at the interval's lower bound" if d.assurance == "lower_bound" else ""
        out.append(
            f"decision.{name}_target {target} cannot be met on the out-of-fold scores{bound}; "
            f"the best reachable is {name} {at[name]:.3f} at threshold {at['threshold']:.4f}"
        )
    decided = int(curve.rows_tp[i] + curve.rows_fp[i])
    if i == 0:
        out.append(
            "the threshold is above every calibrated out-of-fold probability: "
            "no row is decided positive"
        )
    elif decided < THIN_SUPPORT:
        out.append(
            f"the threshold decides only {decided} out-of-fold rows positive; its precision "
            "rests on few rows (see its interval, or set decision.assurance: lower_bound)"
        )
    return tuple(out)
