"""Framing: the `ProblemFrame`, everything training needs, and the record of every choice."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from shipml.core.enums import ColumnFlag, ColumnType, Metric, SplitKind, TaskName
from shipml.framing.splits import Fold, SplitData
from shipml.runtime.columns import Columns
from shipml.runtime.schema import InputColumn, InputSchema, Role


@dataclass(frozen=True, slots=True)
class Choice:
    """A decision the system made (or the spec imposed), with its reason."""

    name: str
    value: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "value": self.value, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ProblemFrame:
    task: TaskName
    target: str
    classes: tuple[Any, ...]
    y: np.ndarray  # encoded target of every row (train and test)
    weight: np.ndarray | None
    features: dict[str, ColumnType]  # used features, fixed order
    columns: Columns  # raw arrays of the used features, every row
    schema: InputSchema
    strategy: SplitKind
    split: SplitData
    train_rows: np.ndarray
    test_rows: np.ndarray
    folds: tuple[Fold, ...]
    primary: Metric
    secondary: tuple[Metric, ...]
    choices: tuple[Choice, ...]
    seed: int
    n_jobs: int = 1

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def rows(self, positions: np.ndarray) -> dict[str, np.ndarray]:
        return {name: values[positions] for name, values in self.columns.items()}

    def weights(self, positions: np.ndarray) -> np.ndarray | None:
        return None if self.weight is None else self.weight[positions]

    def without(self, dropped: dict[str, str], choice_name: str, flag: ColumnFlag) -> ProblemFrame:
        """A new frame without some features (name -> reason); they become passthrough, keep
        their flags and format, and gain `flag` (why they were dropped)."""
        if not dropped:
            return self
        features = {n: t for n, t in self.features.items() if n not in dropped}
        schema = InputSchema(
            columns=tuple(
                dataclasses.replace(
                    c, role="passthrough", reason=dropped[c.name], flags=c.flags | {flag}
                )
                if c.name in dropped
                else c
                for c in self.schema.columns
            )
        )
        notes = tuple(Choice(choice_name, name, why) for name, why in dropped.items())
        return dataclasses.replace(
            self,
            features=features,
            columns={n: v for n, v in self.columns.items() if n in features},
            schema=schema,
            choices=self.choices + notes,
        )


def build_schema(
    all_types: dict[str, ColumnType],
    features: dict[str, ColumnType],
    reasons: dict[str, str],
    *,
    flags: Mapping[str, frozenset[ColumnFlag]] | None = None,
    formats: Mapping[str, str] | None = None,
) -> InputSchema:
    flags, formats = flags or {}, formats or {}
    cols = []
    for name, ctype in all_types.items():
        role: Role = "feature" if name in features else "passthrough"
        cols.append(
            InputColumn(
                name,
                ctype,
                role,
                reasons.get(name, ""),
                flags.get(name, frozenset()),
                formats.get(name) if ctype is ColumnType.DATETIME else None,
            )
        )
    return InputSchema(columns=tuple(cols))
