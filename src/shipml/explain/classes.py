"""Explain: which classes a multiclass model's explanations show (`explain.classes`).

A multiclass model has one output per class, so its curves and contributions are of one class
at a time. They follow `explain.classes` (matched as strings, in the order written), by default
the 3 classes with the most training rows. A class with fewer than `MIN_CLASS_ROWS` rows among
the sampled test rows is never explained, named or not: its probability is near 0 on almost
every row, so its curves describe noise. Each class left out is noted with the reason.

A binary model's explanations show P(positive) (which mirrors the other class); a regression
model's show the value: `explain.classes` does not apply to them.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shipml.core.errors import DataContractError

MIN_CLASS_ROWS = 50
DEFAULT_CLASSES = 3
FIELD = "explain.classes"


@dataclass(frozen=True, slots=True)
class ClassChoice:
    explained: tuple[int, ...]  # indices into the model's classes, the first one leading
    notes: tuple[str, ...]  # the classes not explained, and why
    lead: int | None  # the class one-class summaries use (fairness): the first explained


def check_explain_classes(named: Sequence[object] | None, classes: Sequence[object]) -> None:
    """Raise when `explain.classes` names a class the target does not have.

    `classes` are the target's labels; both sides are compared as text (a whole number 3.0 as
    "3", as labels are framed). Meant for when the data's classes are first known, before
    training; `explain_model` calls it too.
    """
    if not named:
        return
    valid = [_text(c) for c in classes]
    unknown = [_text(c) for c in named if _text(c) not in valid]
    if not unknown:
        return
    lower = {v.strip().lower(): v for v in valid}
    alike = {u: difflib.get_close_matches(u.strip().lower(), list(lower), n=1) for u in unknown}
    hint = " ".join(f"Did you mean {lower[m[0]]!r} for {u!r}?" for u, m in alike.items() if m)
    if not valid:
        raise DataContractError(
            f"names classes {unknown}, but the target has no classes (it holds values).",
            where=FIELD,
            fix="remove explain.classes: it applies to targets of several classes",
        )
    what = "is not a class" if len(unknown) == 1 else "are not classes"
    raise DataContractError(
        f"{', '.join(repr(u) for u in unknown)} {what} of the target; the valid classes are "
        f"{valid}." + (f" {hint}" if hint else ""),
        where=FIELD,
        fix="list classes of the target, spelled exactly as in the data (quoted in YAML)",
    )


def choose_classes(
    classes: Sequence[object],
    sample_y: np.ndarray,
    named: Sequence[object] | None,
    *,
    train_rows: Sequence[int] | None = None,
    minimum: int = MIN_CLASS_ROWS,
    default: int = DEFAULT_CLASSES,
    label_sets: bool = False,
) -> ClassChoice:
    """The classes to explain: `named` (spec order) or the `default` largest by `train_rows`
    (class counts of the training rows, in class order; without them the sample's counts;
    positive rows per label for `label_sets`),
    leaving out any class with fewer than `minimum` rows in `sample_y` (class indices)."""
    check_explain_classes(named, classes)
    k = len(classes)
    if label_sets:  # (n, L) 0/1: the rows holding each label
        in_sample = np.asarray(sample_y, dtype=np.int64).sum(axis=0)[:k]
    else:
        in_sample = np.bincount(np.asarray(sample_y, dtype=np.int64), minlength=k)[:k]
    sizes = np.asarray(in_sample if train_rows is None else train_rows, dtype=np.int64)
    text = [_text(c) for c in classes]
    if named:
        wanted = list(dict.fromkeys(text.index(_text(c)) for c in named))
    else:
        wanted = sorted(range(k), key=lambda i: (-int(sizes[i]), i))
    small = [i for i in wanted if in_sample[i] < minimum]
    eligible = [i for i in wanted if in_sample[i] >= minimum]
    chosen = eligible if named else eligible[:default]
    notes = []
    if small:
        shown = ", ".join(f"{text[i]!r} ({int(in_sample[i])} rows)" for i in sorted(small))
        notes.append(
            f"Not explained{', though named in ' + FIELD if named else ''}: {shown}; a class "
            f"needs at least {minimum} rows among the {len(sample_y):,} test rows sampled for "
            "the explanations, or its curves describe a handful of rows."
        )
    rest = [i for i in range(k) if i not in chosen and i not in small]
    if rest and not named:
        by = "training" if train_rows is not None else "test"
        notes.append(
            f"Explained: {', '.join(repr(text[i]) for i in chosen)}, the largest classes by "
            f"{by} rows (up to {default}); not shown: {', '.join(repr(text[i]) for i in rest)}."
            f" Name the classes to explain in {FIELD}."
        )
    if not chosen:
        notes.append("No class qualifies: the per-class curves and contributions are not shown.")
    lead = chosen[0] if chosen else (wanted[0] if wanted else None)  # no class qualifies
    return ClassChoice(tuple(chosen), tuple(notes), lead)


def _text(label: object) -> str:
    if isinstance(label, float) and label.is_integer():
        return str(int(label))
    item = getattr(label, "item", None)  # numpy scalars as Python writes them
    return _text(item()) if callable(item) and not isinstance(label, str) else str(label)
