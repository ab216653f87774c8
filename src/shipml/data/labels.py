"""Data: the contract's target checks (missing labels, classes, positive class, numeric target)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shipml.core.enums import TaskName
from shipml.core.errors import DataContractError
from shipml.data.casting import as_strings
from shipml.data.label_sets import label_order, label_set_warnings, read_label_sets, separator_of
from shipml.spec.model import ModelSpec
from shipml.tasks import task_kind


def check_target(
    df: pd.DataFrame, spec: ModelSpec, *, task: TaskName | None, folds: int
) -> list[str]:
    """Raise for a target that cannot be learned; return a warning for rows without a label."""
    name = spec.the_target.column
    target = df[name]
    n_missing = int(target.isna().sum())
    if n_missing == len(target):
        raise DataContractError(
            f"the target column {name!r} has no values (all {n_missing:,} missing).",
            where="target.column",
            fix="set target.column to the column holding the outcome, or fill it",
        )
    warnings = []
    if n_missing:
        warnings.append(
            f"{n_missing:,} of {len(target):,} rows have no value in the target {name!r}; "
            "they are dropped."
        )
    if task is not None and task_kind(task).paths:  # folded in the data stage (data/paths.py)
        return warnings
    if spec.the_target.label_sets:
        t = spec.the_target
        sets = read_label_sets(
            target.dropna(), separator=separator_of(t), order=label_order(t), folds=folds
        )
        return warnings + label_set_warnings(sets)
    if task is not None and task_kind(task).gives_values:
        _check_numeric(target, name)
        return warnings
    labels = as_strings(target.dropna())
    if spec.the_target.positive is not None:
        _check_positive(labels, name, spec.the_target.positive)
    if task is not None:
        _check_classes(labels, name, task, folds)
    return warnings


def _check_numeric(target: pd.Series, name: str) -> None:
    values = pd.to_numeric(target, errors="coerce")
    bad = target.notna() & values.isna()
    if pd.api.types.is_bool_dtype(target.dtype) or bad.any():
        shown = target[bad] if bad.any() else target.dropna()
        samples = sorted({str(v) for v in shown.head(200)})[:5]
        raise DataContractError(
            f"a regression target must be numeric, but column {name!r} holds values such as "
            f"{samples}.",
            where="target.column",
            fix="fix the target values, or set task: binary or multiclass for labels",
        )
    infinite = np.isinf(values.to_numpy(dtype=np.float64, na_value=np.nan))
    if infinite.any():
        rows = [int(i) for i in np.flatnonzero(infinite)[:5]]
        raise DataContractError(
            f"the regression target {name!r} is infinite in {int(infinite.sum())} rows "
            f"(rows {rows}, counted from 0).",
            where="target.column",
            fix="fix or drop those rows: an infinite outcome cannot be learned or scored",
        )


def _check_positive(labels: pd.Series, name: str, positive: str) -> None:
    found = sorted(labels.unique())
    if positive not in found:
        alike = [f for f in found if f.strip().lower() == positive.strip().lower()]
        hint = f"; did you mean {alike[0]!r}?" if alike else ""
        raise DataContractError(
            f"the positive class {positive!r} is not a label of {name!r} "
            f"(labels found: {found[:20]}{hint}).",
            where="target.positive",
            fix="set target.positive to one of the labels found, spelled exactly (quoted in YAML)",
        )


def _check_classes(labels: pd.Series, name: str, task: TaskName, folds: int) -> None:
    counts = labels.value_counts()
    if len(counts) < 2:
        raise DataContractError(
            f"the target {name!r} has a single class ({_plain(counts.index[0])!r}); "
            "a classifier needs at least two.",
            where="target.column",
            fix="use data with more than one outcome, or another target column",
        )
    if task_kind(task).has_positive and len(counts) > 2:
        raise DataContractError(
            f"task is binary but the target {name!r} has {len(counts)} classes "
            f"({[_plain(c) for c in sorted(counts.index)[:10]]}).",
            where="task",
            fix="set task: multiclass, or map the target to two classes",
        )
    rare = counts[counts < folds]
    if not rare.empty:
        shown = ", ".join(f"{_plain(k)!r}: {v}" for k, v in rare.items())
        raise DataContractError(
            f"in target {name!r} the classes {shown} have fewer rows than the {folds} "
            "validation folds (each fold needs every class).",
            where="validation.folds",
            fix="add rows of those classes, lower validation.folds, or merge rare classes",
        )


def _plain(value: object) -> object:
    """A label as Python writes it (5.0, not np.float64(5.0)), for messages."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value
