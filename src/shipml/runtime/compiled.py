"""Runtime: the compiled prediction path serving and batch prediction share.

At load, each preprocessing step becomes a small function that appends its prepared values to a
row (lookups built once; no DataFrame, no pandas); one record costs a few microseconds before the
engine (the booster, linear coefficients, or ONNX Runtime) runs. The arithmetic is the same as
the vectorized steps' (same float64 operations, same order), so a record scores as it does in a
batch. Files are scored through `predict_columns`, the vectorized steps plus the same engine and
decision policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from shipml.runtime.columns import Columns
from shipml.runtime.contributions import Contributions, contributions
from shipml.runtime.engines import Engine, EngineKind, make_engine
from shipml.runtime.inference import (
    InferenceModel,
    Prediction,
    class_prediction,
    label_set_prediction,
    prediction_frame,
)
from shipml.runtime.rowsteps import Filler, compile_steps
from shipml.runtime.scalar_policy import scalar_finish
from shipml.tasks import ScoreField, task_kind

if TYPE_CHECKING:
    import pandas as pd


class Explanation(NamedTuple):
    base: float
    units: str
    top: list[tuple[str, float]]  # (input column, contribution), largest |value| first


class Scored(NamedTuple):
    """One record's result: the decision (label or value) and the score behind it."""

    decision: Any  # a class label, the value for regression, the list of labels of a label set
    # P(positive) binary, P(decided class) multiclass, the value for regression, the largest
    # label probability for a label set
    score: float
    proba: tuple[float, ...] | None
    lower: float | None
    upper: float | None
    unseen: tuple[str, ...]  # columns holding a category never seen in training
    explanation: Explanation | None = None


class CompiledModel:
    """An `InferenceModel` with its steps compiled for single records and a chosen engine."""

    def __init__(self, model: InferenceModel, engine: EngineKind | Engine = "native") -> None:
        self.model = model
        if isinstance(engine, str):
            n_features = len(model.preprocessor.feature_names)
            probe = None if engine == "native" else _probe(model)
            self.engine = make_engine(model.estimator, n_features, engine, probe)
        else:
            self.engine = engine
        self._fillers: tuple[Filler, ...] = compile_steps(model.preprocessor.steps)
        self._dtype = self.engine.dtype
        self._classes = model.classes
        self._policy = model.policy
        self._kind = task_kind(model.task)
        self._fast = (
            scalar_finish(model.policy, model.classes) if self._kind.one_probability else None
        )

    def row(self, record: Mapping[str, Any]) -> tuple[list[float], tuple[str, ...]]:
        """The prepared values of one record and the columns with unseen categories.
        A value that cannot take its column's type raises `ColumnValueError`."""
        out: list[float] = []
        unseen: list[str] = []
        for fill in self._fillers:
            column = fill(record, out)
            if column is not None:
                unseen.append(column)
        return out, tuple(unseen)

    def predict_record(self, record: Mapping[str, Any], explain: int = 0) -> Scored:
        """Score one JSON-like record; `explain` > 0 adds that many top contributions."""
        values, unseen = self.row(record)
        raw = self.engine.predict_raw(np.array([values], dtype=self._dtype))
        if self._fast is not None and explain <= 0:
            p0, p1, index = self._fast(raw)
            return Scored(self._classes[index], p1, (p0, p1), None, None, unseen)
        scored = self._finish(raw, [unseen])[0]
        if explain > 0:
            return self._explained([scored], np.array([values]), explain)[0]
        return scored

    def predict_many(self, records: Sequence[Mapping[str, Any]], explain: int = 0) -> list[Scored]:
        """Score records through the same row functions, with one engine call for them all."""
        rows = [self.row(r) for r in records]
        X = np.array([v for v, _ in rows], dtype=np.float64).reshape(len(rows), -1)
        raw = self.engine.predict_raw(X if self._dtype is np.float64 else X.astype(self._dtype))
        scored = self._finish(raw, [u for _, u in rows])
        return self._explained(scored, X, explain) if explain > 0 else scored

    def predict_columns(self, columns: Columns) -> Prediction:
        """Vectorized: column arrays through the fitted steps, then the same engine and policy."""
        X, unseen = self.model.matrix(columns)
        raw = self.engine.predict_raw(X)
        model = self.model
        if self._kind.gives_values:
            values = np.asarray(raw, dtype=np.float64)
            bounds = model.policy.bounds(values)
            low, high = bounds if bounds is not None else (None, None)
            return Prediction(values, None, unseen, lower=low, upper=high)
        proba = model.policy.calibrate(raw)
        if self._kind.label_sets:
            return label_set_prediction(proba, model.policy.decide(proba), model.classes, unseen)
        return class_prediction(model.policy, model.classes, proba, unseen, paths=self._kind.paths)

    def predict_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """As `InferenceModel.predict_frame`, through this model's engine."""
        present = [c for c in self.model.preprocessor.input_columns if c in df.columns]
        pred = self.predict_columns({c: df[c].to_numpy() for c in present})
        return prediction_frame(pred, self.model.classes, df.index)

    def _finish(self, raw: np.ndarray, unseen: list[tuple[str, ...]]) -> list[Scored]:
        policy = self._policy
        if self._kind.gives_values:
            values = np.asarray(raw, dtype=np.float64)
            bounds = policy.bounds(values)
            lows, highs = (b.tolist() for b in bounds) if bounds else ([None] * len(values),) * 2
            return [
                Scored(v, v, None, lo, hi, u)
                for v, lo, hi, u in zip(values.tolist(), lows, highs, unseen, strict=True)
            ]
        proba = policy.calibrate(raw)
        if self._kind.label_sets:
            sets = label_set_prediction(proba, policy.decide(proba), self._classes, {})
            return [
                Scored(list(labels), max(p), tuple(p), None, None, u)
                for labels, p, u in zip(sets.values, proba.tolist(), unseen, strict=True)
            ]
        decided = policy.decide(proba)
        if self._kind.score_field is ScoreField.POSITIVE_PROBABILITY:
            held = proba[:, 1]
        else:  # the decided class's probability, or a path's decided node's
            held = policy.decided_probability(proba, decided)
        outcomes = policy.outcomes(self._classes)
        return [
            Scored(outcomes[i], s, tuple(p), None, None, u)
            for i, s, p, u in zip(
                decided.tolist(), held.tolist(), proba.tolist(), unseen, strict=True
            )
        ]

    def _explained_class(self, s: Scored) -> int:
        """The class a decision's explanation speaks of: the decided class, or (a path
        stopped above the classes) the likeliest class."""
        if s.decision in self._classes:
            return self._classes.index(s.decision)
        return int(np.argmax(np.asarray(s.proba)))

    def _explained(self, scored: list[Scored], X: np.ndarray, top: int) -> list[Scored]:
        index = None
        if self._kind.per_class:
            index = np.array([self._explained_class(s) for s in scored], dtype=np.int64)
        found: Contributions | None = contributions(self.model, X, index)
        if found is None:
            return scored
        return [
            s._replace(
                explanation=Explanation(float(found.base[i]), found.units, found.top(i, top))
            )
            for i, s in enumerate(scored)
        ]


def _probe(model: InferenceModel) -> np.ndarray | None:
    """Prepared rows spread over the fitted ranges, to check another engine against native."""
    from shipml.runtime.onnx_export import sample_columns

    try:
        return model.preprocessor.transform(sample_columns(model, n=256)).matrix
    except (KeyError, ValueError):
        return None
