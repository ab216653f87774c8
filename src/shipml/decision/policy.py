"""Decision: `fit_decision_policy`, the stage. It reads only the champion's out-of-fold scores
(never the test set, never feature rows), so a new policy is derived in seconds."""

from __future__ import annotations

from collections.abc import Sequence

from shipml.core.enums import Task
from shipml.core.errors import SpecError
from shipml.decision.binary import fit_binary
from shipml.decision.intervals import fit_intervals
from shipml.decision.multiclass import fit_multiclass
from shipml.decision.oof import OutOfFold
from shipml.decision.outcome import DecisionOutcome
from shipml.spec.checks import decision_problems
from shipml.spec.model import Decision
from shipml.tasks import PolicyKind, task_kind


def fit_decision_policy(
    oof: OutOfFold,
    *,
    task: Task,
    classes: Sequence[object],
    decision: Decision,
    seed: int = 0,
    time_ordered: bool = False,
) -> DecisionOutcome:
    """Calibrate, then choose the rule's threshold (binary), decision (multiclass) or interval
    (regression) from the out-of-fold scores."""
    problems = decision_problems(decision, str(task))
    if problems:
        raise SpecError(f"the decision section does not fit this {task} model:", problems=problems)
    kind = task_kind(task).policy
    if kind is PolicyKind.VALUE:  # resolved here: each policy kind has its own fitter
        return fit_intervals(oof, decision, time_ordered)
    return FITTERS[kind](oof, decision, classes, seed)


FITTERS = {PolicyKind.THRESHOLD: fit_binary, PolicyKind.ARGMAX: fit_multiclass}
