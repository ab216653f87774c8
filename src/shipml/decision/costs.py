"""Decision: the spec's `costs` as a matrix [true class][decided class], checked against the
model's classes. Binary `{fp, fn, tp, tn}` fills [[tn, fp], [fn, tp]]; a matrix keyed by labels
costs 1 off the diagonal and 0 on it where a cell is omitted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shipml.core.errors import DataContractError
from shipml.spec.decision import BINARY_COST_KEYS

UNIT_COSTS = np.array([[0.0, 1.0], [1.0, 0.0]])  # binary curves without spec costs: error rate


def cost_matrix(costs: object, classes: Sequence[object]) -> np.ndarray | None:
    if costs is None:
        return None
    labels = [str(c) for c in classes]
    k = len(labels)
    if isinstance(costs, list):
        if len(costs) != k or any(len(row) != k for row in costs):
            widths = sorted({len(row) for row in costs})
            shape = f"{len(costs)}x{widths[0]}" if len(widths) == 1 else f"ragged ({widths})"
            raise DataContractError(
                f"the cost matrix is {shape}, but the model has {k} classes",
                where="decision.costs",
                fix=f"give {k} rows of {k} costs, true class by decided class, in order {labels}",
            )
        return np.asarray(costs, dtype=np.float64)
    assert isinstance(costs, dict)
    if all(not isinstance(v, dict) for v in costs.values()):
        return _binary(costs, labels)
    unknown = sorted({*costs, *(c for row in costs.values() for c in row)} - set(labels))
    if unknown:
        raise DataContractError(
            f"the cost matrix names classes the model does not have: {unknown}",
            where="decision.costs",
            fix=f"key rows (true) and columns (decided) by the model's classes: {labels}",
        )
    matrix = 1.0 - np.eye(k)
    for true, row in costs.items():
        for decided, cost in row.items():
            matrix[labels.index(true), labels.index(decided)] = float(cost)
    return matrix


def _binary(costs: dict[str, float], labels: list[str]) -> np.ndarray:
    if len(labels) != 2:
        raise DataContractError(
            f"fp/fn costs apply to a binary model; this one has {len(labels)} classes",
            where="decision.costs",
            fix=f"give a matrix true class -> decided class -> cost over {labels}",
        )
    c = {key: float(costs.get(key, 0.0)) for key in BINARY_COST_KEYS}
    return np.array([[c["tn"], c["fp"]], [c["fn"], c["tp"]]])
