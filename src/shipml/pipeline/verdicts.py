"""Pipeline: what training may claim about its champion, computed from the numbers it shows.

- The baseline gate: the champion becomes @champion by itself only when it beats the baseline
  on the test rows (the paired bootstrap interval of the improvement above zero,
  `evaluation.comparison`); otherwise it is registered as @challenger and every output says so.
- The shift between the training rows and the test rows: the target's rate (or mean) and each
  used feature's distribution (`monitor.shift`), as warnings that name the columns.
"""

from __future__ import annotations

from shipml.evaluation import HoldoutReport
from shipml.framing import ProblemFrame
from shipml.monitor.shift import ShiftReport, feature_shift, target_shift
from shipml.tasks import task_kind


def not_champion(holdout: HoldoutReport) -> str | None:
    """Why the champion may not become @champion by itself; None when it beats the baseline
    (or when the ladder ran no baseline to compare with)."""
    against = holdout.against_baseline
    if against is None or against.better:
        return None
    return f"the model does not beat the baseline on the test rows: {against.sentence()}"


def test_shift(frame: ProblemFrame, psi_alert: float) -> ShiftReport:
    """The test rows against the training rows, on the target and the used features."""
    train, test = frame.train_rows, frame.test_rows
    classes = None if task_kind(frame.task).gives_values else frame.classes
    kind = task_kind(frame.task)
    target = target_shift(frame.y[train], frame.y[test], classes, label_sets=kind.label_sets)
    drifts, outside = feature_shift(
        frame.rows(train), frame.rows(test), frame.features, psi_alert=psi_alert
    )
    return ShiftReport("test rows", target, drifts, outside)
