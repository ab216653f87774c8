"""Explain: the frozen champion seen through its raw input columns.

Every preprocessing step maps one input column to its own block of matrix columns, row by row.
So shuffling a raw column, or setting it to a value, equals shuffling or rewriting that block of
the preprocessed matrix: the explanations work on the matrix once built, exactly and fast, while
speaking of the features as the user knows them (one-hot outputs are never explained alone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shipml.runtime.columns import Columns
from shipml.runtime.inference import InferenceModel
from shipml.tasks import task_kind


@dataclass(frozen=True, slots=True)
class ModelView:
    model: InferenceModel
    blocks: dict[str, slice]  # input column -> its columns in the preprocessed matrix

    @staticmethod
    def of(model: InferenceModel) -> ModelView:
        blocks, pos = {}, 0
        for step in model.preprocessor.steps:
            width = len(step.outputs())
            blocks[step.column] = slice(pos, pos + width)
            pos += width
        return ModelView(model, blocks)

    @property
    def features(self) -> list[str]:
        return list(self.blocks)

    @property
    def focus(self) -> int:
        """The class whose probability the curves show: the positive (binary) or the last."""
        return max(len(self.model.classes) - 1, 0)

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
        raw = self.raw(X)
        if task_kind(self.model.task).gives_values:
            return raw.astype(np.float64)
        return self.model.policy.calibrate(raw)[:, self.focus]

    def encode(self, column: str, values: np.ndarray) -> np.ndarray:
        """The preprocessed block of one raw column's values."""
        step = self.model.preprocessor.steps[self.features.index(column)]
        return step.transform(values)[0]
