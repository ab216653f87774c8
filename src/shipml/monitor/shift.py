"""Monitor: the shift between the training rows and a later sample (the test rows at training).

The target: each class's rate (a binary target: the positive rate), flagged when it moves by
more than 0.05 absolute; a numeric target's mean, flagged when it moves by more than 0.2
training standard deviations. Each used feature: the two-sample tests of `drift.py`; a numeric
feature whose later values lie outside the training range (more than 1% of them) is named, and
a datetime feature whose later months never occur in training. Every warning names the column
and the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shipml.core.enums import ColumnType
from shipml.monitor.drift import PSI_ALERT, ColumnDrift, categorical_drift, numeric_drift

RATE_SHIFT = 0.05
MEAN_SHIFT_SD = 0.2
OUTSIDE_SHARE = 0.01
NUMERIC = (ColumnType.NUMERIC, ColumnType.BOOLEAN)
CATEGORICAL = (ColumnType.CATEGORICAL, ColumnType.TEXT)


@dataclass(frozen=True, slots=True)
class TargetShift:
    """The target's rate per class (or its mean) on both samples."""

    train: dict[str, float]
    other: dict[str, float]
    shifted: tuple[str, ...]  # the classes (or "mean") whose rate moved past the limit
    sentence: str


@dataclass(frozen=True, slots=True)
class ShiftReport:
    rows: str  # what the later sample is: "test rows"
    target: TargetShift | None
    columns: tuple[ColumnDrift, ...]
    outside_range: tuple[str, ...]  # one sentence per column

    @property
    def drifted(self) -> tuple[ColumnDrift, ...]:
        return tuple(c for c in self.columns if c.drifted)

    def warnings(self) -> tuple[str, ...]:
        out = []
        if self.target is not None and self.target.shifted:
            out.append(f"the target shifts between training and the {self.rows}: "
                       f"{self.target.sentence}")  # fmt: skip
        if self.drifted:
            named = "; ".join(c.describe() for c in self.drifted)
            out.append(f"features drift between training and the {self.rows}: {named}")
        out += [f"{s} (the {self.rows})" for s in self.outside_range]
        return tuple(out)


def target_shift(
    y_train: np.ndarray,
    y_other: np.ndarray,
    classes: Sequence[object] | None,
    *,
    label_sets: bool = False,
) -> TargetShift | None:
    """Class rates (codes into `classes`), each label's rate (`label_sets`: y is (n, L) 0/1)
    or, with `classes` None, the mean of a value."""
    if len(y_train) == 0 or len(y_other) == 0:
        return None
    if label_sets and classes is not None:
        names = [str(c) for c in classes]
        ra, rb = y_train.mean(axis=0), y_other.mean(axis=0)
        shifted = tuple(n for n, a, b in zip(names, ra, rb, strict=True) if abs(b - a) > RATE_SHIFT)
        sentence = "; ".join(
            f"rate of label {n} {a:.1%} in training, {b:.1%} later"
            for n, a, b in zip(names, ra, rb, strict=True)
            if n in shifted
        )
        before = dict(zip(names, ra.tolist(), strict=True))
        after = dict(zip(names, rb.tolist(), strict=True))
        return TargetShift(before, after, shifted, sentence)
    if classes is None:
        sd = float(np.std(y_train)) or 1.0
        a, b = float(np.mean(y_train)), float(np.mean(y_other))
        moved = abs(b - a) / sd > MEAN_SHIFT_SD
        sentence = (f"mean {a:.4g} in training, {b:.4g} in the later rows "
                    f"({(b - a) / sd:+.2f} training standard deviations)")  # fmt: skip
        return TargetShift({"mean": a}, {"mean": b}, ("mean",) if moved else (), sentence)
    k = len(classes)
    ta = np.bincount(y_train.astype(np.int64), minlength=k) / len(y_train)
    tb = np.bincount(y_other.astype(np.int64), minlength=k) / len(y_other)
    shown = [k - 1] if k == 2 else range(k)  # a binary target: the positive class's rate
    names = [str(c) for c in classes]
    shifted = tuple(names[i] for i in shown if abs(tb[i] - ta[i]) > RATE_SHIFT)
    sentence = "; ".join(f"rate of {names[i]} {ta[i]:.1%} in training, {tb[i]:.1%} later"
                         for i in shown if k == 2 or names[i] in shifted)  # fmt: skip
    return TargetShift(dict(zip(names, ta.tolist(), strict=True)),
                       dict(zip(names, tb.tolist(), strict=True)), shifted, sentence)  # fmt: skip


def feature_shift(
    train: Mapping[str, np.ndarray],
    other: Mapping[str, np.ndarray],
    types: Mapping[str, ColumnType],
    *,
    psi_alert: float = PSI_ALERT,
) -> tuple[tuple[ColumnDrift, ...], tuple[str, ...]]:
    """Each feature's drift, and a sentence for each whose later values leave the training
    range (numeric) or fall in months training never saw (datetime)."""
    drifts: list[ColumnDrift] = []
    outside: list[str] = []
    for name, kind in types.items():
        a, b = np.asarray(train[name]), np.asarray(other[name])
        if kind in NUMERIC:
            drift = numeric_drift(name, a, b, psi_alert=psi_alert)
            outside += _outside_range(name, a, b)
        elif kind in CATEGORICAL:
            drift = categorical_drift(name, a, b, psi_alert=psi_alert)
        elif kind is ColumnType.DATETIME:
            drift = None
            outside += _unseen_months(name, a, b)
        else:
            drift = None
        if drift is not None:
            drifts.append(drift)
    return tuple(drifts), tuple(outside)


def _outside_range(name: str, a: np.ndarray, b: np.ndarray) -> list[str]:
    ta, tb = (np.asarray(x, dtype=np.float64) for x in (a, b))
    ta, tb = ta[np.isfinite(ta)], tb[np.isfinite(tb)]
    if len(ta) == 0 or len(tb) == 0:
        return []
    lo, hi = float(ta.min()), float(ta.max())
    share = float(np.mean((tb < lo) | (tb > hi)))
    if share <= OUTSIDE_SHARE:
        return []
    return [
        f"{name}: {share:.0%} of the values lie outside the training range [{lo:.4g}, {hi:.4g}]"
    ]


def _unseen_months(name: str, a: np.ndarray, b: np.ndarray) -> list[str]:
    months = [set(_months(x)) for x in (a, b)]
    unseen = sorted(months[1] - months[0])
    if not unseen or not months[0]:
        return []
    return [f"{name}: months {', '.join(map(str, unseen))} never occur in training"]


def _months(x: np.ndarray) -> list[int]:
    values = np.asarray(x, dtype="datetime64[ns]")
    values = values[~np.isnat(values)]
    return (values.astype("datetime64[M]").astype(np.int64) % 12 + 1).tolist()
