"""Runtime: each fitted preprocessing step compiled to a function that prepares one record.

A filler reads its column from a JSON-like record, appends the step's prepared float values to
the row and returns the column's name when it met a category never seen in training. The
arithmetic mirrors the vectorized steps in `steps.py` operation for operation, so the results
are the same floats; consecutive plain numeric columns (the tree models' case) share one filler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from math import isinf
from typing import Any

import numpy as np

from shipml.runtime.columns import ColumnValueError, as_bool_float, as_label
from shipml.runtime.steps import CategoricalStep, DatetimeStep, NumericStep, Scaling, Step

Filler = Callable[[Mapping[str, Any], list[float]], str | None]
NAN = float("nan")
INF = float("inf")


def compile_steps(steps: Sequence[Step]) -> tuple[Filler, ...]:
    fillers: list[Filler] = []
    plain: list[str] = []
    for step in steps:
        if isinstance(step, NumericStep) and not step.boolean and _identity(step.scaling):
            plain.append(step.column)
            continue
        if plain:
            fillers.append(_plain_block(tuple(plain)))
            plain = []
        fillers.append(compile_step(step))
    if plain:
        fillers.append(_plain_block(tuple(plain)))
    return tuple(fillers)


def compile_step(step: Step) -> Filler:
    if isinstance(step, NumericStep):
        return _numeric(step)
    if isinstance(step, CategoricalStep):
        return _categorical(step)
    if isinstance(step, DatetimeStep):
        return _datetime(step)
    raise TypeError(f"no compiled form for step {type(step).__name__}")


def _identity(s: Scaling) -> bool:
    return s.fill is None and s.mean == 0.0 and s.scale == 1.0


def _plain_block(columns: tuple[str, ...]) -> Filler:
    def fill(record: Mapping[str, Any], out: list[float]) -> None:
        get = record.get
        try:
            values = [NAN if (v := get(c)) is None else float(v) for c in columns]
        except (TypeError, ValueError, OverflowError):
            for c in columns:
                _number(c, get(c))
            return None
        if INF in values or -INF in values:  # infinite values count as missing, as in training
            values = [NAN if isinf(x) else x for x in values]
        out.extend(values)
        return None

    return fill


def _number(column: str, v: Any) -> float:
    if v is None:
        return NAN
    try:
        x = float(v)
    except (TypeError, ValueError, OverflowError):
        raise ColumnValueError(column, "expected a number", v) from None
    return NAN if isinf(x) else x


def _boolean(column: str, v: Any) -> float:
    if v is None:
        return NAN
    if isinstance(v, bool | int | float):
        return float(v)
    one = np.empty(1, dtype=object)
    one[0] = v
    return float(as_bool_float(column, one)[0])


def _numeric(step: NumericStep) -> Filler:
    column, s = step.column, step.scaling
    convert = _boolean if step.boolean else _number
    fill_value, mean, scale = s.fill, s.mean, s.scale
    shift = mean != 0.0 or scale != 1.0

    def fill(record: Mapping[str, Any], out: list[float]) -> None:
        x = convert(column, record.get(column))
        if fill_value is not None and x != x:
            x = fill_value
        if shift:
            x = (x - mean) / scale
        out.append(x)
        return None

    return fill


def _categorical(step: CategoricalStep) -> Filler:
    column = step.column
    other = len(step.categories)
    lookup = dict.fromkeys(step.rare, other) | {c: i for i, c in enumerate(step.categories)}
    width = other + 2

    def code_of(v: Any) -> tuple[int, str | None]:
        if v is None or (isinstance(v, float) and v != v):
            return -1, None
        code = lookup.get(v if isinstance(v, str) else as_label(v))
        return (other, column) if code is None else (code, None)

    def ordinal(record: Mapping[str, Any], out: list[float]) -> str | None:
        code, unseen = code_of(record.get(column))
        out.append(NAN if code < 0 else float(code))
        return unseen

    def onehot(record: Mapping[str, Any], out: list[float]) -> str | None:
        code, unseen = code_of(record.get(column))
        block = [0.0] * width
        block[other + 1 if code < 0 else code] = 1.0
        out.extend(block)
        return unseen

    return onehot if step.onehot else ordinal


def _datetime(step: DatetimeStep) -> Filler:
    column = step.column

    def fill(record: Mapping[str, Any], out: list[float]) -> None:
        one = np.empty(1, dtype=object)
        one[0] = record.get(column)
        try:
            block, _ = step.transform(one)
        except ColumnValueError:
            raise
        except (TypeError, ValueError, OverflowError):
            like = f"a date like {step.format!r} or ISO 8601" if step.format else "an ISO date"
            raise ColumnValueError(column, f"expected {like}") from None
        out.extend(block[0].tolist())
        return None

    return fill
