"""Decision: the two shapes of scores calibration works on, each stating how it reads them.

`POSITIVE` is the threshold policy's: one (n,) column, the positive class's probability, one
map. `CLASSES` is the argmax policy's: (n, k) class probabilities, one map per class fit
one-vs-rest and renormalized as the runtime applies them. The policy fitter names the one it
uses; nothing infers it from an array's shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shipml.runtime.policy import Calibrator, DecisionPolicy


@dataclass(frozen=True, slots=True)
class Positive:
    """P(positive) per row, as one (n,) column; the outcome is y == 1."""

    name: str = "positive"

    def columns(self, scores: np.ndarray) -> list[np.ndarray]:
        return [scores]

    def outcome(self, y: np.ndarray, column: int) -> np.ndarray:
        return (y == 1).astype(np.float64)

    def apply(self, maps: tuple[Calibrator, ...], scores: np.ndarray) -> np.ndarray:
        return maps[0].apply(scores)

    def confidence(self, p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What a reliability diagram plots, and whether it came true."""
        return p, (y == 1).astype(np.float64)

    def true_class_probability(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.where(y == 1, p, 1.0 - p)

    def squared_error(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (p - (y == 1)) ** 2


@dataclass(frozen=True, slots=True)
class Classes:
    """(n, k) class probabilities; column j's outcome is y == j; confidence is the top class."""

    name: str = "classes"

    def columns(self, scores: np.ndarray) -> list[np.ndarray]:
        return [scores[:, j] for j in range(scores.shape[1])]

    def outcome(self, y: np.ndarray, column: int) -> np.ndarray:
        return (y == column).astype(np.float64)

    def apply(self, maps: tuple[Calibrator, ...], scores: np.ndarray) -> np.ndarray:
        return DecisionPolicy(rule="argmax", calibrators=maps).calibrate(scores)

    def confidence(self, p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        top = np.argmax(p, axis=1)
        return p[np.arange(len(y)), top], (top == y).astype(np.float64)

    def true_class_probability(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        return p[np.arange(len(y)), y.astype(np.int64)]

    def squared_error(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        onehot = np.zeros_like(p)
        onehot[np.arange(len(y)), y.astype(np.int64)] = 1.0
        return ((p - onehot) ** 2).sum(axis=1)


@dataclass(frozen=True, slots=True)
class Labels:
    """(n, L) label probabilities, each its own yes/no (y is the (n, L) 0/1 label sets), one
    map per label, never renormalized; a row's log loss and Brier score are its labels' means,
    and its confidence is its most probable label's."""

    name: str = "labels"

    def columns(self, scores: np.ndarray) -> list[np.ndarray]:
        return [scores[:, j] for j in range(scores.shape[1])]

    def outcome(self, y: np.ndarray, column: int) -> np.ndarray:
        return (y[:, column] == 1).astype(np.float64)

    def apply(self, maps: tuple[Calibrator, ...], scores: np.ndarray) -> np.ndarray:
        return np.column_stack([m.apply(scores[:, j]) for j, m in enumerate(maps)])

    def confidence(self, p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        top = np.argmax(p, axis=1)
        rows = np.arange(len(y))
        return p[rows, top], (y[rows, top] == 1).astype(np.float64)

    def true_class_probability(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        per_label = np.clip(np.where(y == 1, p, 1.0 - p), 1e-15, 1.0)
        return np.exp(np.log(per_label).mean(axis=1))

    def squared_error(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        return ((p - (y == 1)) ** 2).mean(axis=1)


Geometry = Positive | Classes | Labels
POSITIVE = Positive()
CLASSES = Classes()
LABELS = Labels()
