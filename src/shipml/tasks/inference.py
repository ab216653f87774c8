"""Tasks: which built-in task a target column implies when the spec says `task: auto`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shipml.core.enums import Task

MAX_INTEGER_CLASSES = 20


def infer_task(y: pd.Series) -> tuple[Task, str]:
    """Infer the task from the target's values and say why."""
    values = y.dropna()
    n_unique = int(values.nunique())
    if pd.api.types.is_bool_dtype(values) or n_unique <= 2:
        return Task.BINARY, f"the target has {n_unique} distinct values"
    if not pd.api.types.is_numeric_dtype(values):
        return Task.MULTICLASS, f"the target holds {n_unique} distinct labels (not numbers)"
    numbers = values.to_numpy(dtype=np.float64)
    integral = bool(np.all(np.isfinite(numbers)) and np.all(np.mod(numbers, 1) == 0))
    if integral and n_unique <= MAX_INTEGER_CLASSES:
        return Task.MULTICLASS, (
            f"the target is integer with only {n_unique} distinct values, so it is read as "
            "classes; set task: regression if they are counts or amounts"
        )
    return Task.REGRESSION, f"the target is numeric with {n_unique} distinct values"
