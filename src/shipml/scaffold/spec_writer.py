"""Scaffold: `scaffold_spec` reads a table and writes a commented starting spec (`shipml init`).

Every inferred choice is written with its reason as a YAML comment, and returned as a one-line
note. The YAML is assembled line by line (not dumped) so each comment sits beside its key;
scalars are quoted with `json.dumps`, which YAML reads as double-quoted strings.
The rules themselves (target, event time, entities, holdout) live in `scaffold_rules.py`.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from shipml.core.enums import ColumnType, Metric
from shipml.core.errors import DataContractError
from shipml.data import DatasetProfile, infer_column_types, load_frame
from shipml.data.label_sets import join_label_columns
from shipml.data.paths import join_level_columns
from shipml.framing.metrics import default_metrics
from shipml.scaffold.label_target import (
    choose_label_target,
    label_target,
    target_dict,
    target_lines,
)
from shipml.scaffold.path_target import (
    choose_path_target,
    looks_like_paths,
    path_target,
)
from shipml.scaffold.rules import (
    ColumnChoice,
    TargetChoice,
    check_target,
    choose_target,
    find_structure,
    path_for_spec,
    require_file,
    spec_name,
)
from shipml.spec.model import SPEC_VERSION, Target
from shipml.tasks import task_kind

STATED_TYPES = (ColumnType.DATETIME, ColumnType.TEXT)
FOLDS = 5
HOLDOUT_FRACTION = 0.2
CONSTRAINTS: tuple[tuple[str, Any, str], ...] = (
    ("max_p95_latency_ms", 50, "95th-percentile time of one prediction"),
    ("max_model_mb", 100, "size of the saved model"),
    ("n_trials", 24, "tuning trials over the whole model ladder (deterministic)"),
    ("time_budget_s", 600, "bounds the whole training run"),
    ("strict", False, "true: fail when no candidate meets these; false: warn, keep the best"),
)
SEED = 42
_WIDTH = 100


@dataclass(frozen=True, slots=True)
class ScaffoldResult:
    """What `shipml init` writes (`text`), the same spec as a dict, and one note per choice."""

    text: str
    spec: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Inferred:
    source: str
    n_rows: int
    n_columns: int
    name: tuple[str, str]  # (value, why)
    train: tuple[str, str]
    target_column: str
    target: TargetChoice
    types: dict[str, ColumnType]
    type_reasons: dict[str, str]
    suspects: dict[str, str]  # column -> "kind: reason"
    time: ColumnChoice | None
    group: ColumnChoice | None
    holdout: ColumnChoice | None
    metrics: tuple[Metric, list[Metric], str]
    # a target in parts: multilabel (flag columns or a separated column) or hierarchical
    # (level columns or a separated column of paths)
    labels: Target | None = None

    @property
    def strategy(self) -> tuple[str, str]:
        if self.time is not None:
            return "time", self.time.reason
        if self.group is not None:
            return "group", self.group.reason
        if task_kind(self.target.task).label_sets:
            return (
                "stratified",
                "no event-time or repeating-entity column: K-fold by iterative "
                "stratification over the label sets",
            )
        if task_kind(self.target.task).stratify:
            return "stratified", "no event-time or repeating-entity column: K-fold by class share"
        return "stratified", "no event-time or repeating-entity column: shuffled K-fold"

    @property
    def holdout_reason(self) -> str:
        if self.holdout is not None:
            return self.holdout.reason
        share = f"{HOLDOUT_FRACTION:.0%}"
        if self.time is not None:
            return f"the latest {share} of rows in time are the test set, read once at the end"
        if self.group is not None:
            return f"{share} of the entities are the test set, read once at the end"
        return f"{share} of rows, drawn like the folds, are the test set, read once at the end"


def scaffold_spec(
    data_path: str | Path,
    target: str | Sequence[str],
    *,
    separator: str | None = None,
    out_path: Path | None = None,
    name: str | None = None,
    task: str | None = None,
) -> ScaffoldResult:
    """Read the data and infer a starting spec for predicting `target`, with reasons.

    Several targets (or `A,B` naming columns, or a `separator`) ask for a multilabel task, or
    with `task="hierarchical"` a path (level columns, or a column of paths with a separator);
    a separated column that looks like paths is read as paths.
    `out_path` is where the spec will be written (the data path is made relative to its
    folder); without it, the current folder. Raises `DataContractError` for a missing or empty
    file, or a target that is not a column or holds a single value.
    """
    path = str(data_path)
    require_file(path)
    df = load_frame(path, where="DATA")
    source = Path(path).name
    targets = [target] if isinstance(target, str) else list(target)
    if task is None and separator is not None and len(targets) == 1 and targets[0] in df:
        task = "hierarchical" if looks_like_paths(df[targets[0]], separator) else None
    labels = None if task == "hierarchical" else label_target(df, targets, separator, source)
    if task == "hierarchical":
        labels = path_target(df, targets, separator, source)
        df = join_level_columns(df, labels)  # as training reads it: one column of paths
        target = labels.column
        choice = choose_path_target(df[target], labels, FOLDS)
    elif labels is not None:
        df = _joined(df, labels)  # as training reads it: one column of label sets
        target = labels.column
        choice = choose_label_target(df[target], labels, FOLDS)
    else:
        target = targets[0]
        check_target(df, target, source)
        choice = choose_target(df[target])
    typing = infer_column_types(df, target=target, overrides={})
    profile, time, group, holdout = find_structure(df, typing, target)
    inferred = _Inferred(
        source=source,
        n_rows=len(df),
        n_columns=len(df.columns),
        name=spec_name(path, name),
        train=path_for_spec(path, out_path),
        target_column=target,
        target=choice,
        types={str(k): v for k, v in typing.types.items()},
        type_reasons={str(k): v for k, v in typing.reasons.items()},
        suspects=_suspects(profile),
        time=time,
        group=group,
        holdout=holdout,
        metrics=default_metrics(choice.task, choice.positive_share),
        labels=labels,
    )
    return ScaffoldResult(text=_render(inferred), spec=_spec_dict(inferred), notes=_notes(inferred))


def _joined(df: pd.DataFrame, labels: Target) -> pd.DataFrame:
    """The flag columns joined; a column that is no flag is named with what several targets
    mean (the flag columns of one multilabel target)."""
    try:
        return join_label_columns(df, labels)
    except DataContractError as exc:
        raise DataContractError(
            "several targets are read as the 0/1 flag columns of one multilabel target, and "
            f"{exc.detail}",
            where="--target",
            fix="pass 0/1 (or true/false) label columns, or one --target for one column "
            "(one spec per target column)",
        ) from None


def _suspects(profile: DatasetProfile) -> dict[str, str]:
    found: dict[str, str] = {}
    for s in profile.suspects:
        name, why = str(s.column), f"{s.kind}: {s.reason}"
        found[name] = f"{found[name]}; {why}" if name in found else why
    return found


def _stated_types(inf: _Inferred) -> dict[str, ColumnType]:
    return {c: t for c, t in inf.types.items() if t in STATED_TYPES}


def _spec_dict(inf: _Inferred) -> dict[str, Any]:
    target: dict[str, Any] = {"column": inf.target_column}
    if inf.labels is not None:
        target = target_dict(inf.labels)
    if inf.target.positive is not None:
        target["positive"] = inf.target.positive
    return {
        "spec_version": SPEC_VERSION,
        "name": inf.name[0],
        "objective": {"description": ""},
        "data": {"train": inf.train[0]},
        "target": target,
        "task": str(inf.target.task),
        "features": {
            "exclude": list(inf.suspects),
            "types": {c: t.value for c, t in _stated_types(inf).items()},
            "keep_suspects": [],
        },
        "validation": _validation_dict(inf),
        "metrics": {
            "primary": inf.metrics[0].value,
            "secondary": [m.value for m in inf.metrics[1]],
        },
        "constraints": {key: value for key, value, _ in CONSTRAINTS},
        "seed": SEED,
    }


def _validation_dict(inf: _Inferred) -> dict[str, Any]:
    out: dict[str, Any] = {"strategy": inf.strategy[0]}
    if inf.time is not None:
        out["time_column"] = inf.time.column
    if inf.group is not None:
        out["group_column"] = inf.group.column
    out["folds"] = FOLDS
    if inf.holdout is not None:
        out["holdout"] = {"column": inf.holdout.column, "value": inf.holdout.value}
    else:
        out["holdout"] = {"fraction": HOLDOUT_FRACTION}
    return out


def _notes(inf: _Inferred) -> list[str]:
    t = inf.target
    notes = [
        f"name: {inf.name[0]} ({inf.name[1]})",
        f"data.train: {inf.train[0]} ({inf.train[1]})",
        f"task: {t.task!s} ({t.task_reason})",
    ]
    if t.positive is not None and t.positive_share is not None:
        notes.append(f"target.positive: {t.positive!r} ({t.positive_reason})")
    notes += [f"features.exclude: {c} ({why})" for c, why in inf.suspects.items()]
    notes += [
        f"features.types: {c}: {k.value} ({inf.type_reasons.get(c, '')})"
        for c, k in _stated_types(inf).items()
    ]
    notes.append(f"validation.strategy: {inf.strategy[0]} ({inf.strategy[1]})")
    notes.append(f"validation.holdout: {inf.holdout_reason}")
    notes.append(f"metrics.primary: {inf.metrics[0].value} ({inf.metrics[2]})")
    return notes


# --- the YAML text, section by section ------------------------------------------------------


def _q(value: str) -> str:
    """A YAML-safe scalar: JSON's double-quoted string is valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str, indent: int = 0) -> list[str]:
    pad = " " * indent
    flat = " ".join(text.split())
    return textwrap.wrap(flat, _WIDTH, initial_indent=f"{pad}# ", subsequent_indent=f"{pad}# ")


def _beside(line: str, why: str) -> str:
    return f"{line}  # {' '.join(why.split())}"


def _render(inf: _Inferred) -> str:
    sections = (_head, _target_lines, _features_lines, _validation_lines, _tail_lines)
    return "\n".join(line for section in sections for line in section(inf)) + "\n"


def _head(inf: _Inferred) -> list[str]:
    return [
        *_comment(
            f"Model specification written by `shipml init` from {inf.source} ({inf.n_rows:,} "
            f"rows, {inf.n_columns} columns). Each choice was inferred from the data; the "
            "comments say why. Review it, then run `shipml train` on this file; "
            "`shipml schema` lists every key."
        ),
        f"spec_version: {SPEC_VERSION}",
        _beside(f"name: {_q(inf.name[0])}", inf.name[1]),
        "",
        "objective:",
        *_comment("TODO: say what the model is for: the decision it supports, who acts on it.", 2),
        '  description: ""',
        "",
        "data:",
        _beside(f"  train: {_q(inf.train[0])}", inf.train[1]),
        "",
    ]


def _target_lines(inf: _Inferred) -> list[str]:
    t = inf.target
    lines = ["target:", f"  column: {_q(inf.target_column)}"]
    if inf.labels is not None:
        lines = target_lines(inf.labels, _q)
    if t.positive is not None and t.positive_share is not None:
        lines += _comment(
            f"{t.positive!r}: {t.positive_reason}, the class the model scores; write the other "
            f"label if that is the outcome to act on. {t.summary}. Quoted: labels are matched "
            "as strings.",
            2,
        )
        lines.append(f"  positive: {_q(t.positive)}")
    else:
        lines += _comment(f"{t.summary}.", 2)
    return [*lines, "", *_comment(f"{t.task!s}: {t.task_reason}."), f"task: {t.task!s}", ""]


def _features_lines(inf: _Inferred) -> list[str]:
    listing = ", ".join(f"{c}: {k.value}" for c, k in inf.types.items())
    lines = ["features:", *_comment(f"Columns as read (name: type): {listing}.", 2)]
    roles = [f"{inf.holdout.column!r} is the holdout marker"] if inf.holdout else []
    roles += [f"{inf.group.column!r} is the group column"] if inf.group else []
    if roles:
        lines += _comment(f"{' and '.join(roles)}: left out of the features by that role.", 2)
    if inf.suspects:
        lines += _comment("Suspects (identifiers, personal data, dates known too late):", 2)
        lines.append("  exclude:")
        lines += [_beside(f"    - {_q(c)}", why) for c, why in inf.suspects.items()]
    else:
        lines.append(_beside("  exclude: []", "no identifier, personal-data or late-date suspect"))
    stated = _stated_types(inf)
    if stated:
        lines += _comment("Stated where the type decides how a column is used:", 2)
        lines.append("  types:")
        lines += [
            _beside(f"    {_q(c)}: {k.value}", inf.type_reasons.get(c, ""))
            for c, k in stated.items()
        ]
    else:
        lines.append(_beside("  types: {}", "pin a column's type here, e.g. zip: categorical"))
    lines.append(_beside("  keep_suspects: []", "a suspect named here stays a feature"))
    return [*lines, ""]


def _validation_lines(inf: _Inferred) -> list[str]:
    strategy, why = inf.strategy
    lines = ["validation:", *_comment(f"{strategy}: {why}.", 2), f"  strategy: {strategy}"]
    if inf.time is not None:
        lines.append(f"  time_column: {_q(inf.time.column)}")
    if inf.group is not None:
        lines.append(f"  group_column: {_q(inf.group.column)}")
    lines.append(_beside(f"  folds: {FOLDS}", "cross-validation folds over the training rows"))
    lines += _comment(inf.holdout_reason + ".", 2)
    if (h := inf.holdout) is not None and h.value is not None:
        lines.append(f"  holdout: {{column: {_q(h.column)}, value: {_q(h.value)}}}")
    else:
        lines.append(f"  holdout: {{fraction: {HOLDOUT_FRACTION}}}")
    return [*lines, ""]


def _tail_lines(inf: _Inferred) -> list[str]:
    primary, secondary, why = inf.metrics
    return [
        "metrics:",
        *_comment(f"{primary.value}: {why}.", 2),
        f"  primary: {primary.value}",
        _beside(f"  secondary: [{', '.join(m.value for m in secondary)}]", "reported beside it"),
        "",
        "constraints:",
        *_comment("Starting points: set them to what serving and the team can afford.", 2),
        *[_beside(f"  {key}: {json.dumps(value)}", why) for key, value, why in CONSTRAINTS],
        "",
        *_comment("Every random choice (folds, holdout, models) flows from this seed."),
        f"seed: {SEED}",
    ]
