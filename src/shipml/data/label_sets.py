"""Data: multilabel targets. Flag columns become one column of label sets; a separated column is
read as one; labels too rare (or too common) for the folds are set aside, each one named.

Inside shipml a label set is its labels joined by `JOIN` in one column (the target), so the
data stage, the profile and the framing see one target column whatever the spec's form. A row
with a missing flag has no known label set: its target is missing, and it is dropped with the
other unlabelled rows (and counted in their warning).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shipml.core.errors import DataContractError
from shipml.data.target_parts import check_part_columns
from shipml.spec.model import Target

JOIN = "|"
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


@dataclass(frozen=True, slots=True)
class LabelSets:
    """The labels kept, in order, each row's 0/1 membership, and the labels set aside."""

    labels: tuple[str, ...]
    Y: np.ndarray  # (n, L) int64
    set_aside: dict[str, str]  # label -> why


def join_label_columns(raw: pd.DataFrame, target: Target) -> pd.DataFrame:
    """The table with the flag columns of `target.columns` replaced by one column of label sets
    (named `target.column`); any other spec is returned as it is."""
    if target.columns is None:
        return raw
    check_part_columns(raw, target, parts="label", joined="label sets", example="label_set")
    with_sep = [c for c in target.columns if JOIN in c]
    if with_sep:
        raise DataContractError(
            f"the label columns {with_sep} hold {JOIN!r} in their names",
            where="target.columns",
            fix=f"rename those columns: {JOIN!r} joins labels in predictions",
        )
    flags = {c: _flags(raw[c], c) for c in target.columns}
    known = np.logical_and.reduce([~np.isnan(v) for v in flags.values()])
    joined = np.full(len(raw), None, dtype=object)
    for i in np.flatnonzero(known):
        joined[i] = JOIN.join(c for c in target.columns if flags[c][i] == 1.0)
    out = raw.drop(columns=list(target.columns))
    out[target.column] = pd.Series(joined, index=raw.index, dtype=object)
    return out


def label_order(target: Target) -> tuple[str, ...] | None:
    """The spec's label order (its flag columns), or None when the data decides it."""
    return None if target.columns is None else tuple(target.columns)


def separator_of(target: Target) -> str:
    return target.separator if target.separator is not None else JOIN


def read_label_sets(
    values: pd.Series, *, separator: str, order: Sequence[str] | None, folds: int
) -> LabelSets:
    """Each row's labels (rows with a known target) as a 0/1 matrix over the labels kept.

    The labels are the spec's flag columns in order, or every label found, most frequent first.
    A label with fewer positive (or negative) rows than the folds cannot be scored in each fold;
    it is set aside, with why.
    """
    sets = [_split(v, separator) for v in values.tolist()]
    counts = Counter(label for s in sets for label in s)
    found = list(order) if order is not None else sorted(counts, key=lambda c: (-counts[c], c))
    n = len(sets)
    aside: dict[str, str] = {}
    for label in found:
        pos = counts.get(label, 0)
        if pos < folds:
            aside[label] = f"{pos} positive rows, fewer than the {folds} validation folds"
        elif n - pos < folds:
            aside[label] = f"{n - pos} rows without it, fewer than the {folds} validation folds"
    kept = tuple(c for c in found if c not in aside)
    if len(kept) < 2:
        why = "; ".join(f"{c}: {r}" for c, r in aside.items()) or "the data holds fewer"
        raise DataContractError(
            f"a multilabel target needs at least two labels that every fold can score ({why})",
            where="target.columns" if order is not None else "target.column",
            fix="add rows with those labels, lower validation.folds, or use a binary task",
        )
    index = {c: j for j, c in enumerate(kept)}
    Y = np.zeros((n, len(kept)), dtype=np.int64)
    for i, s in enumerate(sets):
        for label in s:
            j = index.get(label)
            if j is not None:
                Y[i, j] = 1
    return LabelSets(kept, Y, aside)


def label_set_warnings(sets: LabelSets) -> list[str]:
    return [
        f"label {label!r} is set aside: {why} (it is neither learned nor predicted)"
        for label, why in sets.set_aside.items()
    ]


def summarize_label_sets(values: pd.Series, separator: str, top_pairs: int = 10) -> dict:
    """The profile of a label-set target: rows per label, labels per row, and the label pairs
    most often on one row (co-occurrence), in place of a count of every distinct set."""
    known = values.dropna()
    sets = [_split(v, separator) for v in known.tolist()]
    counts = Counter(label for s in sets for label in s)
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    pairs = Counter(
        f"{a}+{b}" for s in sets for i, a in enumerate(sorted(s)) for b in sorted(s)[i + 1 :]
    )
    per_row = (
        {"mean": round(float(sizes.mean()), 3), "min": int(sizes.min()), "max": int(sizes.max())}
        if len(sizes) else {}
    )  # fmt: skip
    return {
        "kind": "label_sets",
        "n_missing": int(len(values) - len(known)),
        "rows_per_label": {k: int(v) for k, v in counts.most_common()},
        "labels_per_row": per_row,
        "distinct_sets": len(set(sets)),
        "most_frequent_pairs": {k: int(v) for k, v in pairs.most_common(top_pairs)},
    }


def _split(value: object, separator: str) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    parts = (p.strip() for p in str(value).split(separator))
    return tuple(dict.fromkeys(p for p in parts if p))


def _flags(col: pd.Series, name: str) -> np.ndarray:
    """A flag column as 1.0, 0.0 or NaN (missing); anything else is refused, with examples."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(col.dtype):
        values = col.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isnan(values) & (values != 0.0) & (values != 1.0)
    else:
        text = col.astype("string").str.strip().str.lower()
        values = np.where(text.isin(_TRUE), 1.0, np.where(text.isin(_FALSE), 0.0, np.nan))
        bad = (col.notna() & np.isnan(values)).to_numpy()
    if bad.any():
        samples = sorted({str(v) for v in col[bad].head(200)})[:5]
        raise DataContractError(
            f"the label column {name!r} holds values other than 0/1 or true/false, "
            f"such as {samples}",
            where="target.columns",
            fix="make each label column 0/1 (or true/false); leave it empty where unknown",
        )
    return values
