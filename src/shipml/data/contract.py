"""Data: check the loaded table against what the spec promises about it, before any framing."""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from shipml.core.enums import TaskName
from shipml.core.errors import DataContractError
from shipml.data.casting import as_strings
from shipml.data.columns import ColumnTyping
from shipml.data.labels import check_target
from shipml.spec.model import ModelSpec

# Spec fields whose column must hold values, not only exist (an all-null one is useless there).
_MUST_HOLD_VALUES = (
    "features.include",
    "features.types",
    "data.weight",
    "validation.group_column",
    "validation.time_column",
    "validation.holdout.column",
)


def check_contract(
    df: pd.DataFrame, spec: ModelSpec, typing: ColumnTyping, *, task: TaskName | None, folds: int
) -> list[str]:
    """Raise DataContractError for what cannot be trained on; return warnings for soft issues.

    `task=None` means the task is not known yet, so the class checks wait until it is.
    """
    if df.empty:
        raise DataContractError(
            "the data has no rows.", where="data.train", fix="point data.train at data with rows"
        )
    _check_named_columns(df, spec)
    warnings = check_target(df, spec, task=task, folds=folds)
    if spec.data.weight is not None:
        _check_weight(df[spec.data.weight], spec.data.weight)
    _check_holdout_value(df, spec)
    warnings += _soft_issues(df, spec, typing)
    return warnings


def spec_columns(spec: ModelSpec) -> list[tuple[str, str]]:
    """(spec path, column) for every column the spec names, the target aside."""
    f, v = spec.features, spec.validation
    pairs = [("features.include", c) for c in f.include or []]
    pairs += [("features.exclude", c) for c in f.exclude]
    pairs += [(f"features.types.{c}", c) for c in f.types]
    pairs += [("features.keep_suspects", c) for c in f.keep_suspects]
    single = {
        "data.weight": spec.data.weight,
        "data.period.column": spec.data.period.column if spec.data.period else None,
        "validation.group_column": v.group_column,
        "validation.time_column": v.time_column,
        "validation.holdout.column": v.holdout.column,
    }
    pairs += [(path, c) for path, c in single.items() if c is not None]
    pairs += [("fairness.sensitive", c) for c in spec.fairness.sensitive]
    pairs += [(f"fairness.bins.{c}", c) for c in spec.fairness.bins]
    pairs += [("deploy.pii_mask", c) for c in spec.deploy.pii_mask]
    return pairs


def close_matches(name: str, df: pd.DataFrame) -> str:
    found = difflib.get_close_matches(name, [str(c) for c in df.columns], n=3, cutoff=0.6)
    if not found:
        lowered = {str(c).lower(): str(c) for c in df.columns}
        found = [lowered[name.lower()]] if name.lower() in lowered else []
    return ", ".join(repr(c) for c in found) if found else "none"


def _check_named_columns(df: pd.DataFrame, spec: ModelSpec) -> None:
    target = spec.the_target.column
    if target not in df.columns:
        raise DataContractError(
            f"the target column {target!r} is not in the data "
            f"(close matches: {close_matches(target, df)}).",
            where="target.column",
            fix="set target.column to a column of the data (names are case-sensitive)",
        )
    missing = [(path, c) for path, c in spec_columns(spec) if c not in df.columns]
    if missing:
        listed = "; ".join(
            f"{path}: {c!r} (close matches: {close_matches(c, df)})" for path, c in missing
        )
        raise DataContractError(
            f"columns named in the spec are missing from the data: {listed}.",
            where=missing[0][0],
            fix="correct the column names in the spec, or remove them",
        )
    for path, c in spec_columns(spec):
        if path.startswith(_MUST_HOLD_VALUES) and df[c].isna().all():
            raise DataContractError(
                f"column {c!r} named in {path} has no values (all missing).",
                where=path,
                fix=f"fill column {c!r} in the data, or remove it from {path}",
            )


def _check_weight(weights: pd.Series, name: str) -> None:
    values = pd.to_numeric(weights, errors="coerce")
    if pd.api.types.is_bool_dtype(weights.dtype) or (values.isna() & weights.notna()).any():
        bad = sorted({str(x) for x in weights[values.isna() & weights.notna()].head(100)})[:5]
        raise DataContractError(
            f"the weight column {name!r} is not numeric (for example {bad}).",
            where="data.weight",
            fix=f"make {name!r} hold non-negative numbers, or unset data.weight",
        )
    problems = {
        "negative": int((values < 0).sum()),
        "missing": int(values.isna().sum()),
        "infinite": int(np.isinf(values).sum()),
    }
    found = ", ".join(f"{n} {what}" for what, n in problems.items() if n)
    if found:
        raise DataContractError(
            f"the weight column {name!r} has {found} values.",
            where="data.weight",
            fix=f"give every row a finite, non-negative weight in {name!r}, or unset data.weight",
        )
    if not (values > 0).any():
        raise DataContractError(
            f"every weight in {name!r} is zero, so no row would count.",
            where="data.weight",
            fix=f"give the rows positive weights in {name!r}, or unset data.weight",
        )


def _check_holdout_value(df: pd.DataFrame, spec: ModelSpec) -> None:
    holdout = spec.validation.holdout
    if holdout.column is None or holdout.value is None:
        return
    values = as_strings(df[holdout.column].dropna())
    if not (values == holdout.value).any():
        seen = sorted(values.unique())[:10]
        raise DataContractError(
            f"no row has {holdout.column!r} == {holdout.value!r} (values found: {seen}).",
            where="validation.holdout.value",
            fix="set validation.holdout.value to one of the values found (matched as text)",
        )


def _soft_issues(df: pd.DataFrame, spec: ModelSpec, typing: ColumnTyping) -> list[str]:
    named = {c for _, c in spec_columns(spec)}
    warnings = [
        f"column {c!r} has no values (all missing); it is left out of the features."
        for c in typing.types
        if c in df.columns and c not in named and df[c].isna().all()
    ]
    try:
        duplicates = int(df.duplicated().sum())
    except TypeError:  # unhashable cells cannot be compared row by row
        duplicates = 0
    if duplicates:
        warnings.append(
            f"{duplicates:,} rows are exact duplicates of another row; check that this is "
            "expected (duplicates across folds make validation optimistic)."
        )
    return warnings
