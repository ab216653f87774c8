"""Data: does a table hold a panel of time series (many series, each observed over time)?

A panel is a datetime column whose values repeat across rows, and a key column (text or
integers) whose values, with the time, identify almost every row: `Series_ID x month`, or
`store x week`. shipml frames rows, not series: on a panel it fits a model of independent rows,
with no lags and no backtest by horizon, so it says so wherever the table is read (`init`,
`profile`, `train`) rather than forecast in silence. A single series (one row per time) is not
a panel, and neither is a table whose times never repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

UNIQUE_PAIRS = 0.99  # share of rows the (key, time) pair must identify (a panel: all of them)
MIN_SERIES = 2
MIN_LENGTH = 3  # median rows per series


@dataclass(frozen=True, slots=True)
class Panel:
    key: str
    time: str
    series: int
    median_length: int

    def sentence(self, task: str) -> str:
        return (
            f"the rows look like a panel of {self.series:,} time series ({self.key!r} x "
            f"{self.time!r}, a median of {self.median_length} times each): shipml frames it as "
            f"{task} on independent rows, with no lags and no backtest by horizon; forecasting "
            "many series is not supported yet"
        )


def find_panel(df: pd.DataFrame, exclude: set[str] | frozenset[str] = frozenset()) -> Panel | None:
    """The first (time, key) pair that makes `df` a panel; None when there is none."""
    n = len(df)
    if n < MIN_SERIES * MIN_LENGTH:
        return None
    times = [
        c for c in df.columns if c not in exclude and pd.api.types.is_datetime64_any_dtype(df[c])
    ]
    keys = [c for c in df.columns if c not in exclude and _key_like(df[c])]
    for time in times:
        if df[time].nunique(dropna=True) > n / MIN_SERIES:
            continue  # times hardly repeat: one series, or events
        for key in keys:
            panel = _panel(df, key, time)
            if panel is not None:
                return panel
    return None


def _key_like(s: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_float_dtype(s):
        return False
    return (
        pd.api.types.is_integer_dtype(s)
        or pd.api.types.is_string_dtype(s)
        or (isinstance(s.dtype, pd.CategoricalDtype))
    )


def _panel(df: pd.DataFrame, key: str, time: str) -> Panel | None:
    pairs = df[[key, time]].dropna()
    if len(pairs) < UNIQUE_PAIRS * len(df):
        return None
    series = int(pairs[key].nunique())
    if series < MIN_SERIES or series > len(df) / MIN_LENGTH:
        return None
    if len(pairs.drop_duplicates()) < UNIQUE_PAIRS * len(df):
        return None
    length = int(pairs.groupby(key, observed=True).size().median())
    return Panel(key, time, series, length) if length >= MIN_LENGTH else None
