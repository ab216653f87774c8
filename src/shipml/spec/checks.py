"""Spec: cross-field rules, one small named function each; every problem names its path and fix.

Rules that need the data (the positive class exists, the columns exist) belong to the data
contract in `data/contract.py`.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable

from shipml.core.enums import Metric
from shipml.spec.echo import clip, echo
from shipml.spec.model import BINARY_COST_KEYS, COSTS_SHAPE, FAMILIES, Decision, ModelSpec

Check = Callable[[ModelSpec], list[str]]

CLASSIFICATION_METRICS = {
    Metric.ROC_AUC,
    Metric.AVERAGE_PRECISION,
    Metric.LOG_LOSS,
    Metric.BRIER,
    Metric.ACCURACY,
    Metric.BALANCED_ACCURACY,
    Metric.F1,
    Metric.MACRO_F1,
    Metric.ROC_AUC_OVR,
}
BINARY_ONLY = {Metric.ROC_AUC, Metric.AVERAGE_PRECISION, Metric.BRIER, Metric.F1}
MULTICLASS_ONLY = {Metric.ROC_AUC_OVR}
REGRESSION_METRICS = {Metric.RMSE, Metric.MAE, Metric.R2}
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


def positive_needs_binary_task(spec: ModelSpec) -> list[str]:
    if spec.target.positive is not None and spec.task in ("multiclass", "regression"):
        return [f"target.positive: a {spec.task} task has no positive class; remove it"]
    return []


def metrics_fit_task(spec: ModelSpec) -> list[str]:
    problems: list[str] = []
    named = [("metrics.primary", spec.metrics.primary)] if spec.metrics.primary else []
    named += [(f"metrics.secondary[{i}]", m) for i, m in enumerate(spec.metrics.secondary)]
    for path, metric in named:
        wrong = (
            (spec.task == "regression" and metric not in REGRESSION_METRICS)
            or (spec.task in ("binary", "multiclass") and metric in REGRESSION_METRICS)
            or (spec.task == "multiclass" and metric in BINARY_ONLY)
            or (spec.task == "binary" and metric in MULTICLASS_ONLY)
        )
        if wrong:
            problems.append(f"{path}: {metric} does not apply to a {spec.task} task")
    return problems


def target_is_not_a_feature(spec: ModelSpec) -> list[str]:
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
    if spec.validation.holdout.column == spec.target.column:
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


def decision_fits_task(spec: ModelSpec) -> list[str]:
    return decision_problems(spec.decision, spec.task)


def decision_problems(d: Decision, task: str) -> list[str]:
    """The decision section against a task (`auto` when not yet known); `shipml decide` runs it
    again with the model's task."""
    rules: dict[str, object] = {"costs": d.costs, "recall_target": d.recall_target}
    rules |= {"precision_target": d.precision_target, "metric": d.metric, "fixed": d.fixed}
    chosen = [k for k, v in rules.items() if v is not None]
    problems = [f"decision: give one rule, not {chosen}"] if len(chosen) > 1 else []
    if task == "regression":
        named = chosen + (["class_recall_floors"] if d.class_recall_floors else [])
        if named:
            problems.append(f"decision.{named[0]}: a regression task has no threshold; remove it")
        return problems
    if problems:
        return problems
    problems = _binary_cost_problems(d, task) if isinstance(d.costs, dict) else []
    threshold_rules = [k for k in chosen if k != "costs"]
    if task == "multiclass" and threshold_rules:
        problems.append(
            f"decision.{threshold_rules[0]}: a multiclass task decides by argmax or a cost "
            "matrix; use decision.costs (true -> decided -> cost) or class_recall_floors"
        )
    if d.class_recall_floors and (task == "binary" or chosen):
        problems.append(
            "decision.class_recall_floors: floors apply to a multiclass argmax; "
            "for a binary task use recall_target, and do not combine them with another rule"
        )
    if d.assurance == "lower_bound" and not {"recall_target", "precision_target"} & set(chosen):
        problems.append(
            "decision.assurance: lower_bound applies to recall_target or precision_target; "
            "add one, or remove assurance"
        )
    return problems


def _binary_cost_problems(d: Decision, task: str) -> list[str]:
    costs = d.costs
    assert isinstance(costs, dict)
    if not all(isinstance(v, float) for v in costs.values()):
        return []  # a matrix keyed by class labels; checked against the data's classes
    unknown = sorted(set(costs) - set(BINARY_COST_KEYS))
    if unknown or task == "multiclass":
        what = f"unknown keys {unknown}" if unknown else "fp/fn costs are binary"
        return [f"decision.costs: {what}; {COSTS_SHAPE}"]
    c = {k: float(costs.get(k, 0.0)) for k in BINARY_COST_KEYS}  # type: ignore[arg-type]
    if c["fp"] <= c["tn"] or c["fn"] <= c["tp"]:
        return [
            "decision.costs: a false positive must cost more than a true negative and a false "
            "negative more than a true positive, or one decision always wins; check the signs "
            "(a benefit is a negative cost: tp: -5)"
        ]
    return []


CHECKS: tuple[Check, ...] = (
    group_strategy_needs_group_column,
    time_strategy_needs_time_column,
    latest_holdout_needs_time_column,
    gap_needs_time_strategy,
    positive_needs_binary_task,
    metrics_fit_task,
    target_is_not_a_feature,
    include_and_exclude_are_disjoint,
    ladder_names_known_families,
    decision_fits_task,
    seed_fits_numpy,
    holdout_column_is_not_the_target,
    fairness_bins_increase,
    weight_is_not_a_split_column,
)


def cross_field_problems(spec: ModelSpec) -> list[str]:
    return [problem for check in CHECKS for problem in check(spec)]
