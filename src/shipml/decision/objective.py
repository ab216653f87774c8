"""Decision: two policies compared on the objective the challenger's policy was fit for.

A threshold never changes a score metric (ROC AUC is the same at every cut), so a version
written by `shipml decide` is compared with the champion on what its rule optimises, both
policies deciding the same rows:

- `costs`: the expected cost per row in the spec's units (lower is better);
- `recall_target`: recall must reach the target first, then precision is compared; while only
  one policy reaches the target (or neither does), recall itself is compared;
- `precision_target`: the same with the roles swapped;
- `metric`: F-beta, or the accuracy, balanced accuracy or macro F1 it maximized (binary at a
  threshold, multiclass through class weights).

Each statistic is computed under the same resample weights for both (`compare_by`), so the
verdict rests on the interval of the paired difference. A fixed threshold, the default rule or
an interval states no objective: `objective_of` returns None and the caller says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shipml.core.enums import TaskName
from shipml.evaluation.comparison import Comparison, Statistic, compare_by
from shipml.runtime.policy import DecisionPolicy
from shipml.tasks import task_kind

TOLERANCE = 1e-12
DECIDED_METRICS = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "macro_f1": "macro F1",
}  # metrics of the decisions themselves, over every class


@dataclass(frozen=True, slots=True)
class Objective:
    kind: str  # "cost", "precision", "recall", "fbeta"
    label: str  # how sentences name it
    greater_is_better: bool
    floor: tuple[str, float] | None = None  # ("recall", 0.8): reached before `kind` counts
    beta: float = 1.0


def objective_of(policy: DecisionPolicy, task: TaskName) -> Objective | None:
    """What `policy`'s rule optimises; None when it states no objective."""
    summary = policy.summary
    rule = summary.get("rule")
    if policy.costs is not None and rule in ("costs", "min_cost"):
        return Objective("cost", "expected cost per row", greater_is_better=False)
    named = summary.get("metric")
    if named in DECIDED_METRICS:
        return Objective(str(named), DECIDED_METRICS[str(named)], True)
    if not task_kind(task).has_positive:
        return None
    target = summary.get("target")
    if rule == "recall_target" and isinstance(target, int | float):
        label = f"precision at recall >= {target:g}"
        return Objective("precision", label, True, ("recall", float(target)))
    if rule == "precision_target" and isinstance(target, int | float):
        label = f"recall at precision >= {target:g}"
        return Objective("recall", label, True, ("precision", float(target)))
    beta = summary.get("beta")
    if rule == "metric" and isinstance(beta, int | float):
        return Objective("fbeta", f"F{float(beta):g}", True, beta=float(beta))
    return None


def compare_policies(
    objective: Objective,
    costs: np.ndarray | None,
    y: np.ndarray,
    ours: np.ndarray,
    theirs: np.ndarray,
    w: np.ndarray | None,
    *,
    names: tuple[str, str],
    rows: str,
    seed: int,
) -> Comparison:
    """Compare two policies' decisions (class indices) of the same rows on `objective`."""
    kind, label, greater = objective.kind, objective.label, objective.greater_is_better
    if objective.floor is not None:
        floor, target = objective.floor
        reached = [
            _statistic(floor, y, d, costs, objective.beta)(_base(w, len(y)))[0]
            >= target - TOLERANCE
            for d in (ours, theirs)
        ]
        if not all(reached):  # the floor comes first: compare on it until both reach it
            kind, label, greater = floor, f"{floor} (target {target:g})", True
    return compare_by(
        label,
        greater,
        _statistic(kind, y, ours, costs, objective.beta),
        _statistic(kind, y, theirs, costs, objective.beta),
        w,
        len(y),
        names=names,
        rows=rows,
        seed=seed,
    )


def _base(w: np.ndarray | None, n: int) -> np.ndarray:
    return (np.ones(n) if w is None else np.asarray(w, dtype=np.float64))[None, :]


def _statistic(
    kind: str, y: np.ndarray, decided: np.ndarray, costs: np.ndarray | None, beta: float
) -> Statistic:
    y, decided = np.asarray(y, dtype=np.int64), np.asarray(decided, dtype=np.int64)
    if kind in DECIDED_METRICS:
        return _class_statistic(kind, y, decided)
    if kind == "cost":
        if costs is None:
            raise ValueError("a cost objective needs the cost matrix")
        per_row = np.asarray(costs, dtype=np.float64)[y, decided]
        return lambda W: _ratio(W @ per_row, W.sum(axis=1))
    tp = ((y == 1) & (decided == 1)).astype(np.float64)
    fp = ((y != 1) & (decided == 1)).astype(np.float64)
    fn = ((y == 1) & (decided != 1)).astype(np.float64)
    if kind == "precision":
        return lambda W: _ratio(W @ tp, W @ (tp + fp))
    if kind == "recall":
        return lambda W: _ratio(W @ tp, W @ (tp + fn))
    b2 = beta * beta
    return lambda W: _ratio((1 + b2) * (W @ tp), (1 + b2) * (W @ tp) + b2 * (W @ fn) + W @ fp)


def _class_statistic(kind: str, y: np.ndarray, decided: np.ndarray) -> Statistic:
    """Accuracy, balanced accuracy or macro F1 of decided classes under each weight row."""
    if kind == "accuracy":
        hit = (y == decided).astype(np.float64)
        return lambda W: _ratio(W @ hit, W.sum(axis=1))
    k = int(max(y.max(initial=0), decided.max(initial=0))) + 1
    truth, chosen = np.eye(k)[y], np.eye(k)[decided]

    def statistic(W: np.ndarray) -> np.ndarray:
        tp, support, picked = W @ (truth * chosen), W @ truth, W @ chosen
        with np.errstate(divide="ignore", invalid="ignore"):
            if kind == "balanced_accuracy":
                recall = np.where(support > 0, tp / np.where(support > 0, support, 1), np.nan)
                return np.nanmean(recall, axis=1)
            seen = (support + picked) > 0
            f1 = np.where(seen, 2 * tp / np.where(seen, support + picked, 1), np.nan)
            return np.nanmean(f1, axis=1)

    return statistic


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)
