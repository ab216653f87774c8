"""Core: the vocabulary every layer shares (enums, the error tree, cross-cutting protocols)."""

from shipml.core.enums import ColumnType, Metric, SplitKind, Task
from shipml.core.errors import (
    ArtifactError,
    DataContractError,
    ModelNotFoundError,
    ShipmlError,
    SpecError,
)
from shipml.core.protocols import NullProgress, NullTracker, Progress, Tracker

__all__ = [
    "ArtifactError",
    "ColumnType",
    "DataContractError",
    "Metric",
    "ModelNotFoundError",
    "NullProgress",
    "NullTracker",
    "Progress",
    "ShipmlError",
    "SpecError",
    "SplitKind",
    "Task",
    "Tracker",
]
