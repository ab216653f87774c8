"""Runtime: the input schema of a fitted model, every non-target column of the training data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from shipml.core.enums import ColumnType

Role = Literal["feature", "passthrough"]


@dataclass(frozen=True, slots=True)
class InputColumn:
    """A column the model receives: features are required; passthrough ones are never used."""

    name: str
    type: ColumnType
    role: Role
    reason: str = ""

    @property
    def required(self) -> bool:
        return self.role == "feature"


@dataclass(frozen=True, slots=True)
class InputSchema:
    columns: tuple[InputColumn, ...]

    @property
    def features(self) -> list[str]:
        return [c.name for c in self.columns if c.role == "feature"]

    @property
    def passthrough(self) -> list[str]:
        return [c.name for c in self.columns if c.role == "passthrough"]

    @property
    def identifiers(self) -> list[str]:
        return [c.name for c in self.columns if c.type is ColumnType.ID]

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": [
                {"name": c.name, "type": str(c.type), "role": c.role, "reason": c.reason}
                for c in self.columns
            ]
        }

    @staticmethod
    def from_dict(d: dict[str, Any]) -> InputSchema:
        return InputSchema(
            columns=tuple(
                InputColumn(c["name"], ColumnType(c["type"]), c["role"], c.get("reason", ""))
                for c in d["columns"]
            )
        )
