"""Runtime: per-row feature contributions, summed back to the input columns the caller sent.

LightGBM: the booster's own TreeSHAP (`pred_contrib`), in log-odds for classification (the
decided class for multiclass) and in target units for regression. Linear: coefficient times the
prepared value, exact in the same units. Other families have none. A one-hot or calendar block
adds up to its input column, so every contribution names a field of the request.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shipml.runtime.estimators import BoosterEstimator, LinearEstimator
from shipml.runtime.inference import InferenceModel
from shipml.tasks import task_kind


@dataclass(frozen=True, slots=True)
class Contributions:
    columns: tuple[str, ...]  # input columns, in the preprocessor's order
    values: np.ndarray  # (n, len(columns)); base + row sum = the model's margin
    base: np.ndarray  # (n,)
    units: str

    def top(self, row: int, k: int) -> list[tuple[str, float]]:
        """The k largest contributions of one row by absolute value, largest first."""
        v = self.values[row]
        order = np.argsort(-np.abs(v), kind="stable")[:k]
        return [(self.columns[j], float(v[j])) for j in order]


def supports_contributions(model: InferenceModel) -> bool:
    return isinstance(model.estimator, BoosterEstimator | LinearEstimator)


def contributions(
    model: InferenceModel, X: np.ndarray, class_index: np.ndarray | None = None
) -> Contributions | None:
    """Contributions of prepared float64 rows `X`; `class_index` picks the class explained per
    row for multiclass (default: class 0). None when the family has no exact attribution."""
    est, task = model.estimator, model.task
    n, p = X.shape
    cls = np.zeros(n, dtype=np.int64) if class_index is None else class_index
    if isinstance(est, BoosterEstimator):
        raw = np.asarray(est.booster.predict(X, pred_contrib=True, num_threads=1))
        if task_kind(task).per_class:
            blocks = raw.reshape(n, -1, p + 1)
            raw = blocks[np.arange(n), cls]
        per_output, base = raw[:, :p], raw[:, p]
    elif isinstance(est, LinearEstimator):
        row = cls if task_kind(task).per_class else np.zeros(n, dtype=np.int64)
        per_output = X * est.coef[row]
        base = est.intercept[row].astype(np.float64)
    else:
        return None
    owner = _owner_matrix(model)
    units = task_kind(task).contribution_units
    return Contributions(
        columns=tuple(model.preprocessor.input_columns),
        values=per_output @ owner,
        base=np.asarray(base, dtype=np.float64),
        units=units,
    )


def _owner_matrix(model: InferenceModel) -> np.ndarray:
    """(outputs, inputs) 0/1 matrix: which input column each prepared column comes from."""
    steps = model.preprocessor.steps
    widths = [len(s.outputs()) for s in steps]
    owner = np.zeros((sum(widths), len(steps)))
    start = 0
    for j, width in enumerate(widths):
        owner[start : start + width, j] = 1.0
        start += width
    return owner
