"""Runtime: the input schema of a fitted model, every non-target column of the training data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from shipml.core.enums import ColumnFlag, ColumnType

Role = Literal["feature", "passthrough"]
# The flag that says best why a column is not used, most specific first.
UNUSED_ORDER = (
    ColumnFlag.LEAKAGE, ColumnFlag.FUTURE_DATETIME, ColumnFlag.IDENTIFIER, ColumnFlag.PII,
    ColumnFlag.TEXT, ColumnFlag.ROLE, ColumnFlag.EXCLUDED,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class UnusedInput:
    """An input column the model receives but does not learn from, and why."""

    column: str
    reason_code: str  # a ColumnFlag value, or "unsupported_type"
    reason: str  # for people

    def to_dict(self) -> dict[str, str]:
        return {"column": self.column, "reason_code": self.reason_code, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class InputColumn:
    """A column the model receives: features are required; passthrough ones are never used."""

    name: str
    type: ColumnType
    role: Role
    reason: str = ""
    flags: frozenset[ColumnFlag] = frozenset()
    format: str | None = None  # the strptime format of a datetime column read from text

    @property
    def pii(self) -> bool:
        return ColumnFlag.PII in self.flags

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

    def unused(self) -> tuple[UnusedInput, ...]:
        """Every column given at training that the model does not use, with the reason."""
        out = []
        for c in self.columns:
            if c.role == "feature":
                continue
            code = next((str(f) for f in UNUSED_ORDER if f in c.flags), "unsupported_type")
            out.append(UnusedInput(c.name, code, c.reason or f"a {c.type} column is not used"))
        return tuple(out)

    @property
    def identifiers(self) -> list[str]:
        return [c.name for c in self.columns if c.type is ColumnType.ID]

    @property
    def formats(self) -> dict[str, str]:
        return {c.name: c.format for c in self.columns if c.format is not None}

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [_column_dict(c) for c in self.columns]}

    @staticmethod
    def from_dict(d: dict[str, Any]) -> InputSchema:
        return InputSchema(
            columns=tuple(
                InputColumn(
                    c["name"],
                    ColumnType(c["type"]),
                    c["role"],
                    c.get("reason", ""),
                    frozenset(ColumnFlag(f) for f in c.get("flags", ())),
                    c.get("format"),
                )
                for c in d["columns"]
            )
        )


def _column_dict(c: InputColumn) -> dict[str, Any]:
    out: dict[str, Any] = {"name": c.name, "type": str(c.type), "role": c.role, "reason": c.reason}
    if c.flags:
        out["flags"] = sorted(str(f) for f in c.flags)
    if c.format is not None:
        out["format"] = c.format
    return out
