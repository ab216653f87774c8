"""Runtime: a fitted preprocessor, a fixed list of declared steps compiled to array operations.

It is fit inside each training fold (never on validation rows) and serialized as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from shipml.core.enums import ColumnType
from shipml.runtime.columns import Columns
from shipml.runtime.steps import (
    CategoricalStep,
    DatetimeStep,
    NumericStep,
    Scaling,
    Step,
    step_from_dict,
    step_to_dict,
)

USED_TYPES = (ColumnType.NUMERIC, ColumnType.BOOLEAN, ColumnType.CATEGORICAL, ColumnType.DATETIME)


@dataclass(frozen=True, slots=True)
class PreprocessConfig:
    """How a model family wants its inputs: one-hot or ordinal categories, imputed, scaled."""

    onehot: bool = False
    impute: bool = False
    scale: bool = False
    min_category_count: int = 10
    max_categories: int = 200


@dataclass(frozen=True, slots=True)
class Transformed:
    matrix: np.ndarray
    unseen: dict[str, int]


@dataclass(frozen=True, slots=True)
class Preprocessor:
    steps: tuple[Step, ...]

    @property
    def input_columns(self) -> list[str]:
        return [s.column for s in self.steps]

    @property
    def feature_names(self) -> list[str]:
        return [name for s in self.steps for name in s.outputs()]

    @property
    def categorical_indices(self) -> list[int]:
        """Output positions holding ordinal category codes (for LightGBM's categorical split)."""
        out, pos = [], 0
        for s in self.steps:
            width = len(s.outputs())
            if isinstance(s, CategoricalStep) and not s.onehot:
                out.append(pos)
            pos += width
        return out

    def transform(self, columns: Columns) -> Transformed:
        blocks, unseen = [], {}
        for step in self.steps:
            block, n_unseen = step.transform(columns[step.column])
            blocks.append(block)
            if n_unseen:
                unseen[step.column] = n_unseen
        n = len(next(iter(columns.values()))) if columns else 0
        matrix = np.hstack(blocks) if blocks else np.empty((n, 0))
        return Transformed(matrix=np.ascontiguousarray(matrix, dtype=np.float64), unseen=unseen)

    def to_dict(self) -> dict[str, Any]:
        return {"steps": [step_to_dict(s) for s in self.steps]}

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> Preprocessor:
        return Preprocessor(steps=tuple(step_from_dict(s) for s in d["steps"]))


def fit_preprocessor(
    columns: Columns,
    types: Mapping[str, ColumnType],
    config: PreprocessConfig,
    *,
    formats: Mapping[str, str] | None = None,
) -> Preprocessor:
    """Fit one step per used column, in the given (fixed) column order; `formats` are the
    strptime formats datetime text was read with at training, kept for serving."""
    formats = formats or {}
    steps: list[Step] = []
    for name, ctype in types.items():
        values = columns[name]
        if ctype in (ColumnType.NUMERIC, ColumnType.BOOLEAN):
            boolean = ctype is ColumnType.BOOLEAN
            raw = NumericStep(name, Scaling(), boolean=boolean).transform(values)[0][:, 0]
            scaling = Scaling.fit(raw, impute=config.impute, scale=config.scale)
            steps.append(NumericStep(name, scaling, boolean=boolean))
        elif ctype is ColumnType.CATEGORICAL:
            steps.append(
                CategoricalStep.fit(
                    name,
                    values,
                    onehot=config.onehot,
                    min_count=config.min_category_count,
                    max_categories=config.max_categories,
                )
            )
        elif ctype is ColumnType.DATETIME:
            steps.append(
                DatetimeStep.fit(
                    name, values, impute=config.impute, scale=config.scale, fmt=formats.get(name)
                )
            )
    return Preprocessor(steps=tuple(steps))
