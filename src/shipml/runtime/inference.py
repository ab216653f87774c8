"""Runtime: the inference form of a fitted model (schema + preprocessor + estimator + labels).

Evaluation times it, the registry saves it, batch prediction and serving run it. It is stored as
`inference.json` plus the estimator's own file; nothing is pickled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shipml.core.enums import TaskName
from shipml.core.errors import ArtifactError
from shipml.data.label_sets import JOIN
from shipml.data.taxonomy import path_parts, taxonomy_of
from shipml.runtime.columns import Columns, records_to_columns
from shipml.runtime.estimators import Estimator, load_estimator
from shipml.runtime.policy import DecisionPolicy
from shipml.runtime.preprocess import Preprocessor
from shipml.runtime.schema import InputSchema
from shipml.tasks import registered, task_kind

if TYPE_CHECKING:
    import pandas as pd

FORMAT_VERSION = 1
FILE = "inference.json"
Label = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Prediction:
    """Predictions of a batch: labels or values, class probabilities, unseen-category counts."""

    values: np.ndarray  # original labels (object) for classification, floats for regression
    proba: np.ndarray | None  # (n, k) calibrated, in the order of `classes`
    unseen: dict[str, int]
    lower: np.ndarray | None = None  # regression interval, when the policy has one
    upper: np.ndarray | None = None
    decided: np.ndarray | None = None  # label sets: (n, L) 0/1; `values` holds label tuples
    levels: np.ndarray | None = None  # paths: (n, levels) names, None below a stopped path


def class_prediction(
    policy: DecisionPolicy,
    classes: Sequence[Label],
    proba: np.ndarray,
    unseen: dict[str, int],
    *,
    paths: bool = False,
) -> Prediction:
    """A one-class answer per row: the policy's decision named (a class, or for a path task
    the node the walk stopped at), with each level of the path for a path task."""
    decided = policy.decide(proba)
    outcomes = policy.outcomes(classes)
    labels = np.empty(len(decided), dtype=object)
    labels[:] = [outcomes[i] for i in decided]
    levels = None
    if paths:
        depth = taxonomy_of(tuple(str(c) for c in classes)).levels
        levels = np.full((len(decided), depth), None, dtype=object)
        for i, label in enumerate(labels):
            parts = path_parts(str(label))
            levels[i, : len(parts)] = parts
    return Prediction(values=labels, proba=proba, unseen=unseen, levels=levels)


def label_set_prediction(
    proba: np.ndarray, decided: np.ndarray, classes: Sequence[Label], unseen: dict[str, int]
) -> Prediction:
    """A label-set answer: each row's decided labels (a tuple, in the labels' order)."""
    values = np.empty(len(decided), dtype=object)
    values[:] = [tuple(classes[int(j)] for j in np.flatnonzero(row)) for row in decided]
    return Prediction(values=values, proba=proba, unseen=unseen, decided=decided)


def prediction_frame(pred: Prediction, classes: Sequence[Label], index: Any) -> pd.DataFrame:
    """`prediction` (a label set's labels joined by |), `label_<name>` 0/1 per label for label
    sets, `proba_<label>` per class or label, `lower` and `upper` for an interval."""
    import pandas as pd

    values = pred.values
    if pred.decided is not None:
        values = np.array([JOIN.join(str(c) for c in v) for v in values], dtype=object)
    out = pd.DataFrame({"prediction": values}, index=index)
    out.attrs["unseen"] = dict(pred.unseen)  # categories never seen in training, per column
    if pred.decided is not None:
        for j, label in enumerate(classes):
            out[f"label_{label}"] = pred.decided[:, j].astype(np.int64)
    if pred.proba is not None:
        for j, label in enumerate(classes):
            out[f"proba_{label}"] = pred.proba[:, j]
    if pred.levels is not None:
        for i in range(pred.levels.shape[1]):
            out[f"level_{i + 1}"] = pred.levels[:, i]
    if pred.lower is not None and pred.upper is not None:
        out["lower"], out["upper"] = pred.lower, pred.upper
    return out


class MissingColumnError(KeyError):
    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        super().__init__(f"missing required input columns: {', '.join(self.columns)}")


@dataclass(frozen=True, slots=True)
class InferenceModel:
    task: TaskName
    target: str
    family: str
    classes: tuple[Label, ...]  # classification labels; binary: (negative, positive)
    schema: InputSchema
    preprocessor: Preprocessor
    estimator: Estimator
    policy: DecisionPolicy  # calibration and the decision rule, applied after the model

    def matrix(self, columns: Columns) -> tuple[np.ndarray, dict[str, int]]:
        missing = [c for c in self.preprocessor.input_columns if c not in columns]
        if missing:
            raise MissingColumnError(missing)
        t = self.preprocessor.transform(columns)
        return t.matrix, t.unseen

    def predict_columns(self, columns: Columns) -> Prediction:
        X, unseen = self.matrix(columns)
        raw = self.estimator.predict_raw(X)
        if task_kind(self.task).gives_values:
            values = np.asarray(raw, dtype=np.float64)
            bounds = self.policy.bounds(values)
            low, high = bounds if bounds is not None else (None, None)
            return Prediction(values, None, unseen, lower=low, upper=high)
        proba = self.policy.calibrate(raw)
        kind = task_kind(self.task)
        if kind.label_sets:
            return label_set_prediction(proba, self.policy.decide(proba), self.classes, unseen)
        return class_prediction(self.policy, self.classes, proba, unseen, paths=kind.paths)

    def predict_records(self, records: Sequence[Mapping[str, Any]]) -> Prediction:
        return self.predict_columns(records_to_columns(records, self.preprocessor.input_columns))

    def predict_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """`prediction` in the original labels and `proba_<label>` per class (for label sets
        also `label_<name>`, see `prediction_frame`); the counts of categories never seen in
        training are in `attrs["unseen"]`."""
        present = [c for c in self.preprocessor.input_columns if c in df.columns]
        pred = self.predict_columns({c: df[c].to_numpy() for c in present})
        return prediction_frame(pred, self.classes, df.index)

    def predict(self, df: pd.DataFrame) -> pd.DataFrame:
        """The same as `predict_frame`: the Python API's short name."""
        return self.predict_frame(df)

    def save(self, folder: Path) -> list[str]:
        folder.mkdir(parents=True, exist_ok=True)
        meta: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "task": str(self.task),
            "target": self.target,
            "family": self.family,
            "classes": list(self.classes),
            "policy": self.policy.to_dict(),
            "schema": self.schema.to_dict(),
            "preprocessor": self.preprocessor.to_dict(),
            "estimator": self.estimator.save(folder),
        }
        (folder / FILE).write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
        extra = meta["estimator"].get("file")
        return [FILE, *([extra] if extra else []), *meta["estimator"].get("files", [])]

    @staticmethod
    def load(folder: Path) -> InferenceModel:
        meta = json.loads((folder / FILE).read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported inference format {meta.get('format_version')!r}")
        if meta["task"] not in {k.name for k in registered()}:
            raise ArtifactError(
                f"the model is a {meta['task']!r} task, a kind not registered in this process",
                where=str(folder),
                fix="register its kind (shipml.tasks.register_task) before loading it",
            )
        task = task_kind(meta["task"]).name
        return InferenceModel(
            task=task,
            target=meta["target"],
            family=meta["family"],
            classes=tuple(meta["classes"]),
            schema=InputSchema.from_dict(meta["schema"]),
            preprocessor=Preprocessor.from_dict(meta["preprocessor"]),
            estimator=load_estimator(meta["estimator"], folder, task),
            policy=DecisionPolicy.from_dict(meta["policy"]),
        )
