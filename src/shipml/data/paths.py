"""Data: hierarchical targets. Level columns, or one column of separated paths, become one
column of canonical paths ("Fashion > Shoes > Sneakers"); a path deeper or shallower than the
others is refused by name; a class with fewer rows than the folds is folded into its parent.

Inside shipml a path is its levels joined by `PATH_JOIN`, so the data stage, the profile and
the framing see one target column whatever the spec's form. A row with no value at some level
has no known path: it is refused with the column and rows named, as a taxonomy is one depth.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shipml.core.errors import DataContractError
from shipml.data.target_parts import check_part_columns
from shipml.data.taxonomy import PATH_JOIN
from shipml.spec.model import Target

DEFAULT_SEPARATOR = "/"


@dataclass(frozen=True, slots=True)
class Paths:
    """Each row's class after folding (None: left out), the classes folded into a parent, and
    the classes left out (too small even folded to the first level), with their rows."""

    values: pd.Series
    folded: dict[str, str]  # original class -> the class it became
    left_out: dict[str, int]  # original class -> its rows


def path_target(
    raw: pd.DataFrame, target: Target, min_rows: int
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """The table with its path target canonical and folded, which rows it keeps (a class left
    out takes its rows along), and the warnings that say what folding did."""
    out = join_level_columns(raw, target)
    if target.column not in out.columns:
        return out, np.ones(len(out), dtype=bool), []
    paths = fold_paths(out[target.column], min_rows=min_rows)
    keep = (paths.values.notna() | out[target.column].isna()).to_numpy()
    out[target.column] = paths.values
    return out.loc[keep].reset_index(drop=True), keep, path_warnings(paths, min_rows)


def join_level_columns(raw: pd.DataFrame, target: Target) -> pd.DataFrame:
    """The table with the path target in canonical form: level columns (`target.columns`)
    joined into one column named `target.column`, or `target.column` re-joined from its
    separator. Rows without a target keep it missing."""
    if target.columns is not None:
        check_part_columns(
            raw, target, parts="level", joined="paths", order=", first level first",
            example="category_path",
        )  # fmt: skip
        levels = [_level_text(raw[c]) for c in target.columns]
        paths = _join_levels(levels, target.columns)
        out = raw.drop(columns=list(target.columns))
        out[target.column] = paths
        return out
    if target.column not in raw.columns:
        return raw  # the contract names the missing column
    sep = target.separator or DEFAULT_SEPARATOR
    out = raw.copy()
    out[target.column] = _split_paths(raw[target.column], sep)
    return out


def min_class_rows(folds: int, holdout_fraction: float | None) -> int:
    """The rows a class needs to be in every fold after a stratified holdout of the fraction."""
    return math.ceil(folds / (1.0 - (holdout_fraction or 0.0))) + 1


def fold_paths(y: pd.Series, *, min_rows: int) -> Paths:
    """Fold each class of fewer than `min_rows` rows into its parent, repeatedly; a class
    still too small at the first level is left out (its rows' values become None)."""
    known = y.dropna()
    values = [str(v) for v in known.tolist()]
    original = Counter(values)
    where = {c: c for c in original}  # each original class -> the class it became
    while True:
        counts = Counter(values)
        small = {c: c.rsplit(PATH_JOIN, 1)[0] for c, n in counts.items() if n < min_rows}
        small = {c: parent for c, parent in small.items() if PATH_JOIN in c}
        if not small:
            break
        values = [small.get(v, v) for v in values]
        where = {c: small.get(now, now) for c, now in where.items()}
    counts = Counter(values)
    out = pd.Series([v if counts[v] >= min_rows else None for v in values], index=known.index)
    left = {c: original[c] for c, now in sorted(where.items()) if counts[now] < min_rows}
    folded = {c: now for c, now in sorted(where.items()) if now != c and c not in left}
    return Paths(out.reindex(y.index).astype(object), folded, left)


def path_warnings(paths: Paths, min_rows: int) -> list[str]:
    out = []
    if paths.folded:
        shown = "; ".join(f"{c!r} into {now!r}" for c, now in list(paths.folded.items())[:8])
        more = len(paths.folded) - 8
        tail = f"; and {more} more" if more > 0 else ""
        out.append(
            f"{len(paths.folded)} classes have fewer than the {min_rows} rows the folds and the "
            f"holdout need and were folded into their parent: {shown}{tail}; predictions stop "
            "at the parent for those rows."
        )
    if paths.left_out:
        shown = "; ".join(f"{c!r}: {n}" for c, n in list(paths.left_out.items())[:8])
        rows = sum(paths.left_out.values())
        out.append(
            f"{len(paths.left_out)} classes are too small even folded into their parents "
            f"(rows: {shown}); their {rows:,} rows are left out of training and testing."
        )
    return out


def _level_text(col: pd.Series) -> pd.Series:
    """Each value as stripped text (an integer-valued float without its .0); None when missing
    or blank."""
    out = [None if pd.isna(v) else (_plain_text(v).strip() or None) for v in col.tolist()]
    return pd.Series(out, index=col.index, dtype=object)


def _plain_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _join_levels(levels: Sequence[pd.Series], names: Sequence[str]) -> pd.Series:
    known = pd.concat(levels, axis=1).notna()
    anywhere = known.any(axis=1)
    for name, level, column in zip(names, levels, known.columns, strict=True):
        gaps = anywhere & ~known[column]
        if gaps.any():
            rows = [int(i) for i in gaps.to_numpy().nonzero()[0][:5]]
            raise DataContractError(
                f"the level column {name!r} is empty in {int(gaps.sum()):,} rows that have "
                f"other levels (rows {rows}, counted from 0); a taxonomy has one depth",
                where="target.columns",
                fix="fill that level (repeat the parent's name for a category without "
                "sub-categories), or drop the column from target.columns",
            )
        bad = level.dropna().map(lambda v: PATH_JOIN in v)
        if bad.any():
            raise DataContractError(
                f"the level column {name!r} holds {PATH_JOIN!r}, which joins levels",
                where="target.columns",
                fix=f"replace {PATH_JOIN!r} in those names",
            )
    texts: list[list[object]] = [list(lv) for lv in levels]
    joined = []
    for i in range(len(levels[0])):
        row = [t[i] for t in texts]
        joined.append(None if any(v is None for v in row) else PATH_JOIN.join(map(str, row)))
    return pd.Series(joined, index=levels[0].index, dtype=object)


def _split_paths(col: pd.Series, sep: str) -> pd.Series:
    text = _level_text(col)
    parts = text.map(lambda v: None if v is None else [p.strip() for p in v.split(sep)])
    depths = parts.dropna().map(len)
    if depths.empty:
        return text
    if depths.nunique() > 1:
        usual = int(depths.mode().iloc[0])
        odd = depths[depths != usual]
        samples = [str(text[i]) for i in odd.index[:3]]
        raise DataContractError(
            f"the separator {sep!r} splits the paths into different numbers of levels: most "
            f"rows have {usual}, {len(odd):,} rows do not (such as {samples})",
            where="target.separator",
            fix="make every path the same depth (repeat the parent for a category without "
            "sub-categories), or set target.separator to the string that joins the levels",
        )
    if depths.iloc[0] < 2:
        raise DataContractError(
            f"the separator {sep!r} does not split the target: every path has one level",
            where="target.separator",
            fix="set target.separator to the string that joins the levels (such as ' > ' "
            "or '/'), or use task: multiclass for a flat target",
        )
    empty = parts.dropna().map(lambda p: any(not x for x in p))
    if empty.any():
        samples = [str(text[i]) for i in empty[empty].index[:3]]
        raise DataContractError(
            f"some paths have an empty level (such as {samples})",
            where="target.separator",
            fix="fill the empty levels, or drop those rows",
        )
    joined = parts.map(lambda p: None if p is None else PATH_JOIN.join(p))
    return joined.astype(object)
