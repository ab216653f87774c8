"""Data: columns suspected of not being honest features (identifiers, dates known too late)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from shipml.core.enums import ColumnType
from shipml.data.casting import parse_datetimes
from shipml.data.columns import ColumnTyping

SuspectKind = Literal["identifier", "pii", "leakage", "future_datetime"]
_MIN_ROWS = 20


@dataclass(frozen=True, slots=True)
class Suspect:
    """A column that should not be a feature unless the spec keeps it (features.keep_suspects)."""

    column: str
    kind: SuspectKind
    reason: str


def find_identifiers(df: pd.DataFrame, typing: ColumnTyping) -> list[Suspect]:
    """Columns typed id, strings unique per row, or integers unique per row and monotonic.

    A column whose values repeat (a customer id over many orders) is a group, not a suspect.
    """
    found: list[Suspect] = []
    for name, kind in typing.types.items():
        if name not in df.columns:
            continue
        reason = _identifier_reason(df[name], kind, typing.reasons.get(name, ""))
        if reason:
            found.append(Suspect(column=name, kind="identifier", reason=reason))
    return found


def find_future_datetimes(
    df: pd.DataFrame, typing: ColumnTyping, *, time_column: str
) -> list[Suspect]:
    """Datetime columns later than the time column in most rows: known after prediction time."""
    if time_column not in df.columns:
        return []
    moment = parse_datetimes(df[time_column])
    found: list[Suspect] = []
    for name in typing.columns_of(ColumnType.DATETIME):
        if name == time_column or name not in df.columns:
            continue
        other = parse_datetimes(df[name])
        both = moment.notna() & other.notna()
        if not both.any():
            continue
        later = float((other[both] > moment[both]).mean())
        if later > 0.5:
            found.append(
                Suspect(
                    column=name,
                    kind="future_datetime",
                    reason=(
                        f"after {time_column!r} in {later:.0%} of rows: it is known only after "
                        "the prediction time"
                    ),
                )
            )
    return found


def _identifier_reason(series: pd.Series, kind: ColumnType, type_reason: str) -> str | None:
    if kind is ColumnType.ID:
        return f"typed as an identifier ({type_reason})"
    nonnull = series.dropna()
    n = len(nonnull)
    if n < _MIN_ROWS or nonnull.nunique() < 0.99 * n:
        return None
    if kind is ColumnType.CATEGORICAL:
        return "unique per row: it names rows rather than describing them"
    integer = pd.api.types.is_integer_dtype(series.dtype) or _whole_floats(nonnull)
    ordered = nonnull.is_monotonic_increasing or nonnull.is_monotonic_decreasing
    if kind is ColumnType.NUMERIC and integer and ordered and nonnull.nunique() == n:
        return "integers unique per row and in order (a row number or running id)"
    return None


def _whole_floats(nonnull: pd.Series) -> bool:
    if not pd.api.types.is_float_dtype(nonnull.dtype):
        return False
    return bool((nonnull == nonnull.round()).all())
