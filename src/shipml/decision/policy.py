"""Decision: `fit_decision_policy`, the stage. It reads only the champion's out-of-fold scores
(never the test set, never feature rows), so a new policy is derived in seconds."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from shipml.core.enums import Metric, TaskName
from shipml.core.errors import SpecError
from shipml.decision.binary import fit_binary
from shipml.decision.intervals import fit_intervals
from shipml.decision.labels import fit_labels
from shipml.decision.multiclass import fit_multiclass
from shipml.decision.oof import OutOfFold
from shipml.decision.outcome import DecisionOutcome
from shipml.decision.paths import fit_paths
from shipml.decision.thresholds import rule_name
from shipml.spec.model import Decision
from shipml.tasks import PolicyKind, task_kind
from shipml.tasks.spec_checks import decision_problems


def fit_decision_policy(
    oof: OutOfFold,
    *,
    task: TaskName,
    classes: Sequence[object],
    decision: Decision,
    seed: int = 0,
    time_ordered: bool = False,
    primary: Metric | None = None,
    stop_below: float = 0.0,
) -> DecisionOutcome:
    """Calibrate, then choose the rule's threshold (binary), decision (multiclass) or interval
    (regression) from the out-of-fold scores."""
    problems = decision_problems(decision, task_kind(task))
    if problems:
        raise SpecError(f"the decision section does not fit this {task} model:", problems=problems)
    kind = task_kind(task).policy
    decision, goal = primary_goal(decision, kind, primary)
    if kind is PolicyKind.VALUE:  # resolved here: each policy kind has its own fitter
        outcome = fit_intervals(oof, decision, time_ordered)
    elif kind is PolicyKind.LABELS:  # per-label thresholds serve the primary metric
        outcome = fit_labels(oof, decision, classes, seed, primary=primary)
    elif kind is PolicyKind.PATH:  # the walk's stopping share is the task section's
        outcome = fit_paths(oof, decision, classes, stop_below)
    else:
        outcome = FITTERS[kind](oof, decision, classes, seed)
    if goal:
        outcome = _said(outcome, f"; it maximizes {primary}, the primary metric, as the "
                        "decision section names no rule")  # fmt: skip
    return _for_task(outcome, str(task))


# A threshold-based primary metric the decision maximizes when the spec names no rule
GOALS: dict[PolicyKind, dict[Metric, str]] = {
    PolicyKind.THRESHOLD: {
        Metric.F1: "f1",
        Metric.ACCURACY: "accuracy",
        Metric.BALANCED_ACCURACY: "balanced_accuracy",
        Metric.MACRO_F1: "macro_f1",
    },
    PolicyKind.ARGMAX: {Metric.MACRO_F1: "macro_f1", Metric.BALANCED_ACCURACY: "balanced_accuracy"},
}


def primary_goal(
    decision: Decision, kind: PolicyKind, primary: Metric | None
) -> tuple[Decision, bool]:
    """The decision with `metric` set to the primary metric when that metric is decided at a
    threshold or an argmax and the spec names no rule; and whether it was set."""
    if primary is None or rule_name(decision) != "default" or decision.class_recall_floors:
        return decision, False
    goal = GOALS.get(kind, {}).get(primary)
    if goal is None:
        return decision, False
    return decision.model_copy(update={"metric": goal}), True


def _said(outcome: DecisionOutcome, why: str) -> DecisionOutcome:
    summary = dict(outcome.policy.summary)
    summary["source"] = str(summary.get("source", "")) + why
    summary["goal"] = "primary metric"
    return DecisionOutcome(dataclasses.replace(outcome.policy, summary=summary),
                           {**outcome.report, "policy": summary}, outcome.warnings)  # fmt: skip


def _for_task(outcome: DecisionOutcome, task: str) -> DecisionOutcome:
    """The outcome with its task recorded in the summary (the report's copy too), so a reader
    finds the task kind and, through it, the policy kind."""
    summary = {"task": task, **outcome.policy.summary}
    report = {**outcome.report, "policy": summary}
    return DecisionOutcome(dataclasses.replace(outcome.policy, summary=summary), report,
                           outcome.warnings)  # fmt: skip


FITTERS = {
    PolicyKind.THRESHOLD: fit_binary,
    PolicyKind.ARGMAX: fit_multiclass,
    PolicyKind.LABELS: fit_labels,
}
