"""Runtime: raw column values (arrays or JSON records) as typed numpy arrays, without pandas."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

Columns = Mapping[str, np.ndarray]

_BOOL_WORDS = {"true": 1.0, "false": 0.0, "yes": 1.0, "no": 0.0, "y": 1.0, "n": 0.0}
_BOOL_WORDS |= {"t": 1.0, "f": 0.0, "1": 1.0, "0": 0.0}


class ColumnValueError(ValueError):
    """A value cannot take its column's type; `column` names it. `expected` says what the column
    takes without the value itself (what the server answers); the text adds a bounded echo of
    the value for the batch CLI, where the rows are the user's own."""

    def __init__(self, column: str, expected: str, value: Any = None) -> None:
        self.column = column
        self.expected = expected
        shown = "" if value is None else f", got {_bounded(value)}"
        super().__init__(f"{column}: {expected}{shown}")


def _bounded(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_float(column: str, values: np.ndarray) -> np.ndarray:
    """Numeric values as float64; None, NaN and ±inf become NaN (as training counts infinite
    values as missing); a non-number raises `ColumnValueError`."""
    if values.dtype.kind in "fiub":
        return _finite(values.astype(np.float64, copy=False))
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if is_missing(v):
            out[i] = np.nan
        elif isinstance(v, bool):
            out[i] = float(v)
        else:
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                raise ColumnValueError(column, "expected a number", v) from None
    return _finite(out)


def _finite(values: np.ndarray) -> np.ndarray:
    infinite = np.isinf(values)
    return np.where(infinite, np.nan, values) if infinite.any() else values


def as_bool_float(column: str, values: np.ndarray) -> np.ndarray:
    """Booleans (true/false, yes/no, 1/0) as 0.0/1.0/NaN."""
    if values.dtype.kind in "fiub":
        return values.astype(np.float64, copy=False)
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if is_missing(v):
            out[i] = np.nan
        elif isinstance(v, bool | int | float):
            out[i] = float(v)
        else:
            word = _BOOL_WORDS.get(str(v).strip().lower())
            if word is None:
                raise ColumnValueError(column, "expected true/false", v)
            out[i] = word
    return out


def as_datetime(column: str, values: np.ndarray, fmt: str | None = None) -> np.ndarray:
    """Datetimes as datetime64[s]; missing become NaT. Text is read with `fmt` (the format
    stored at training) and, failing that, as ISO 8601; an offset is converted to UTC."""
    if values.dtype.kind == "M":
        return values.astype("datetime64[s]")
    out = np.empty(len(values), dtype="datetime64[s]")
    for i, v in enumerate(values):
        if is_missing(v) or (isinstance(v, str) and not v.strip()):
            out[i] = np.datetime64("NaT")
            continue
        stamp = _parse_datetime(str(v).strip(), fmt)
        if stamp is None:
            like = f"a date like {fmt!r} or ISO 8601" if fmt else "an ISO 8601 date or time"
            raise ColumnValueError(column, f"expected {like}", v)
        out[i] = stamp
    return out


def _parse_datetime(text: str, fmt: str | None) -> np.datetime64 | None:
    stamp = None
    if fmt is not None:
        try:
            stamp = datetime.strptime(text, fmt)
        except ValueError:
            stamp = None
    if stamp is None:
        try:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return np.datetime64(stamp.replace(microsecond=0), "s")


def records_to_columns(records: Sequence[Mapping[str, Any]], names: Sequence[str]) -> Columns:
    """A list of JSON-like records as one object array per named column (absent -> None)."""
    return {name: np.array([r.get(name) for r in records], dtype=object) for name in names}


def codes_for(
    values: np.ndarray, lookup: Mapping[str, int], unknown: int
) -> tuple[np.ndarray, int]:
    """Map category values to codes; missing -> -1, unseen -> `unknown`. Returns codes, n_unseen."""
    n = len(values)
    if n > 4096:
        return _codes_factorized(values, lookup, unknown)
    codes = np.empty(n, dtype=np.int64)
    unseen = 0
    for i, v in enumerate(values):
        if is_missing(v):
            codes[i] = -1
            continue
        code = lookup.get(v if isinstance(v, str) else as_label(v))
        if code is None:
            code, unseen = unknown, unseen + 1
        codes[i] = code
    return codes, unseen


def _codes_factorized(
    values: np.ndarray, lookup: Mapping[str, int], unknown: int
) -> tuple[np.ndarray, int]:
    # Batch path: hash each distinct value once instead of once per row.
    import pandas as pd

    inverse, uniques = pd.factorize(values, use_na_sentinel=True)
    found = [lookup.get(u if isinstance(u, str) else as_label(u)) for u in uniques]
    table = np.array([unknown if c is None else c for c in found] + [-1], dtype=np.int64)
    is_unseen = np.array([c is None for c in found] + [False], dtype=bool)
    codes = table[inverse]  # the sentinel -1 picks the appended missing code
    return codes, int(is_unseen[inverse].sum())


def as_label(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
