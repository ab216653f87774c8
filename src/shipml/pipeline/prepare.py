"""Pipeline: the data stage, load, type, check the contract and profile (no model needed)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shipml.core.enums import TaskName
from shipml.core.errors import DataContractError
from shipml.data import (
    ColumnTyping,
    DatasetProfile,
    apply_types,
    check_contract,
    fingerprint,
    infer_column_types,
    load_frame,
    profile_table,
)
from shipml.data.casting import count_infinite
from shipml.data.label_sets import join_label_columns, separator_of
from shipml.data.paths import min_class_rows, path_target
from shipml.explain.classes import check_explain_classes
from shipml.framing import ProblemFrame, SuspectColumn, frame_problem
from shipml.framing.task import infer_task
from shipml.spec.load import LoadedSpec
from shipml.tasks import task_kind


@dataclass(frozen=True, slots=True)
class PreparedData:
    table: pd.DataFrame  # typed; a separate test file's rows appended, marked by `test_mask`
    typing: ColumnTyping
    profile: DatasetProfile
    warnings: tuple[str, ...]
    test_mask: np.ndarray | None
    fingerprint: str


def prepare_data(loaded: LoadedSpec) -> PreparedData:
    spec = loaded.spec
    raw = load_frame(loaded.resolve(spec.data.train), period=spec.data.period)
    test_mask = None
    if spec.data.test:
        test = load_frame(
            loaded.resolve(spec.data.test), period=spec.data.period, where="data.test"
        )
        _same_columns(raw, test)
        test_mask = np.r_[np.zeros(len(raw), bool), np.ones(len(test), bool)]
        raw = pd.concat([raw, test[raw.columns]], ignore_index=True)
    paths = spec.task != "auto" and task_kind(spec.task).paths
    folding: list[str] = []
    if paths:  # level columns or a separated column -> one column of canonical paths, folded
        need = min_class_rows(spec.validation.folds, spec.validation.holdout.fraction)
        raw, keep, folding = path_target(raw, spec.the_target, need)
        test_mask = None if test_mask is None else test_mask[keep]
    else:  # flag columns -> one column of label sets
        raw = join_label_columns(raw, spec.the_target)
    typing = infer_column_types(raw, target=spec.the_target.column, overrides=spec.features.types)
    warnings = folding + check_contract(
        raw, spec, typing, task=_task(raw, loaded), folds=spec.validation.folds
    )
    infinite = count_infinite(raw, typing)
    warnings += [
        f"column {c!r} holds {n:,} infinite values; they count as missing values"
        for c, n in infinite.items()
    ]
    table = apply_types(raw, typing, target=spec.the_target.column)
    profile = profile_table(
        table,
        typing,
        target=spec.the_target.column,
        time_column=spec.validation.time_column,
        infinite=infinite,
        label_separator=separator_of(spec.the_target)
        if spec.the_target.label_sets and not paths
        else None,
    )
    return PreparedData(table, typing, profile, tuple(warnings), test_mask, fingerprint(raw))


def frame_data(loaded: LoadedSpec, data: PreparedData) -> ProblemFrame:
    """Frame the prepared data; the profile's suspects leave the features (unless kept)."""
    suspects = [SuspectColumn(x.column, x.kind, x.reason) for x in data.profile.suspects]
    frame = frame_problem(
        loaded.spec,
        data.table,
        data.typing.types,
        data.typing.reasons,
        suspects=suspects,
        test_mask=data.test_mask,
        formats=data.typing.formats,
    )
    check_explain_classes(loaded.spec.explain.classes, frame.classes)  # before any training
    return frame


def _task(raw: pd.DataFrame, loaded: LoadedSpec) -> TaskName | None:
    spec = loaded.spec
    if spec.the_target.column not in raw.columns:
        return None
    if spec.task != "auto":
        return task_kind(spec.task).name
    known = raw[spec.the_target.column].dropna()
    return infer_task(known)[0] if len(known) else None


def _same_columns(train: pd.DataFrame, test: pd.DataFrame) -> None:
    missing = [c for c in train.columns if c not in test.columns]
    if missing:
        raise DataContractError(
            f"the test file lacks the columns {missing}",
            where="data.test",
            fix="give the test file the same columns as the training data",
        )
