"""Framing: the task (binary, multiclass, regression) and the target's encoding, with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from shipml.core.enums import TaskName
from shipml.core.errors import DataContractError
from shipml.data.label_sets import JOIN, read_label_sets
from shipml.tasks import TargetEncoding, task_kind
from shipml.tasks.inference import infer_task

__all__ = ["LabelForm", "TargetFrame", "frame_target", "infer_task"]


@dataclass(frozen=True, slots=True)
class TargetFrame:
    task: TaskName
    classes: tuple[Any, ...]  # binary: (negative, positive); multiclass: sorted; regression: ()
    # class codes (int64) or values (float64), one per row with a known target; label sets:
    # (n, L) 0/1 int64 over `classes` (the labels)
    y: np.ndarray
    task_reason: str
    positive_reason: str = ""
    set_aside: dict[str, str] = field(default_factory=dict)  # label sets: label -> why


@dataclass(frozen=True, slots=True)
class LabelForm:
    """How a label-set target is written: the separator, the spec's label order, the folds."""

    separator: str = JOIN
    order: tuple[str, ...] | None = None
    folds: int = 5


def frame_target(
    y: pd.Series, *, task: str, positive: str | None, labels: LabelForm | None = None
) -> TargetFrame:
    """Encode a target without missing values for the task (inferred when `task` is auto)."""
    inferred: TaskName
    if task == "auto":
        inferred, reason = infer_task(y)
    else:
        inferred, reason = task_kind(task).name, "set in the spec (task)"
    kind = task_kind(inferred)
    if kind.encoding is TargetEncoding.VALUES:
        return TargetFrame(inferred, (), y.to_numpy(dtype=np.float64), reason)
    if kind.encoding is TargetEncoding.LABEL_SETS:
        form = labels or LabelForm()
        sets = read_label_sets(y, separator=form.separator, order=form.order, folds=form.folds)
        return TargetFrame(inferred, sets.labels, sets.Y, reason, set_aside=sets.set_aside)
    if kind.paths:  # canonical paths, joined and folded in the data stage (data/paths.py)
        values = [str(v) for v in y.tolist()]
        order = sorted(set(values))
        codes_of = {c: i for i, c in enumerate(order)}
        y_paths = np.fromiter((codes_of[c] for c in values), np.int64, len(values))
        return TargetFrame(inferred, tuple(order), y_paths, reason)
    values = _python_labels(y)
    as_text = np.array([str(v) for v in values], dtype=object)
    distinct = sorted(set(as_text.tolist()))
    if kind.has_positive:
        pos_text, pos_reason = _positive(as_text, distinct, positive)
        neg_text = next((c for c in distinct if c != pos_text), None)
        if neg_text is None:
            raise DataContractError(
                f"the target holds only the class {pos_text!r}",
                where=y.name if isinstance(y.name, str) else "target.column",
                fix="a classifier needs at least two classes in the data",
            )
        order = [neg_text, pos_text]
    else:
        order, pos_reason = distinct, ""
    first = dict(zip(as_text.tolist(), values, strict=True))
    codes = {t: i for i, t in enumerate(order)}
    y_codes = np.fromiter((codes[t] for t in as_text), dtype=np.int64, count=len(as_text))
    return TargetFrame(inferred, tuple(first[t] for t in order), y_codes, reason, pos_reason)


def _positive(as_text: np.ndarray, distinct: list[str], positive: str | None) -> tuple[str, str]:
    if positive is not None:
        if positive not in distinct:
            raise DataContractError(
                f"the positive class {positive!r} is not among the labels {distinct}",
                where="target.positive",
                fix="write one of those labels, quoted",
            )
        return positive, "set in the spec (target.positive)"
    counts = {c: int(np.sum(as_text == c)) for c in distinct}
    minority = min(distinct, key=lambda c: (counts[c], c))
    share = counts[minority] / max(len(as_text), 1)
    return minority, f"the minority class ({share:.1%} of rows)"


def _python_labels(y: pd.Series) -> list[Any]:
    out: list[Any] = []
    for v in y.tolist():
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append(v.item() if hasattr(v, "item") else v)
    return out
