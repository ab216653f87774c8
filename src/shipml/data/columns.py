"""Data: type each column (numeric, categorical, boolean, datetime, text, id) and say why."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from shipml.core.enums import ColumnType

BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "y", "n", "t", "f"})
_ID_NAME = re.compile(
    r"^(id|uuid|guid|key|index|idx)$|(^id_)|(_id|_uuid|_key|_number|_no|_nr)$|[a-z0-9](Id|ID)$"
)
_PLAIN_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_NUMERIC_DATE = r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"
_MONTH = r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\b|\d)"
_DATE_SAMPLE = 500
_TEXT_SAMPLE = 2000
_MIN_ID_ROWS = 20


@dataclass(frozen=True, slots=True)
class ColumnTyping:
    """The type of every column except the target (in the frame's order), and why."""

    types: dict[str, ColumnType]
    reasons: dict[str, str]
    # strptime formats of datetime columns read from text, stored so serving parses the same way
    formats: dict[str, str] = field(default_factory=dict)

    def columns_of(self, kind: ColumnType) -> list[str]:
        return [c for c, t in self.types.items() if t is kind]


def infer_column_types(
    df: pd.DataFrame,
    *,
    target: str,
    overrides: Mapping[str, ColumnType],
    exclude: Sequence[str] = (),
) -> ColumnTyping:
    """Type each column; a spec override wins. Columns in `exclude` (and the target) are skipped."""
    types: dict[str, ColumnType] = {}
    reasons: dict[str, str] = {}
    formats: dict[str, str] = {}
    skipped = {target, *exclude}
    for name in df.columns:
        if name in skipped:
            continue
        if name in overrides:
            types[name], reasons[name] = ColumnType(overrides[name]), "spec override"
        else:
            types[name], reasons[name] = _infer(df[name], str(name))
        column = df[name]
        if types[name] is ColumnType.DATETIME and not pd.api.types.is_datetime64_any_dtype(column):
            fmt = datetime_format(column.dropna().astype("str"))
            if fmt is not None:
                formats[name] = fmt
    return ColumnTyping(types=types, reasons=reasons, formats=formats)


def datetime_format(values: pd.Series) -> str | None:
    """The one strptime format that parses every sampled date string, month-first tried before
    day-first; None when no single format does (the values are then parsed one by one)."""
    from pandas.tseries.api import guess_datetime_format

    sample = spread_sample(values, _DATE_SAMPLE).str.strip()
    sample = sample[sample != ""]
    if sample.empty:
        return None
    candidates: list[str] = []
    for text in sample.head(20):
        for dayfirst in (False, True):
            with warnings.catch_warnings():  # "Parsing dates in %d/%m/%Y when dayfirst=False"
                warnings.simplefilter("ignore")
                fmt = guess_datetime_format(text, dayfirst=dayfirst)
            if fmt is not None and fmt not in candidates:
                candidates.append(fmt)
    for fmt in candidates:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(sample, errors="coerce", format=fmt, utc=True)
        if parsed.notna().all():
            return fmt
    return None


def looks_like_id_name(name: str) -> bool:
    """id, customer_id, id_customer, CustomerID, uuid, key, order_number, account_no ..."""
    return bool(_ID_NAME.search(name) or _ID_NAME.search(name.lower()))


def spread_sample(values: pd.Series, size: int) -> pd.Series:
    """Up to `size` values evenly spread over the series (deterministic: no random state)."""
    if len(values) <= size:
        return values
    step = len(values) / size
    return values.iloc[[int(i * step) for i in range(size)]]


def _infer(series: pd.Series, name: str) -> tuple[ColumnType, str]:
    nonnull = series.dropna()
    if nonnull.empty:
        return ColumnType.NUMERIC, "all values missing (left out unless the spec names it)"
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ColumnType.BOOLEAN, "boolean column"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return ColumnType.DATETIME, "datetime column"
    if isinstance(dtype, pd.CategoricalDtype):
        return ColumnType.CATEGORICAL, f"categorical column with {nonnull.nunique()} levels"
    if pd.api.types.is_numeric_dtype(dtype):
        return _infer_numeric(nonnull, name)
    return _infer_strings(nonnull.astype("str"), name)


def _infer_numeric(nonnull: pd.Series, name: str) -> tuple[ColumnType, str]:
    integer = pd.api.types.is_integer_dtype(nonnull.dtype)
    if integer and _unique_per_row(nonnull) and looks_like_id_name(name):
        return ColumnType.ID, "integers unique per row, with an identifier-like name"
    return ColumnType.NUMERIC, f"numeric column ({nonnull.dtype})"


def _infer_strings(values: pd.Series, name: str) -> tuple[ColumnType, str]:
    distinct = values.unique()
    n_distinct = len(distinct)
    if {str(v).strip().lower() for v in distinct} <= BOOLEAN_WORDS:
        shown = ", ".join(sorted(str(v) for v in distinct)[:4])
        return ColumnType.BOOLEAN, f"text column of yes/no values ({shown})"
    if _all_numbers(values):
        if _unique_per_row(values) and looks_like_id_name(name):
            return ColumnType.ID, "numbers unique per row, with an identifier-like name"
        return ColumnType.NUMERIC, "text column whose values are all numbers"
    if _mostly_dates(values):
        return ColumnType.DATETIME, "text column whose values parse as dates"
    sample = spread_sample(values, _TEXT_SAMPLE)
    lengths = sample.str.len()
    multi_word = sample.str.strip().str.count(r"\s+") >= 2
    if lengths.mean() > 40 and multi_word.mean() >= 0.5 and n_distinct >= 0.5 * len(values):
        return ColumnType.TEXT, f"free text (mean length {lengths.mean():.0f} characters)"
    if _unique_per_row(values):
        return ColumnType.ID, "unique per row (identifier-like)"
    return ColumnType.CATEGORICAL, f"text column with {n_distinct} distinct values"


def _unique_per_row(nonnull: pd.Series) -> bool:
    n = len(nonnull)
    return n >= _MIN_ID_ROWS and nonnull.nunique() >= 0.99 * n


def _all_numbers(values: pd.Series) -> bool:
    """Every value a plain number, and none with a leading zero (zip codes, codes stay text)."""
    stripped = values.str.strip()
    if not stripped.str.fullmatch(_PLAIN_NUMBER.pattern).all():
        return False
    return not stripped.str.match(r"^[+-]?0\d").any()


def _mostly_dates(values: pd.Series) -> bool:
    sample = spread_sample(values, _DATE_SAMPLE).str.strip()
    # Only date-shaped values count: 2024-01-31, 31/01/2024, 31 Jan 2024; not plain numbers,
    # codes such as T0049, ranges such as 3-4, or a month name without a year.
    with_year = sample.str.contains(_MONTH) & sample.str.contains(r"\b\d{4}\b")
    candidates = sample.str.contains(_NUMERIC_DATE) | with_year
    if candidates.mean() < 0.95:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed", utc=True)
    return bool(parsed.notna().mean() >= 0.95)
