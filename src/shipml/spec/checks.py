"""Spec: cross-field rules, one small named function each; every problem names its path and fix.

Rules that need the data (the positive class exists, the columns exist) belong to the data
contract in `data/contract.py`.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Sequence

from shipml.spec.echo import clip, echo
from shipml.spec.model import FAMILIES, ModelSpec

Check = Callable[[ModelSpec], list[str]]

MAX_SEED = 2**32  # numpy's RandomState takes seeds below this


def group_strategy_needs_group_column(spec: ModelSpec) -> list[str]:
    v = spec.validation
    if v.strategy == "group" and not v.group_column:
        return ["validation.group_column: the group strategy needs the column naming each entity"]
    return []


def time_strategy_needs_time_column(spec: ModelSpec) -> list[str]:
    v = spec.validation
    if v.strategy == "time" and not v.time_column:
        return ["validation.time_column: the time strategy needs the column holding event time"]
    return []


def latest_holdout_needs_time_column(spec: ModelSpec) -> list[str]:
    v = spec.validation
    if v.holdout.latest is not None and not v.time_column:
        return [
            "validation.holdout.latest: a latest-period holdout needs validation.time_column; "
            "set it, or use holdout: {fraction: 0.2}"
        ]
    return []


def gap_needs_time_strategy(spec: ModelSpec) -> list[str]:
    v = spec.validation
    if v.gap is not None and v.strategy != "time":
        return ["validation.gap: a gap only applies to the time strategy; remove it or use time"]
    return []


def target_is_not_a_feature(spec: ModelSpec) -> list[str]:
    if spec.target is None:
        return []
    target = spec.target.column
    problems = []
    if spec.features.include and target in spec.features.include:
        problems.append(f"features.include: the target {echo(target)} cannot be a feature")
    if target in spec.features.types:
        problems.append(f"features.types: the target {echo(target)} has no feature type; remove it")
    if spec.data.weight == target:
        problems.append("data.weight: the weight column cannot be the target")
    return problems


def include_and_exclude_are_disjoint(spec: ModelSpec) -> list[str]:
    both = set(spec.features.include or []) & set(spec.features.exclude)
    if both:
        return [f"features.exclude: {echo(sorted(both))} are also in features.include; keep one"]
    return []


def ladder_names_known_families(spec: ModelSpec) -> list[str]:
    problems = []
    for i, name in enumerate(spec.models.ladder or []):
        if name not in FAMILIES:
            problems.append(f"models.ladder[{i}]: unknown family {echo(name)}{_families(name)}")
    for name in spec.models.params:
        if name not in FAMILIES:
            problems.append(f"models.params.{clip(name, 60)}: unknown family{_families(name)}")
    return problems


def _families(name: str) -> str:
    close = difflib.get_close_matches(clip(name, 100), FAMILIES, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; use one of {FAMILIES}"


def seed_fits_numpy(spec: ModelSpec) -> list[str]:
    if spec.seed >= MAX_SEED:
        return [f"seed: must be below 2**32 ({MAX_SEED}), numpy's limit; got {echo(spec.seed)}"]
    return []


def holdout_column_is_not_the_target(spec: ModelSpec) -> list[str]:
    if spec.target is not None and spec.validation.holdout.column == spec.target.column:
        return [
            "validation.holdout.column: the target cannot mark the holdout rows; name the "
            "column that says which rows are the test set (split: test)"
        ]
    return []


def fairness_bins_increase(spec: ModelSpec) -> list[str]:
    problems = []
    for column, edges in spec.fairness.bins.items():  # finite already: the schema says so
        if any(a >= b for a, b in itertools.pairwise(edges)):
            problems.append(
                f"fairness.bins.{clip(column, 60)}: the edges must be strictly increasing, "
                f"such as [18, 30, 65]; got {echo(edges)}"
            )
    return problems


def weight_is_not_a_split_column(spec: ModelSpec) -> list[str]:
    weight, v = spec.data.weight, spec.validation
    named = [("validation.group_column", v.group_column), ("validation.time_column", v.time_column)]
    return [
        f"data.weight: the weight column cannot also be {key}; give each its own column"
        for key, column in named
        if weight is not None and column == weight
    ]


CHECKS: tuple[Check, ...] = (
    group_strategy_needs_group_column,
    time_strategy_needs_time_column,
    latest_holdout_needs_time_column,
    gap_needs_time_strategy,
    target_is_not_a_feature,
    include_and_exclude_are_disjoint,
    ladder_names_known_families,
    seed_fits_numpy,
    holdout_column_is_not_the_target,
    fairness_bins_increase,
    weight_is_not_a_split_column,
)


def cross_field_problems(spec: ModelSpec, extra: Sequence[Check] = ()) -> list[str]:
    """The problems of every check here, then of `extra` (the task's, from `shipml.tasks`)."""
    return [problem for check in (*CHECKS, *extra) for problem in check(spec)]
