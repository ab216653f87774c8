"""Data: profile the typed table (per-column summaries and suspects) before any model is framed."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from shipml.core.enums import ColumnType
from shipml.data.columns import ColumnTyping
from shipml.data.label_sets import summarize_label_sets
from shipml.data.pii import find_pii
from shipml.data.summaries import plain, summarize, summarize_target
from shipml.data.suspects import Suspect, find_future_datetimes, find_identifiers

_PII_TYPES = (ColumnType.CATEGORICAL, ColumnType.TEXT, ColumnType.ID, ColumnType.NUMERIC)


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    name: str
    type: ColumnType
    type_reason: str
    n_missing: int
    missing_fraction: float
    n_unique: int
    summary: dict[str, Any] = field(default_factory=dict)
    n_infinite: int = 0  # infinite values in the source, counted among the missing

    def to_dict(self) -> dict[str, Any]:
        return plain(
            {
                "name": self.name,
                "type": self.type,
                "type_reason": self.type_reason,
                "n_missing": self.n_missing,
                "missing_fraction": self.missing_fraction,
                "n_unique": self.n_unique,
                "n_infinite": self.n_infinite,
                "summary": self.summary,
            }
        )


@dataclass(frozen=True, slots=True)
class DatasetProfile:
    n_rows: int
    n_columns: int
    n_duplicate_rows: int
    target: str
    target_summary: dict[str, Any]
    columns: tuple[ColumnProfile, ...]
    suspects: tuple[Suspect, ...]

    def suspect_columns(self) -> set[str]:
        return {s.column for s in self.suspects}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serializable data (no numpy scalars, None for missing numbers)."""
        return plain(
            {
                "n_rows": self.n_rows,
                "n_columns": self.n_columns,
                "n_duplicate_rows": self.n_duplicate_rows,
                "target": self.target,
                "target_summary": self.target_summary,
                "columns": [c.to_dict() for c in self.columns],
                "suspects": [
                    {"column": s.column, "kind": s.kind, "reason": s.reason} for s in self.suspects
                ],
            }
        )


def profile_table(
    df: pd.DataFrame,
    typing: ColumnTyping,
    *,
    target: str,
    time_column: str | None = None,
    infinite: Mapping[str, int] | None = None,
    label_separator: str | None = None,
) -> DatasetProfile:
    """Summaries of the target and every typed column, and the suspects that need no model.
    `infinite` counts the infinite values casting turned into missing ones, per column;
    `label_separator`: the target holds label sets joined by it (multilabel)."""
    pii_columns = [c for c, t in typing.types.items() if t in _PII_TYPES]
    suspects = [*find_identifiers(df, typing), *find_pii(df, pii_columns)]
    if time_column is not None:
        suspects += find_future_datetimes(df, typing, time_column=time_column)
    pii = {s.column for s in suspects if s.kind == "pii"}
    infinite = infinite or {}
    columns = tuple(
        dataclasses.replace(
            _profile_column(df[name], name, kind, typing.reasons.get(name, ""), hide=name in pii),
            n_infinite=infinite.get(name, 0),
        )
        for name, kind in typing.types.items()
        if name in df.columns
    )
    target_summary = summarize_target(df[target]) if target in df.columns else {}
    if label_separator is not None and target in df.columns:
        target_summary = summarize_label_sets(df[target], label_separator)
    return DatasetProfile(
        n_rows=len(df),
        n_columns=len(df.columns),
        n_duplicate_rows=_duplicates(df),
        target=target,
        target_summary=target_summary,
        columns=columns,
        suspects=tuple(suspects),
    )


def render_profile_text(profile: DatasetProfile) -> str:
    """A plain-text summary for the terminal: the table, the target, each column, the suspects."""
    lines = [
        f"{profile.n_rows:,} rows, {profile.n_columns} columns, "
        f"{profile.n_duplicate_rows:,} duplicate rows",
        f"target {profile.target!r}: {_brief(profile.target_summary)}",
        "",
        "columns:",
    ]
    for col in profile.columns:
        lines.append(
            f"  {col.name} [{col.type.value}] {col.type_reason}; {col.n_unique:,} distinct, "
            f"{col.missing_fraction:.1%} missing"
        )
        if col.summary:
            lines.append(f"      {_brief(col.summary)}")
    lines.append("")
    if profile.suspects:
        lines.append("suspects (left out unless listed in features.keep_suspects):")
        lines.extend(f"  {s.column} ({s.kind}): {s.reason}" for s in profile.suspects)
    else:
        lines.append("suspects: none")
    return "\n".join(lines)


def _profile_column(
    series: pd.Series, name: str, kind: ColumnType, reason: str, *, hide: bool
) -> ColumnProfile:
    n_missing = int(series.isna().sum())
    return ColumnProfile(
        name=name,
        type=kind,
        type_reason=reason,
        n_missing=n_missing,
        missing_fraction=n_missing / len(series) if len(series) else 0.0,
        n_unique=int(series.nunique()),
        summary=summarize(series, kind, hide_values=hide),
    )


def _duplicates(df: pd.DataFrame) -> int:
    try:
        return int(df.duplicated().sum())
    except TypeError:  # unhashable cells (lists, dicts) cannot be compared row by row
        return 0


def _brief(summary: dict[str, Any]) -> str:
    shown = plain(summary)
    parts = []
    for key, value in shown.items():
        if isinstance(value, float):
            parts.append(f"{key}={value:.4g}")
        elif isinstance(value, dict):
            inner = ", ".join(f"{k}: {v}" for k, v in list(value.items())[:5])
            parts.append(f"{key}={{{inner}}}")
        else:
            parts.append(f"{key}={value}")
    return "; ".join(parts) if parts else "-"
