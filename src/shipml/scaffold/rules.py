"""Scaffold: the rules `shipml init` infers a spec by (target, event time, entities, holdout)."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from shipml.core.enums import ColumnType, TaskName
from shipml.core.errors import DataContractError
from shipml.data import ColumnTyping, DatasetProfile, profile_table
from shipml.data.columns import looks_like_id_name
from shipml.framing.task import frame_target, infer_task
from shipml.spec.model import Target
from shipml.tasks import task_kind

_NAME_OK = re.compile(r"[^A-Za-z0-9_.-]+")
_DATA_SUFFIXES = (".gz", ".csv", ".tsv", ".parquet", ".pq")
_TIME_NAME = re.compile(r"date|time|stamp|created|event|(^|_)at$|day|week|month|period", re.I)
_ENTITY_NAME = re.compile(
    r"customer|client|user|patient|individual|person|member|account|household|subject|"
    r"session|device|student|employee|player|store|machine",
    re.I,
)
_SPLIT_NAME = re.compile(r"(^|_)(split|set|fold|partition|subset)$", re.I)
_TEST_VALUES = ("test", "holdout", "validation")
_YES_LABELS = frozenset({"true", "yes", "y", "t", "1", "positive", "pos"})
MIN_TIME_VALUES = 20
MIN_GROUPS = 10
GROUP_ROWS = (2.0, 50.0)  # average rows per entity that make a column a group, not a category


@dataclass(frozen=True, slots=True)
class TargetChoice:
    task: TaskName
    task_reason: str
    positive: str | None  # binary only, always a string: labels are matched as strings
    positive_share: float | None
    summary: str  # class shares, or the range of a numeric target
    positive_reason: str = ""


@dataclass(frozen=True, slots=True)
class ColumnChoice:
    column: str
    reason: str
    value: str | None = None  # the test value of a holdout column


def slug_name(text: str) -> str:
    """A spec name (`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`) from free text; empty when none is left."""
    return _NAME_OK.sub("-", text).strip("-_.")[:100].rstrip("-_.")


def name_from_path(path: str) -> str:
    """The data file's name without its data suffixes, or its folder's name for a glob."""
    p = Path(path)
    stem = p.name
    while stem.lower().endswith(_DATA_SUFFIXES):
        stem = stem.rsplit(".", 1)[0]
    return slug_name(stem) or slug_name(p.parent.name) or "model"


def path_for_spec(data_path: str, out_path: Path | None) -> tuple[str, str]:
    """The data path as the spec should hold it (relative to the spec's folder when near), why."""
    data_abs = os.path.abspath(os.path.expanduser(data_path))
    folder = os.path.abspath((out_path or Path("spec.yaml")).parent)
    try:
        common = os.path.commonpath([data_abs, folder])
    except ValueError:  # different drives: no relative path exists
        common = ""
    if common in ("", os.path.abspath(os.sep)):
        return Path(data_abs).as_posix(), "absolute: the data shares no folder with the spec"
    rel = Path(os.path.relpath(data_abs, folder)).as_posix()
    return rel, "relative to this spec's folder, which relative paths resolve against"


def require_file(path: str) -> None:
    """Refuse a data path that names no file, suggesting close names beside it."""
    if set("*?[") & set(path) or Path(path).expanduser().is_file():
        return  # a glob is checked by load_frame
    p = Path(path).expanduser()
    nearby = [c.name for c in p.parent.iterdir() if c.is_file()] if p.parent.is_dir() else []
    close = difflib.get_close_matches(p.name, nearby, n=3, cutoff=0.5)
    hint = f" (close matches in {p.parent}: {', '.join(close)})" if close else ""
    raise DataContractError(
        f"no data file at {path}{hint}",
        where="DATA",
        fix="give the path of a CSV or Parquet file (or a glob of them)",
    )


def spec_name(path: str, given: str | None) -> tuple[str, str]:
    """The spec name: `given` made valid, or the data file's name; and where it came from."""
    if given is None:
        return name_from_path(path), "from the data file's name"
    slug = slug_name(given) or "model"
    return slug, "as given" if slug == given else f"{given!r} made a valid name"


def check_target(df: pd.DataFrame, target: str, source: str) -> None:
    """Refuse a target that is not a column, holds fewer than two values, or leaves no feature."""
    columns = [str(c) for c in df.columns]
    if target not in columns:
        by_lower = {c.lower(): c for c in columns}
        close = difflib.get_close_matches(target, columns, n=3, cutoff=0.5)
        if target.lower() in by_lower and by_lower[target.lower()] not in close:
            close.insert(0, by_lower[target.lower()])
        shown = ", ".join(repr(c) for c in close) if close else "none"
        raise DataContractError(
            f"the target column {target!r} is not among the {len(columns)} columns of {source} "
            f"(close matches: {shown})",
            where="--target",
            fix=f"pass one of the data's columns to --target, e.g. {(close or columns)[0]!r}",
        )
    values = df[target].dropna()
    if values.nunique() < 2:
        held = "only missing values" if values.empty else f"the single value {values.iloc[0]!r}"
        raise DataContractError(
            f"the target column {target!r} holds {held} over the {len(df):,} rows of {source}",
            where="--target",
            fix="choose a column with at least two classes or values, or data with both outcomes",
        )
    if len(columns) < 2:
        raise DataContractError(
            f"{source} has no column besides the target {target!r}",
            where="DATA",
            fix="give the data at least one feature column",
        )


def choose_target(y: pd.Series) -> TargetChoice:
    """The task and, for binary, the positive class (the minority), with the class shares."""
    known = y.dropna()
    n_missing = len(y) - len(known)
    unknown = f"; {n_missing:,} rows have no target and are left out" if n_missing else ""
    task, task_reason = infer_task(known)
    kind = task_kind(task)
    if kind.gives_values:
        x = known.astype("float64")
        summary = f"numeric, from {x.min():.4g} to {x.max():.4g} (median {x.median():.4g})"
        return TargetChoice(task, task_reason, None, None, summary + unknown)
    tf = frame_target(known.reset_index(drop=True), task="auto", positive=None)
    counts = pd.Series(tf.y).value_counts()
    shares = {str(c): counts.get(i, 0) / len(tf.y) for i, c in enumerate(tf.classes)}
    ordered = sorted(shares.items(), key=lambda kv: -kv[1])
    summary = f"{len(ordered)} classes: " + ", ".join(
        f"{label!r} {share:.1%}" for label, share in ordered[:8]
    )
    summary += (", ..." if len(ordered) > 8 else "") + unknown
    if not kind.has_positive:
        return TargetChoice(task, task_reason, None, None, summary)
    positive, why = _positive(shares)
    return TargetChoice(task, task_reason, positive, shares[positive], summary, why)


def _positive(shares: dict[str, float]) -> tuple[str, str]:
    """The minority class; on a tie, the label that reads as the yes-outcome (true, yes, 1)."""
    if len(shares) != 2:  # e.g. 1 and "1" read as one label once matched as strings
        raise DataContractError(
            f"the target holds {len(shares)} distinct labels as strings: {sorted(shares)}",
            where="--target",
            fix="give the target two distinct class labels, or choose another column",
        )
    (a, share_a), (b, share_b) = shares.items()
    if share_a != share_b:
        minority = a if share_a < share_b else b
        return minority, f"the minority class, {shares[minority]:.1%} of rows"
    yes = next((c for c in (a, b) if c.strip().lower() in _YES_LABELS), b)
    return yes, "the classes are tied (50.0% each); it reads as the yes-outcome"


def find_time_column(profile: DatasetProfile, excluded: set[str]) -> ColumnChoice | None:
    """A datetime column that looks like event time: many distinct values, a time-like name."""
    found = [
        c
        for c in profile.columns
        if c.type is ColumnType.DATETIME
        and c.name not in excluded
        and c.n_unique >= MIN_TIME_VALUES
    ]
    if not found:
        return None
    best = max(found, key=lambda c: (bool(_TIME_NAME.search(c.name)), c.n_unique))
    return ColumnChoice(
        best.name,
        f"{best.name!r} is a datetime with {best.n_unique:,} distinct values: it reads as event "
        "time, so folds train on the past and validate on later rows",
    )


def find_group_column(profile: DatasetProfile, excluded: set[str]) -> ColumnChoice | None:
    """An identifier-like column whose values repeat over rows: the entity each row belongs to."""
    usable = (ColumnType.CATEGORICAL, ColumnType.NUMERIC, ColumnType.ID)
    found = []
    for c in profile.columns:
        named = looks_like_id_name(c.name) or bool(_ENTITY_NAME.search(c.name))
        if c.type not in usable or c.name in excluded or not named or c.n_unique < MIN_GROUPS:
            continue
        rows_per = (profile.n_rows - c.n_missing) / c.n_unique
        if GROUP_ROWS[0] <= rows_per <= GROUP_ROWS[1]:
            found.append((c, rows_per))
    if not found:
        return None
    best, rows_per = max(found, key=lambda cr: cr[0].n_unique)
    return ColumnChoice(
        best.name,
        f"{best.name!r} names {best.n_unique:,} entities with {rows_per:.1f} rows each on "
        "average: an entity stays within one fold, so scores reflect unseen entities",
    )


def find_holdout_column(df: pd.DataFrame, target: str) -> ColumnChoice | None:
    """A predefined partition: a column named like split/set/fold whose values include test."""
    for name in df.columns:
        if name == target or not _SPLIT_NAME.search(str(name)):
            continue
        counts = df[name].dropna().astype("str").value_counts()
        if not 2 <= len(counts) <= 10:
            continue
        by_lower = {str(v).strip().lower(): str(v) for v in counts.index}
        for wanted in _TEST_VALUES:
            if wanted in by_lower:
                value = by_lower[wanted]
                n_test = int(counts[value])
                return ColumnChoice(
                    str(name),
                    f"{name!r} marks a predefined partition: the {n_test:,} rows with "
                    f"{value!r} are the test set, read once to score the champion",
                    value,
                )
    return None


def find_structure(
    df: pd.DataFrame, typing: ColumnTyping, target: str
) -> tuple[DatasetProfile, ColumnChoice | None, ColumnChoice | None, ColumnChoice | None]:
    """The profile (its suspects), the event-time column, the entity column, the holdout marker."""
    profile = profile_table(df, typing, target=target)
    holdout = find_holdout_column(df, target)
    roles = {holdout.column} if holdout else set()
    time = find_time_column(profile, profile.suspect_columns() | roles)
    if time is not None:  # dates later than event time are known too late: suspects too
        profile = profile_table(df, typing, target=target, time_column=time.column)
        return profile, time, None, holdout
    return profile, None, find_group_column(profile, profile.suspect_columns() | roles), holdout


def part_target(values: dict[str, object], task: str, parts: str) -> Target:
    """The spec's `target` for a target given in parts (`task`: multilabel, hierarchical;
    `parts`: flag, level), its validation error said for `--target`."""
    try:
        return Target.model_validate(values)
    except ValidationError as exc:
        raise DataContractError(
            f"these targets do not make a {task} target: {exc.errors()[0]['msg']}",
            where="--target",
            fix=f"pass two or more distinct {parts} columns, or one column with --separator",
        ) from None
