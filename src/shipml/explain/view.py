"""Explain: the frozen champion seen through its raw input columns.

Every preprocessing step maps one input column to its own block of matrix columns, row by row.
So shuffling a raw column, or setting it to a value, equals shuffling or rewriting that block of
the preprocessed matrix: the explanations work on the matrix once built, exactly and fast, while
speaking of the features as the user knows them (one-hot outputs are never explained alone).

A view explains one output: the value, or the probability of its `focus` class (by default the
positive class of a binary model, or the last class; `for_class` picks another one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from shipml.runtime.columns import Columns
from shipml.runtime.inference import InferenceModel
from shipml.tasks import task_kind


@dataclass(frozen=True, slots=True)
class ModelView:
    model: InferenceModel
    blocks: dict[str, slice]  # input column -> its columns in the preprocessed matrix
    focus: int = 0  # the class whose probability the curves show (0 for values)

    @staticmethod
    def of(model: InferenceModel, focus: int | None = None) -> ModelView:
        blocks, pos = {}, 0
        for step in model.preprocessor.steps:
            width = len(step.outputs())
            blocks[step.column] = slice(pos, pos + width)
            pos += width
        default = max(len(model.classes) - 1, 0)  # the positive (binary) or the last
        return ModelView(model, blocks, default if focus is None else focus)

    def for_class(self, focus: int) -> ModelView:
        """The same view, showing the probability of class `focus` (an index into classes)."""
        return replace(self, focus=focus)

    @property
    def features(self) -> list[str]:
        return list(self.blocks)

    @property
    def output_label(self) -> str:
        m = self.model
        if task_kind(m.task).gives_values:
            return f"predicted {m.target}"
        return f"P({m.target} = {m.classes[self.focus]})"

    def matrix(self, columns: Columns) -> np.ndarray:
        return self.model.matrix(columns)[0]

    def raw(self, X: np.ndarray) -> np.ndarray:
        """What the metrics score: class probabilities (n, k) or values (n,)."""
        return np.asarray(self.model.estimator.predict_raw(X))

    def output(self, X: np.ndarray) -> np.ndarray:
        """One number per row, as a user reads it: the calibrated focus probability or the value."""
        return self.outputs(X, (self.focus,))[:, 0]

    def outputs(self, X: np.ndarray, focuses: Sequence[int]) -> np.ndarray:
        """(n, len(focuses)): the calibrated probability of each focus class, from one
        prediction; for values, the value in every column."""
        raw = self.raw(X)
        if task_kind(self.model.task).gives_values:
            return np.repeat(raw.astype(np.float64)[:, None], len(focuses), axis=1)
        return np.asarray(self.model.policy.calibrate(raw))[:, list(focuses)]

    def encode(self, column: str, values: np.ndarray) -> np.ndarray:
        """The preprocessed block of one raw column's values."""
        step = self.model.preprocessor.steps[self.features.index(column)]
        return step.transform(values)[0]
