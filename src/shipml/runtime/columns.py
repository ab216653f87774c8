"""Runtime: raw column values (arrays or JSON records) as typed numpy arrays, without pandas."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

Columns = Mapping[str, np.ndarray]

_BOOL_WORDS = {"true": 1.0, "false": 0.0, "yes": 1.0, "no": 0.0, "y": 1.0, "n": 0.0}
_BOOL_WORDS |= {"t": 1.0, "f": 0.0, "1": 1.0, "0": 0.0}


class ColumnValueError(ValueError):
    """A value cannot take its column's type; `column` names it."""

    def __init__(self, column: str, message: str) -> None:
        self.column = column
        super().__init__(f"{column}: {message}")


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_float(column: str, values: np.ndarray) -> np.ndarray:
    """Numeric values as float64; None/NaN become NaN; a non-number raises `ColumnValueError`."""
    if values.dtype.kind in "fiub":
        return values.astype(np.float64, copy=False)
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
                raise ColumnValueError(column, f"expected a number, got {v!r}") from None
    return out


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
                raise ColumnValueError(column, f"expected true/false, got {v!r}")
            out[i] = word
    return out


def as_datetime(column: str, values: np.ndarray) -> np.ndarray:
    """Datetimes as datetime64[s]; ISO strings accepted; missing become NaT."""
    if values.dtype.kind == "M":
        return values.astype("datetime64[s]")
    out = np.empty(len(values), dtype="datetime64[s]")
    for i, v in enumerate(values):
        if is_missing(v) or (isinstance(v, str) and not v.strip()):
            out[i] = np.datetime64("NaT")
            continue
        try:
            text = str(v).strip().replace(" ", "T").rstrip("Z")
            out[i] = np.datetime64(text[:19], "s")  # an offset, if any, is dropped
        except ValueError:
            raise ColumnValueError(column, f"expected an ISO date or time, got {v!r}") from None
    return out


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
