"""Data: per-column summaries for the profile, as plain JSON-ready values (no numpy, no NaN)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

from shipml.core.enums import ColumnType
from shipml.data.casting import as_strings, parse_datetimes

TOP_VALUES = 5
_FEW_VALUES = 10


def summarize(series: pd.Series, kind: ColumnType, *, hide_values: bool = False) -> dict[str, Any]:
    """What a reader needs to judge one column; values are hidden for personal-data suspects."""
    if series.isna().all():
        return {}
    if hide_values and kind in (ColumnType.CATEGORICAL, ColumnType.BOOLEAN, ColumnType.TEXT):
        return {"values": "hidden (personal data suspect)"}
    return plain(_SUMMARIES[kind](series))


def summarize_target(series: pd.Series) -> dict[str, Any]:
    """Classes with counts for a label or few-valued target; a numeric summary otherwise."""
    n_missing = int(series.isna().sum())
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )
    if numeric and series.nunique() > _FEW_VALUES:
        return plain({"kind": "numeric", "n_missing": n_missing, **numeric_summary(series)})
    counts = as_strings(series).value_counts()
    classes = {str(k): int(v) for k, v in counts.items()}
    return plain({"kind": "classes", "n_missing": n_missing, "classes": classes})


def numeric_summary(series: pd.Series) -> dict[str, Any]:
    values = pd.to_numeric(series, errors="coerce").astype("float64").dropna()
    if values.empty:
        return {}
    q = values.quantile([0.05, 0.5, 0.95]).to_numpy()
    return {
        "min": values.min(),
        "max": values.max(),
        "mean": values.mean(),
        "std": values.std(),
        "q05": q[0],
        "median": q[1],
        "q95": q[2],
    }


def plain(value: Any) -> Any:
    """Deep-convert to JSON-ready Python values: numpy scalars unwrapped, NaN and NaT as None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str | int | bool):
        return value
    return str(value)


def _top(series: pd.Series) -> dict[str, Any]:
    counts = as_strings(series).value_counts().head(TOP_VALUES)
    return {"top": {str(k): int(v) for k, v in counts.items()}}


def _boolean(series: pd.Series) -> dict[str, Any]:
    if pd.api.types.is_float_dtype(series.dtype):  # already cast to 0.0/1.0
        return {"top": {"true": int((series == 1).sum()), "false": int((series == 0).sum())}}
    return _top(series)


def _datetime(series: pd.Series) -> dict[str, Any]:
    values = parse_datetimes(series).dropna()
    if values.empty:
        return {}
    return {"min": values.min(), "max": values.max()}


def _text(series: pd.Series) -> dict[str, Any]:
    lengths = as_strings(series).dropna().str.len()
    return {"mean_length": lengths.mean(), "max_length": lengths.max()}


def _nothing(series: pd.Series) -> dict[str, Any]:
    return {}


_SUMMARIES: dict[ColumnType, Callable[[pd.Series], dict[str, Any]]] = {
    ColumnType.NUMERIC: numeric_summary,
    ColumnType.CATEGORICAL: _top,
    ColumnType.BOOLEAN: _boolean,
    ColumnType.DATETIME: _datetime,
    ColumnType.TEXT: _text,
    ColumnType.ID: _nothing,
}
