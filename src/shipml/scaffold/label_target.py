"""Scaffold: a multilabel target for `shipml init` (several `--target`s, `A,B`, or a separator).

Flag columns (`--target Action --target Comedy`, or `--target Action,Comedy` when no column has
that name) become `target.columns`; one column of joined labels (`--target tags --separator
'|'`) becomes `target.column` with `target.separator`. The summary names each label's share,
how many labels a row holds and the pairs that occur together most often (label co-occurrence).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from shipml.core.errors import DataContractError
from shipml.data.label_sets import (
    label_order,
    read_label_sets,
    separator_of,
    summarize_label_sets,
)
from shipml.scaffold.rules import TargetChoice, check_target, part_target
from shipml.spec.model import LABELS_COLUMN, Target
from shipml.tasks.multilabel import MULTILABEL


def label_target(
    df: pd.DataFrame, targets: Sequence[str], separator: str | None, source: str
) -> Target | None:
    """The multilabel target the arguments ask for, or None for a single-column target."""
    columns = [str(c) for c in df.columns]
    if len(targets) == 1 and separator is None:
        parts = [p.strip() for p in targets[0].split(",")]
        if targets[0] in columns or len(parts) < 2:
            return None
        targets = parts
    if separator is not None:
        if len(targets) != 1:
            raise DataContractError(
                f"--separator reads one column of joined labels; {len(targets)} targets given",
                where="--separator",
                fix="pass one --target with --separator, or flag columns without it",
            )
        check_target(df, targets[0], source)
        return _target({"column": targets[0], "separator": separator})
    for t in targets:
        if t not in columns:
            check_target(df, t, source)  # names the column with its close matches
    return _target({"columns": list(targets)})


def choose_label_target(values: pd.Series, target: Target, folds: int) -> TargetChoice:
    """The multilabel task with each label's share, labels per row and co-occurring pairs."""
    known = values.dropna()
    sets = read_label_sets(
        known, separator=separator_of(target), order=label_order(target), folds=folds
    )
    Y = sets.Y
    if len(Y) and (Y.sum(axis=1) == 1).all():
        raise DataContractError(
            "every row holds exactly one label: that is one class per row, not a set of labels",
            where="--separator" if target.separator is not None else "--target",
            fix="pass the column as one --target (a multiclass task), without --separator",
        )
    shares = Y.mean(axis=0)
    per_row = Y.sum(axis=1)
    parts = [f"{label!r} {s:.1%}" for label, s in zip(sets.labels, shares, strict=True)][:8]
    summary = f"{len(sets.labels)} labels: " + ", ".join(parts)
    summary += ", ..." if len(sets.labels) > 8 else ""
    summary += (
        f"; {per_row.mean():.2f} labels per row on average ({per_row.min()} to {per_row.max()})"
    )
    counted = summarize_label_sets(known, separator_of(target), top_pairs=3)
    pairs = [f"{p} {c / len(Y):.1%}" for p, c in counted["most_frequent_pairs"].items()]
    if pairs:
        summary += "; most frequent together: " + ", ".join(pairs)
    if sets.set_aside:
        summary += "; set aside: " + ", ".join(f"{c} ({r})" for c, r in sets.set_aside.items())
    missing = len(values) - len(known)
    if missing:
        summary += f"; {missing:,} rows have no known label set and are left out"
    form = (
        "flag columns" if target.columns is not None else f"labels joined by {target.separator!r}"
    )
    why = f"several labels per row ({form}): one binary model per label, decided per label"
    return TargetChoice(MULTILABEL.name, why, None, None, summary)


def target_lines(target: Target, q: Callable[[str], str]) -> list[str]:
    """The YAML lines of a multilabel `target:` section (`q` makes a scalar YAML-safe)."""
    if target.columns is not None:
        named = [f"  column: {q(target.column)}"] if target.column != LABELS_COLUMN else []
        return ["target:", *named, "  columns:", *(f"    - {q(c)}" for c in target.columns)]
    return ["target:", f"  column: {q(target.column)}", f"  separator: {q(str(target.separator))}"]


def target_dict(target: Target) -> dict[str, object]:
    if target.columns is not None:
        named = {"column": target.column} if target.column != LABELS_COLUMN else {}
        return {**named, "columns": list(target.columns)}
    return {"column": target.column, "separator": target.separator}


def _target(values: dict[str, object]) -> Target:
    return part_target(values, "multilabel", "flag")
