"""Data: cast each column to the dtype its inferred or declared type promises (after typing)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from shipml.core.enums import ColumnType
from shipml.core.errors import DataContractError
from shipml.data.columns import ColumnTyping

_TRUE = frozenset({"true", "yes", "y", "t", "1", "1.0"})
_FALSE = frozenset({"false", "no", "n", "f", "0", "0.0"})


def apply_types(df: pd.DataFrame, typing: ColumnTyping, *, target: str) -> pd.DataFrame:
    """A new frame with every typed column cast; the target and untyped columns stay as they are.

    numeric and boolean -> float64 (boolean as 0.0/1.0/NaN); categorical, text and id -> `str`
    (missing stays missing); datetime -> tz-naive datetime64[ns] (tz-aware values in UTC).
    """
    out = df.copy()
    for name, kind in typing.types.items():
        if name == target or name not in df.columns:
            continue
        if kind is ColumnType.DATETIME:
            out[name] = _datetime(df[name], str(name), typing.formats.get(name))
        else:
            out[name] = _CASTS[kind](df[name], str(name))
    return out


def parse_datetimes(series: pd.Series, fmt: str | None = None) -> pd.Series:
    """Dates as tz-naive timestamps (tz-aware ones converted to UTC); unparseable values -> NaT.
    With `fmt` (the format stored at training) text is read with it, as serving reads it."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        return series
    text = as_strings(series)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(text, errors="coerce", format=fmt or "mixed", utc=True)
    return parsed.dt.tz_localize(None)


def as_strings(series: pd.Series) -> pd.Series:
    """Values as `str` dtype, missing kept missing; whole floats lose their `.0` (3.0 -> "3")."""
    if pd.api.types.is_float_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        finite = series.dropna()
        if len(finite) and np.isfinite(finite).all() and (finite == np.round(finite)).all():
            series = series.astype("Int64")
    return series.astype("str")


def count_infinite(df: pd.DataFrame, typing: ColumnTyping) -> dict[str, int]:
    """Infinite values per numeric column: they count as missing once cast (`_numeric`)."""
    found = {}
    for name in typing.columns_of(ColumnType.NUMERIC):
        if name in df.columns:
            values = pd.to_numeric(as_strings(df[name]).str.strip(), errors="coerce")
            n = int(np.isinf(values.to_numpy(dtype=np.float64, na_value=np.nan)).sum())
            if n:
                found[name] = n
    return found


def _numeric(series: pd.Series, name: str) -> pd.Series:
    """Numbers as float64; an infinite value is a missing one (inf, 1e999, -Infinity)."""
    if pd.api.types.is_numeric_dtype(series.dtype):
        return _finite(series.astype("float64"))
    text = as_strings(series).str.strip()
    values = pd.to_numeric(text, errors="coerce")
    _refuse_unconverted(
        series,
        values,
        name,
        what="are not numbers",
        fix=f"fix the values or set features.types.{name}: categorical",
    )
    return _finite(values.astype("float64"))


def _finite(values: pd.Series) -> pd.Series:
    return values.mask(np.isinf(values.to_numpy()))


def _boolean(series: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64")
    words = as_strings(series).str.strip().str.lower()
    values = pd.Series(np.nan, index=series.index, dtype="float64")
    values[words.isin(_TRUE)] = 1.0
    values[words.isin(_FALSE)] = 0.0
    _refuse_unconverted(
        series,
        values,
        name,
        what="are not yes/no values",
        fix=f"fix the values or set features.types.{name}: categorical",
    )
    return values


def _categorical(series: pd.Series, name: str) -> pd.Series:
    return as_strings(series)


def _datetime(series: pd.Series, name: str, fmt: str | None = None) -> pd.Series:
    values = parse_datetimes(series, fmt)
    _refuse_unconverted(
        series,
        values,
        name,
        what="are not dates",
        fix=f"fix the values or set features.types.{name}: categorical",
    )
    try:
        return values.astype("datetime64[ns]")
    except (OverflowError, ValueError) as exc:
        raise DataContractError(
            f"column {name!r} holds dates outside the years 1677-2262 ({exc}).",
            where=name,
            fix=f"fix the dates or set features.types.{name}: categorical",
        ) from exc


def _refuse_unconverted(
    original: pd.Series, converted: pd.Series, name: str, *, what: str, fix: str
) -> None:
    # Blank strings are missing values (a CSV export's " "), not bad ones.
    present = original.notna() & (as_strings(original).str.strip() != "")
    bad = present & converted.isna()
    if not bad.any():
        return
    samples = sorted({str(v) for v in original[bad].head(200)})[:5]
    raise DataContractError(
        f"{int(bad.sum())} values of column {name!r} {what} (for example {samples}).",
        where=name,
        fix=fix,
    )


_CASTS: dict[ColumnType, Callable[[pd.Series, str], pd.Series]] = {
    ColumnType.NUMERIC: _numeric,
    ColumnType.BOOLEAN: _boolean,
    ColumnType.CATEGORICAL: _categorical,
    ColumnType.TEXT: _categorical,
    ColumnType.ID: _categorical,
    ColumnType.DATETIME: _datetime,
}
