"""Framing: `frame_problem` turns a typed table and a spec into a `ProblemFrame`.

It chooses the task, the features, the validation strategy, the holdout and the metrics, and
records each choice with its reason. The test rows are set aside here and used once, later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shipml.core.enums import ColumnFlag, ColumnType, Metric, SplitKind, TaskName
from shipml.core.errors import DataContractError, SpecError
from shipml.data.label_sets import label_order, separator_of
from shipml.framing.metrics import default_metrics
from shipml.framing.problem import Choice, ProblemFrame, build_schema
from shipml.framing.splits import SplitData, cv_folds, holdout_fraction, holdout_latest
from shipml.framing.task import LabelForm, frame_target
from shipml.spec.model import ModelSpec, parse_duration_days
from shipml.tasks import task_kind

USABLE = (ColumnType.NUMERIC, ColumnType.BOOLEAN, ColumnType.CATEGORICAL, ColumnType.DATETIME)


@dataclass(frozen=True, slots=True)
class SuspectColumn:
    column: str
    kind: str
    reason: str


def frame_problem(
    spec: ModelSpec,
    table: pd.DataFrame,
    types: Mapping[str, ColumnType],
    type_reasons: Mapping[str, str],
    *,
    suspects: Iterable[SuspectColumn] = (),
    test_mask: np.ndarray | None = None,
    formats: Mapping[str, str] | None = None,
) -> ProblemFrame:
    """Frame the problem. `test_mask` marks rows of a separate test file (data.test); `formats`
    are the datetime formats typing found, stored in the schema for serving."""
    suspects = list(suspects)
    target = spec.the_target.column
    known = table[target].notna().to_numpy()
    table = table.loc[known].reset_index(drop=True)
    test_mask = None if test_mask is None else test_mask[known]
    tf = frame_target(
        table[target], task=spec.task, positive=spec.the_target.positive, labels=_label_form(spec)
    )
    choices = [Choice("task", str(tf.task), tf.task_reason)]
    choices += [Choice("label_set_aside", label, why) for label, why in tf.set_aside.items()]
    if task_kind(tf.task).has_positive:
        choices.append(Choice("positive_class", str(tf.classes[1]), tf.positive_reason))

    features, dropped, left_out = _select_features(spec, types, suspects)
    choices += [Choice("excluded_feature", n, why) for n, why in dropped.items()]
    strategy, why = _strategy(spec, tf.task)
    choices.append(Choice("validation_strategy", str(strategy), why))
    split = _split_data(spec, table, tf.y, tf.task, strategy)
    all_rows = np.arange(len(table))
    train_rows, test_rows, why = _holdout(spec, table, all_rows, strategy, split, test_mask)
    _check_training_part(
        train_rows, test_rows, split, spec.validation.folds, strategy, labels=tf.classes
    )
    choices.append(Choice("holdout", f"{len(test_rows)} rows", why))
    folds = cv_folds(train_rows, strategy, split, spec.validation.folds, spec.seed)
    primary, secondary, why = _metrics(spec, tf.task, tf.y[train_rows])
    choices.append(Choice("primary_metric", str(primary), why))

    weight = None
    if spec.data.weight:
        weight = table[spec.data.weight].to_numpy(dtype=np.float64)
        choices.append(Choice("sample_weight", spec.data.weight, "set in the spec (data.weight)"))
    all_types = {n: t for n, t in types.items() if n != target}
    return ProblemFrame(
        task=tf.task,
        target=target,
        classes=tf.classes,
        y=tf.y,
        weight=weight,
        features=features,
        columns={n: table[n].to_numpy() for n in features},
        schema=build_schema(
            all_types,
            features,
            {**type_reasons, **dropped},
            flags=column_flags(suspects, spec.deploy.pii_mask, left_out),
            formats=formats,
        ),
        strategy=strategy,
        split=split,
        train_rows=train_rows,
        test_rows=test_rows,
        folds=tuple(folds),
        primary=primary,
        secondary=tuple(secondary),
        choices=tuple(choices),
        seed=spec.seed,
        n_jobs=spec.constraints.n_jobs,
    )


def _label_form(spec: ModelSpec) -> LabelForm:
    t = spec.the_target
    return LabelForm(separator_of(t), label_order(t), spec.validation.folds)


def column_flags(
    suspects: Iterable[SuspectColumn],
    pii_mask: Iterable[str],
    left_out: Mapping[str, ColumnFlag] | None = None,
) -> dict[str, frozenset[ColumnFlag]]:
    """Each column's typed flags: every kind of suspect it was found to be, PII for the
    columns `deploy.pii_mask` names (whatever framing decides about the column afterwards),
    and why framing left a column out (EXCLUDED by the spec, ROLE, TEXT, IDENTIFIER)."""
    flags: dict[str, set[ColumnFlag]] = {}
    for s in suspects:
        flags.setdefault(s.column, set()).add(ColumnFlag(s.kind))
    for name in pii_mask:
        flags.setdefault(name, set()).add(ColumnFlag.PII)
    for name, flag in (left_out or {}).items():
        flags.setdefault(name, set()).add(flag)
    return {name: frozenset(found) for name, found in flags.items()}


def _select_features(
    spec: ModelSpec, types: Mapping[str, ColumnType], suspects: Iterable[SuspectColumn]
) -> tuple[dict[str, ColumnType], dict[str, str], dict[str, ColumnFlag]]:
    """The features, the reason each other column is left out, and the flag of those left out
    for what they are (excluded by the spec, another role, text, an identifier); suspects carry
    their own flags."""
    v, f = spec.validation, spec.features
    roles = {
        spec.the_target.column: "the target",
        spec.data.weight: "the sample weight (data.weight)",
        v.group_column: "the group column: entities are kept whole across folds, not learned",
        v.holdout.column: "the predefined holdout column (validation.holdout.column)",
    }
    dropped: dict[str, str] = {}
    flags: dict[str, ColumnFlag] = {}
    for name, ctype in types.items():
        if name in roles:
            dropped[name], flags[name] = str(roles[name]), ColumnFlag.ROLE
        elif name in f.exclude:
            dropped[name] = "excluded in the spec (features.exclude)"
            flags[name] = ColumnFlag.EXCLUDED
        elif f.include is not None and name not in f.include:
            dropped[name], flags[name] = "not in features.include", ColumnFlag.EXCLUDED
        elif ctype is ColumnType.TEXT:
            dropped[name] = "free text: text features are not built in this version"
            flags[name] = ColumnFlag.TEXT
        elif ctype is ColumnType.ID:
            dropped[name] = "identifier-like: passed through, never learned from"
            flags[name] = ColumnFlag.IDENTIFIER
    for s in suspects:
        if s.column in types and s.column not in dropped and s.column not in f.keep_suspects:
            dropped[s.column] = f"{s.kind} suspect: {s.reason} (keep with features.keep_suspects)"
    target = spec.the_target.column
    dropped.pop(target, None)  # the target is not an input column at all
    features = {n: t for n, t in types.items() if n not in dropped and n != target and t in USABLE}
    if not features:
        why = "; ".join(f"{n}: {r}" for n, r in dropped.items()) or "the data has no other column"
        raise DataContractError(
            f"no feature columns are left after exclusions ({why})",
            where="features",
            fix="check features.include/exclude, or keep suspects with features.keep_suspects",
        )
    flags.pop(target, None)
    return features, dropped, flags


def _strategy(spec: ModelSpec, task: TaskName) -> tuple[SplitKind, str]:
    v = spec.validation
    if v.strategy != "auto":
        return SplitKind(v.strategy), "set in the spec (validation.strategy)"
    if v.time_column:
        return SplitKind.TIME, f"{v.time_column} is event time: train on the past, validate later"
    if v.group_column:
        return SplitKind.GROUP, f"{v.group_column} identifies entities: none spans two folds"
    how = "stratified by class" if task_kind(task).stratify else "shuffled"
    return SplitKind.STRATIFIED, f"no time or group structure given: {how} K-fold"


def _split_data(
    spec: ModelSpec, table: pd.DataFrame, y: np.ndarray, task: TaskName, kind: SplitKind
) -> SplitData:
    v = spec.validation
    groups = times = None
    gap = parse_duration_days(v.gap) if v.gap else 0.0
    if v.group_column:
        groups = pd.factorize(table[v.group_column], use_na_sentinel=False)[0]
    if v.time_column:
        times = _as_time(table[v.time_column], v.time_column)
    tk = task_kind(task)
    return SplitData(
        y=y, stratify=tk.stratify, groups=groups, times=times, gap=gap,
        label_sets=tk.label_sets,
    )  # fmt: skip


def _as_time(col: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(col):
        values = col.to_numpy(dtype="datetime64[s]").astype(np.float64) / 86400.0
    elif pd.api.types.is_numeric_dtype(col):
        values = col.to_numpy(dtype=np.float64)
    else:
        raise DataContractError(
            "the time column must hold dates or numbers",
            where="validation.time_column",
            fix=f"set features.types.{name}: datetime, or name another column",
        )
    if np.isnan(values).any():
        raise DataContractError(
            f"{int(np.isnan(values).sum())} rows have no time in {name!r}",
            where="validation.time_column",
            fix="fill or drop rows without a time",
        )
    return values


def _holdout(
    spec: ModelSpec,
    table: pd.DataFrame,
    rows: np.ndarray,
    kind: SplitKind,
    split: SplitData,
    test_mask: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, str]:
    h = spec.validation.holdout
    if test_mask is not None:
        return rows[~test_mask], rows[test_mask], "the separate test file (data.test)"
    if h.column is not None:
        is_test = (table[h.column].astype(str) == h.value).to_numpy()
        if not is_test.any() or is_test.all():
            raise DataContractError(
                f"{int(is_test.sum())} of {len(is_test)} rows have {h.column} == {h.value!r}",
                where="validation.holdout.value",
                fix="name a value that marks some, not all, rows as test",
            )
        return rows[~is_test], rows[is_test], f"the predefined split: {h.column} == {h.value!r}"
    if h.latest is not None:
        assert split.times is not None
        span = parse_duration_days(h.latest)
        train, test = holdout_latest(rows, split, span)
        if len(test) == 0 or len(train) == 0:
            raise DataContractError(
                f"the latest {h.latest} holds {len(test)} of {len(rows)} rows",
                where="validation.holdout.latest",
                fix="choose a period that leaves rows on both sides",
            )
        return train, test, f"the latest {h.latest} of {spec.validation.time_column}"
    assert h.fraction is not None
    _check_fraction(rows, split, h.fraction, kind)
    train, test = holdout_fraction(rows, kind, split, h.fraction, spec.seed)
    return train, test, f"{h.fraction:.0%} of rows, {kind} like the folds"


def _check_fraction(rows: np.ndarray, split: SplitData, fraction: float, kind: SplitKind) -> None:
    """A random holdout must leave every class on both sides (sklearn rounds the test up)."""
    n = len(rows)
    n_test = int(np.ceil(n * fraction))
    need = len(np.unique(split.y[rows])) if split.stratify and kind is not SplitKind.TIME else 1
    if n_test < need or n - n_test < need:
        raise DataContractError(
            f"a holdout fraction of {fraction:g} of {n} rows leaves {n_test} test and "
            f"{n - n_test} training rows, too few for the {need} classes on each side",
            where="validation.holdout.fraction",
            fix="use a fraction that leaves enough rows on both sides, such as 0.2",
        )


def _check_label_rows(Y: np.ndarray, labels: tuple[object, ...], folds: int) -> None:
    """Every label keeps positive and negative rows for each fold after the holdout."""
    positives, negatives = Y.sum(axis=0), len(Y) - Y.sum(axis=0)
    short = [
        f"{labels[j]!r} ({int(positives[j])} positive, {int(negatives[j])} negative)"
        for j in range(Y.shape[1])
        if min(positives[j], negatives[j]) < folds
    ]
    if short:
        raise DataContractError(
            f"after the holdout the labels {', '.join(short)} have fewer training rows on one "
            f"side than the {folds} folds",
            where="validation.holdout",
            fix="hold out less, lower validation.folds, or drop those labels from the target",
        )


def _check_training_part(
    train: np.ndarray,
    test: np.ndarray,
    split: SplitData,
    folds: int,
    kind: SplitKind,
    labels: tuple[object, ...] = (),
) -> None:
    """After the holdout, the training part must still fill the folds."""
    where = "validation.holdout"
    if len(test) == 0:
        raise DataContractError("the holdout leaves no test rows", where=where, fix="hold out more")
    if len(train) < 2 * folds:
        raise DataContractError(
            f"the holdout leaves {len(train)} training rows for {folds} folds",
            where=where,
            fix="hold out less (a smaller fraction or a shorter period), or lower validation.folds",
        )
    if split.label_sets:
        _check_label_rows(split.y[train], labels, folds)
    elif split.stratify and kind is not SplitKind.TIME:
        counts = np.bincount(split.y[train].astype(np.int64))
        counts = counts[counts > 0]
        if counts.min() < folds:
            raise DataContractError(
                f"after the holdout the rarest class has {int(counts.min())} training rows, "
                f"fewer than the {folds} folds",
                where=where,
                fix="hold out less, or lower validation.folds",
            )


def _metrics(
    spec: ModelSpec, task: TaskName, y_train: np.ndarray
) -> tuple[Metric, list[Metric], str]:
    share = float(np.mean(y_train == 1)) if task_kind(task).has_positive else None
    primary, secondary, why = default_metrics(task, share)
    if spec.metrics.primary is not None:
        primary, why = spec.metrics.primary, "set in the spec (metrics.primary)"
        _check_metric_fits(primary, task, "metrics.primary")
    if spec.metrics.secondary:
        secondary = list(spec.metrics.secondary)
        for i, m in enumerate(secondary):
            _check_metric_fits(m, task, f"metrics.secondary[{i}]")
    return primary, [m for m in secondary if m != primary], why


def _check_metric_fits(metric: Metric, task: TaskName, where: str) -> None:
    fits = task_kind(task).metrics
    if metric not in fits:
        raise SpecError(
            f"{metric} does not apply to this {task} task (task inferred from the target)",
            where=where,
            fix=f"use one of {sorted(str(m) for m in fits)}, or set task explicitly",
        )
