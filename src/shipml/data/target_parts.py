"""Data: the checks a target given in parts (flag or level columns) needs before its columns
are joined into one: each named column is in the data, and the joined column's name is free."""

from __future__ import annotations

import pandas as pd

from shipml.core.errors import DataContractError
from shipml.spec.model import Target


def check_part_columns(
    raw: pd.DataFrame, target: Target, *, parts: str, joined: str, order: str = "", example: str
) -> None:
    """Raise for a column of `target.columns` missing from the data (`parts`: what they are,
    "label", "level"; `order`: how to list them), or a `target.column` already in it that the
    joined `joined` (label sets, paths) would take (`example`: a name to suggest)."""
    assert target.columns is not None
    missing = [c for c in target.columns if c not in raw.columns]
    if missing:
        raise DataContractError(
            f"the {parts} columns {missing} are not in the data",
            where="target.columns",
            fix=f"name columns of the data{order} (names are case-sensitive)",
        )
    if target.column in raw.columns and target.column not in target.columns:
        raise DataContractError(
            f"the data already has a column {target.column!r}, the name the {joined} would take",
            where="target.column",
            fix=f"set target.column to a new name for the {joined} (e.g. {example})",
        )
