"""Scaffold: a hierarchical target for `shipml init` (a path down a taxonomy per row).

Asked for with `--task hierarchical`: several `--target`s are the level columns, first level
first (`target.columns`); one `--target` with `--separator` is a column of joined paths
(`target.column` with `target.separator`). A separated column is also read as paths without
`--task` when it looks like one: every row splits into the same number of levels (two or more)
and each value sits under one parent, as in "Fashion/Shoes/Sneakers"; label sets vary in size
and repeat a label under different labels. The summary names the classes per level and how
many classes are folded into their parent for being too small for the folds.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from shipml.core.errors import DataContractError
from shipml.data.paths import fold_paths, min_class_rows
from shipml.data.taxonomy import PATH_JOIN, path_parts
from shipml.scaffold.rules import TargetChoice, check_target, part_target
from shipml.spec.model import Target
from shipml.tasks.hierarchical import HIERARCHICAL

HOLDOUT = 0.2  # the starting spec's holdout fraction
PATH_NAMES = ("path", "category_path", "taxonomy_path")  # for the joined level columns


def path_target(
    df: pd.DataFrame, targets: Sequence[str], separator: str | None, source: str
) -> Target:
    """The hierarchical target the arguments ask for (with `--task hierarchical`)."""
    columns = [str(c) for c in df.columns]
    if len(targets) == 1 and separator is None:
        parts = [p.strip() for p in targets[0].split(",")]
        if targets[0] in columns or len(parts) < 2:
            raise DataContractError(
                "a hierarchical target is a path: one column per level, or one column of "
                "paths with the string that joins the levels",
                where="--target",
                fix="pass each level column (--target department --target category ...), or "
                "one --target with --separator '/'",
            )
        targets = parts
    for t in targets:
        check_target(df, t, source)
    if separator is not None:
        if len(targets) != 1:
            raise DataContractError(
                f"--separator reads one column of joined paths; {len(targets)} targets given",
                where="--separator",
                fix="pass one --target with --separator, or the level columns without it",
            )
        return _target({"column": targets[0], "separator": separator})
    free = next(n for n in (*PATH_NAMES, *(f"path_{i}" for i in range(1, 99))) if n not in df)
    return _target({"column": free, "columns": list(targets)})


def looks_like_paths(values: pd.Series, separator: str) -> bool:
    """Every row splits into the same number (2+) of levels, each value keeps its level (a
    label set puts a label first in one row and second in another), and the first level has
    fewer values than the paths."""
    text = values.dropna().astype(str)
    if text.empty:
        return False
    parts = text.map(lambda v: tuple(p.strip() for p in v.split(separator))).drop_duplicates()
    depths = parts.map(len)
    if depths.nunique() != 1 or depths.iloc[0] < 2:
        return False
    level: dict[str, int] = {}
    for path in parts:
        for i, value in enumerate(path):
            if level.setdefault(value, i) != i:
                return False
    return parts.map(lambda p: p[0]).nunique() < len(parts)


def choose_path_target(joined: pd.Series, target: Target, folds: int) -> TargetChoice:
    """The hierarchical task with the classes per level and what folding will do."""
    known = joined.dropna().astype(str)
    paths = known.map(path_parts)
    depth = len(paths.iloc[0]) if len(paths) else 0
    per_level = [paths.map(lambda p, i=i: p[: i + 1]).nunique() for i in range(depth)]
    folded = fold_paths(known, min_rows=min_class_rows(folds, HOLDOUT))
    summary = (
        f"{per_level[-1] if per_level else 0} classes on {depth} levels ("
        + ", ".join(f"level {i + 1}: {n}" for i, n in enumerate(per_level))
        + ")"
    )
    if folded.folded:
        summary += (
            f"; {len(folded.folded)} classes too small for the folds will be folded into their "
            "parent"
        )
    if folded.left_out:
        summary += f"; {len(folded.left_out)} too small even folded into their parents are left out"
    missing = len(joined) - len(known)
    if missing:
        summary += f"; {missing:,} rows have no path and are left out"
    form = (
        "level columns" if target.columns is not None else f"levels joined by {target.separator!r}"
    )
    why = (
        f"a path down a taxonomy per row ({form}): a classifier per parent node and a flat "
        "one over the classes, cross-validation picks; decided from the first level down"
    )
    return TargetChoice(HIERARCHICAL.name, why, None, None, summary)


def _target(values: dict[str, object]) -> Target:
    return part_target(values, "hierarchical", "level")


__all__ = ["PATH_JOIN", "choose_path_target", "looks_like_paths", "path_target"]
