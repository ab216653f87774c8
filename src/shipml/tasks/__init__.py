"""Tasks: what differs between task kinds, as data; every later layer asks the task."""

from shipml.tasks.kind import (
    ClassCount,
    MetricDefaults,
    PolicyKind,
    RawOutput,
    ReportSection,
    RequestShape,
    ScoreField,
    ScoresKind,
    TargetEncoding,
    TargetKind,
    TaskKind,
)
from shipml.tasks.load import load_spec
from shipml.tasks.registry import register_task, registered, task_kind, unregister_task

__all__ = [
    "ClassCount",
    "MetricDefaults",
    "PolicyKind",
    "RawOutput",
    "ReportSection",
    "RequestShape",
    "ScoreField",
    "ScoresKind",
    "TargetEncoding",
    "TargetKind",
    "TaskKind",
    "load_spec",
    "register_task",
    "registered",
    "task_kind",
    "unregister_task",
]
