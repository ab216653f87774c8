"""Runtime: the decision policy, applied after the model. Calibration is a fitted map from
score to probability (isotonic knots or Platt's sigmoid on the logit); the rule turns calibrated
probabilities into a decision (threshold, argmax, minimum expected cost); regression adds an
interval from out-of-fold residual quantiles. Fitting lives in `decision/`; this only applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from shipml.core.enums import TaskName
from shipml.data.taxonomy import taxonomy_of
from shipml.tasks import PolicyKind, task_kind

CalibrationKind = Literal["none", "isotonic", "sigmoid"]
Rule = Literal[
    "threshold", "argmax", "min_cost", "value", "per_label", "top_k", "cardinality", "path"
]
LABEL_RULES = ("per_label", "top_k", "cardinality")  # decide a label set, (n, L) 0/1
EPS = 1e-12


@dataclass(frozen=True, slots=True)
class Calibrator:
    """A monotone map score -> probability for one class (one-vs-rest for multiclass)."""

    kind: CalibrationKind = "none"
    x: tuple[float, ...] = ()  # isotonic knots: scores
    y: tuple[float, ...] = ()  # isotonic knots: probabilities
    a: float = 1.0  # sigmoid: p = 1 / (1 + exp(-(a * logit(score) + b)))
    b: float = 0.0

    def apply(self, score: np.ndarray) -> np.ndarray:
        if self.kind == "isotonic":
            return np.interp(score, np.asarray(self.x), np.asarray(self.y))
        if self.kind == "sigmoid":
            s = np.clip(score, EPS, 1 - EPS)
            z = self.a * np.log(s / (1 - s)) + self.b
            return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))
        return score

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "x": list(self.x), "y": list(self.y), "a": self.a, "b": self.b}

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Calibrator:
        return Calibrator(d["kind"], tuple(d["x"]), tuple(d["y"]), float(d["a"]), float(d["b"]))


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    """Calibration, then the rule. `summary` records how it was chosen (for reports)."""

    rule: Rule
    calibrators: tuple[Calibrator, ...] = ()  # binary: one, on the positive score
    threshold: float = 0.5  # binary: decide positive when the calibrated p >= threshold
    costs: tuple[tuple[float, ...], ...] | None = None  # [true][decided]: min expected cost
    class_weights: tuple[float, ...] | None = None  # multiclass argmax of p * weight
    interval: tuple[float, float] | None = None  # regression: residual quantiles (low, high)
    thresholds: tuple[float, ...] | None = None  # label sets per_label: one per label
    k: int | None = None  # label sets top_k
    # paths: the classes (the taxonomy's paths), and where the walk stops: at the parent when
    # the best child holds less than this share of its probability
    paths: tuple[str, ...] | None = None
    stop_below: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict, compare=False)

    @staticmethod
    def default(task: TaskName, classes: Sequence[object] = ()) -> DecisionPolicy:
        policy = DEFAULTS[task_kind(task).policy]()
        if policy.rule == "path":
            return replace(policy, paths=tuple(str(c) for c in classes))
        return policy

    def outcomes(self, classes: Sequence[Any]) -> tuple[Any, ...]:
        """What a decision index names: the classes, then (paths) the inner nodes of the tree."""
        if self.rule == "path" and self.paths is not None:
            return taxonomy_of(self.paths).nodes
        return tuple(classes)

    def decided_probability(self, proba: np.ndarray, decided: np.ndarray) -> np.ndarray:
        """The probability of each row's decision: its class, or (paths) the decided node's."""
        rows = np.arange(len(proba))
        if self.rule == "path" and self.paths is not None:
            return taxonomy_of(self.paths).marginals(proba)[rows, decided]
        return proba[rows, decided]

    @property
    def decides_label_sets(self) -> bool:
        return self.rule in LABEL_RULES

    def calibrate(self, proba: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities (rows sum to 1); label probabilities (one per
        label, each calibrated on its own, not normalized) for a label-set rule."""
        if not self.calibrators or all(c.kind == "none" for c in self.calibrators):
            return proba
        if self.decides_label_sets:
            return np.column_stack([c.apply(proba[:, j]) for j, c in enumerate(self.calibrators)])
        if len(self.calibrators) == 1:
            p = self.calibrators[0].apply(proba[:, 1])
            return np.column_stack([1.0 - p, p])
        cols = np.column_stack([c.apply(proba[:, j]) for j, c in enumerate(self.calibrators)])
        total = cols.sum(axis=1, keepdims=True)
        return np.where(total > 0, cols / np.maximum(total, EPS), 1.0 / cols.shape[1])

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Class index per row, from calibrated probabilities; for a label-set rule, the
        (n, L) 0/1 label sets."""
        if self.decides_label_sets:
            return decide_label_sets(proba, self.rule, self.thresholds, self.k)
        if self.rule == "path" and self.paths is not None:  # a node index: a class, or above
            return taxonomy_of(self.paths).walk(proba, self.stop_below)
        if self.rule == "threshold":
            return (proba[:, 1] >= self.threshold).astype(np.int64)
        if self.rule == "min_cost" and self.costs is not None:
            expected = proba @ np.asarray(self.costs)  # (n, k decided)
            return np.argmin(expected, axis=1)
        if self.class_weights is not None:
            return np.argmax(proba * np.asarray(self.class_weights), axis=1)
        return np.argmax(proba, axis=1)

    def bounds(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        if self.interval is None:
            return None
        low, high = self.interval
        return values + low, values + high

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "calibrators": [c.to_dict() for c in self.calibrators],
            "threshold": self.threshold,
            "costs": None if self.costs is None else [list(r) for r in self.costs],
            "class_weights": None if self.class_weights is None else list(self.class_weights),
            "interval": None if self.interval is None else list(self.interval),
            "thresholds": None if self.thresholds is None else list(self.thresholds),
            "k": self.k,
            "paths": None if self.paths is None else list(self.paths),
            "stop_below": self.stop_below,
            "summary": self.summary,
        }

    @staticmethod
    def from_dict(d: dict[str, Any]) -> DecisionPolicy:
        return DecisionPolicy(
            rule=d["rule"],
            calibrators=tuple(Calibrator.from_dict(c) for c in d["calibrators"]),
            threshold=float(d["threshold"]),
            costs=None if d["costs"] is None else tuple(tuple(r) for r in d["costs"]),
            class_weights=None if d["class_weights"] is None else tuple(d["class_weights"]),
            interval=None if d["interval"] is None else (d["interval"][0], d["interval"][1]),
            thresholds=None if d.get("thresholds") is None else tuple(d["thresholds"]),
            k=d.get("k"),
            paths=None if d.get("paths") is None else tuple(d["paths"]),
            stop_below=float(d.get("stop_below", 0.0)),
            summary=d.get("summary", {}),
        )


def decide_label_sets(
    proba: np.ndarray, rule: str, thresholds: tuple[float, ...] | None, k: int | None
) -> np.ndarray:
    """Label sets (n, L) 0/1 from label probabilities: each label at its threshold (0.5 when
    none), the k most probable, or as many as the row's probabilities sum to (rounded, at
    least one). Ties in the ranking keep the label order."""
    n, n_labels = proba.shape
    if rule == "per_label":
        cut = np.full(n_labels, 0.5) if thresholds is None else np.asarray(thresholds)
        return (proba >= cut).astype(np.int64)
    if rule == "top_k":
        counts = np.full(n, min(k or 1, n_labels))
    else:
        counts = np.clip(np.rint(proba.sum(axis=1)), 1, n_labels).astype(np.int64)
    order = np.argsort(-proba, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(n_labels)[None, :].repeat(n, axis=0), axis=1)
    return (ranks < counts[:, None]).astype(np.int64)


DEFAULTS = {  # the policy a model has before any is fit, by the task's policy kind
    PolicyKind.VALUE: lambda: DecisionPolicy(rule="value"),
    PolicyKind.THRESHOLD: lambda: DecisionPolicy(
        rule="threshold", summary={"source": "default 0.5 threshold"}
    ),
    PolicyKind.ARGMAX: lambda: DecisionPolicy(rule="argmax", summary={"source": "default argmax"}),
    PolicyKind.LABELS: lambda: DecisionPolicy(
        rule="per_label", summary={"source": "default 0.5 per label"}
    ),
    PolicyKind.PATH: lambda: DecisionPolicy(
        rule="path", summary={"source": "default: down to a leaf, the likeliest child each step"}
    ),
}
