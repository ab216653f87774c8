"""Decision: its one input, the champion's stored out-of-fold scores (never a test row)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shipml.core.errors import ArtifactError


@dataclass(frozen=True, slots=True)
class OutOfFold:
    """Raw (uncalibrated) out-of-fold scores of the rows some fold validated."""

    scores: np.ndarray  # (n, k) class probabilities (binary: k = 2), or (n,) values
    y: np.ndarray  # encoded class index, or the target value
    fold: np.ndarray  # the fold that validated each row (>= 0)
    weight: np.ndarray  # sample weights (ones when the spec names none)

    @staticmethod
    def of(
        scores: np.ndarray, y: np.ndarray, fold: np.ndarray, weight: np.ndarray | None = None
    ) -> OutOfFold:
        """Keep the rows a fold validated: rows never validated (fold -1, NaN scores) drop out."""
        scores = np.asarray(scores, dtype=np.float64)
        fold = np.asarray(fold, dtype=np.int64)
        finite = np.isfinite(scores.reshape(len(scores), -1)).all(axis=1)
        keep = (fold >= 0) & finite
        if not keep.any():
            raise ArtifactError(
                "the model has no out-of-fold scores to fit a decision policy on",
                where="evaluation/oof.parquet",
                fix="retrain the model with this version of shipml",
            )
        w = np.ones(len(fold)) if weight is None else np.asarray(weight, dtype=np.float64)
        return OutOfFold(scores[keep], np.asarray(y)[keep], fold[keep], w[keep])

    def take(self, rows: np.ndarray) -> OutOfFold:
        """The rows at `rows`, in that order (the binary fit sorts them by score once)."""
        return OutOfFold(self.scores[rows], self.y[rows], self.fold[rows], self.weight[rows])

    @property
    def n(self) -> int:
        return len(self.y)
