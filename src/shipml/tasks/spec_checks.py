"""Tasks: the spec's checks that depend on the task, answered by the task kind's data.

`spec/` checks the spec's shape and the rules that hold for every task; the rules that depend
on the task (a positive class, which metrics apply, which decision rules) live here, because
only the task kind knows them. `tasks.load_spec` runs both in one pass.
"""

from __future__ import annotations

import difflib

from shipml.core.enums import Metric
from shipml.spec.decision import BINARY_COST_KEYS, COSTS_SHAPE, Decision
from shipml.spec.model import PLANNED_TASKS, ModelSpec
from shipml.tasks.kind import PolicyKind, TaskKind
from shipml.tasks.registry import registered, task_kind
from shipml.tasks.sections import section_problems, target_problems


def task_problems(spec: ModelSpec) -> list[str]:
    """Every task-dependent problem of the spec; with `task: auto`, those that hold for all."""
    if spec.task != "auto" and spec.task not in {k.name for k in registered()}:
        return [_unknown_task(spec.task)]
    kind = None if spec.task == "auto" else task_kind(spec.task)
    problems = target_problems(spec, kind) + _label_target_problems(spec, kind)
    problems += section_problems(spec, kind)
    positive = None if spec.target is None else spec.target.positive
    if kind is not None and positive is not None and not kind.has_positive:
        problems.append(f"target.positive: a {kind.name} task has no positive class; remove it")
    if kind is not None:
        problems += _metric_problems(spec, kind)
    return problems + decision_problems(spec.decision, kind)


def decision_problems(d: Decision, kind: TaskKind | None) -> list[str]:
    """The decision section against a task kind (None: not known yet); `shipml decide` runs it
    again with the model's task."""
    rules: dict[str, object] = {"costs": d.costs, "recall_target": d.recall_target}
    rules |= {"precision_target": d.precision_target, "metric": d.metric, "fixed": d.fixed}
    chosen = [k for k, v in rules.items() if v is not None]
    problems = [f"decision: give one rule, not {chosen}"] if len(chosen) > 1 else []
    policy = None if kind is None else kind.policy
    problems += _label_rule_problems(d, kind, chosen)
    if policy is PolicyKind.LABELS:
        return problems
    if kind is not None and policy is PolicyKind.PATH:
        named = chosen + (["class_recall_floors"] if d.class_recall_floors else [])
        problems += [
            f"decision.{rule}: a {kind.name} task decides a path down the tree; set "
            f"{kind.name}.stop_below to stop at a coarser level when unsure, and remove it"
            for rule in named
        ]
        return problems
    if kind is not None and policy is PolicyKind.VALUE:
        named = chosen + (["class_recall_floors"] if d.class_recall_floors else [])
        if named:
            problems.append(f"decision.{named[0]}: a {kind.name} task has no threshold; remove it")
        return problems
    if problems:
        return problems
    problems = _binary_cost_problems(d, policy) if isinstance(d.costs, dict) else []
    argmax_metric = d.metric in ("macro_f1", "balanced_accuracy", "accuracy")
    threshold_rules = [k for k in chosen if k != "costs" and not (k == "metric" and argmax_metric)]
    if kind is not None and policy is PolicyKind.ARGMAX and threshold_rules:
        problems.append(
            f"decision.{threshold_rules[0]}: a {kind.name} task decides by argmax or a cost "
            "matrix; use decision.costs (true -> decided -> cost), class_recall_floors, or "
            "metric: macro_f1 | balanced_accuracy | accuracy"
        )
    if d.class_recall_floors and (policy is PolicyKind.THRESHOLD or chosen):
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


def _label_rule_problems(d: Decision, kind: TaskKind | None, chosen: list[str]) -> list[str]:
    """`decision.labels` and `k` belong to a label-set policy, which takes no other rule."""
    labels_policy = kind is not None and kind.policy is PolicyKind.LABELS
    if kind is not None and not labels_policy and (d.labels or d.k):
        what = "labels" if d.labels else "k"
        return [f"decision.{what}: decides label sets of a multilabel task; remove it"]
    problems = []
    if labels_policy:
        problems += [
            f"decision.{rule}: a multilabel task decides with decision.labels "
            "(per_label, top_k or cardinality); remove it"
            for rule in chosen
        ]
        if d.class_recall_floors:
            problems.append("decision.class_recall_floors: floors apply to a multiclass argmax")
    if d.labels == "top_k" and d.k is None:
        problems.append("decision.k: labels: top_k needs k, how many labels to predict per row")
    if d.k is not None and d.labels not in (None, "top_k"):
        problems.append(f"decision.k: k applies to labels: top_k, not {d.labels}; remove it")
    return problems


def _label_target_problems(spec: ModelSpec, kind: TaskKind | None) -> list[str]:
    """A target in parts (flag or level columns, a separated column) for a label-set or a path
    task only."""
    target = spec.target
    if target is None or kind is None:
        if target is not None and target.label_sets and spec.task == "auto":
            return [
                "task: target.columns or target.separator give label sets or paths; set task: "
                "multilabel (a set of labels per row) or hierarchical (a path per row)"
            ]
        return []
    if target.label_sets and not kind.composite_target:
        key = "columns" if target.columns is not None else "separator"
        return [
            f"target.{key}: label sets or paths are the target of a multilabel or hierarchical "
            f"task, not {kind.name}"
        ]
    if kind.paths and not target.label_sets:
        return [
            f"target: a {kind.name} target is a path down a taxonomy; give target.columns (one "
            "column per level, first level first) or target.separator (the column's levels "
            "joined by it, as '/')"
        ]
    if kind.label_sets and not target.label_sets:
        return [
            f"target: a {kind.name} target is a set of labels; give target.columns (one 0/1 "
            "column per label) or target.separator (the column's labels joined by it, as '|')"
        ]
    return []


def _unknown_task(name: str) -> str:
    """A task shipml plans but has not built is refused as such; a typo gets a suggestion."""
    known = [k.name for k in registered()]
    built = ", ".join(known) + " (or auto, to infer it)"
    if name in PLANNED_TASKS:
        return (
            f"task: {name!r} is not built in this version of shipml (planned); "
            f"the tasks built are {built}"
        )
    close = difflib.get_close_matches(name, [*known, *PLANNED_TASKS], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"task: {name!r} is not a task{hint} (built: {built})"


def _metric_problems(spec: ModelSpec, kind: TaskKind) -> list[str]:
    named: list[tuple[str, Metric]] = (
        [("metrics.primary", spec.metrics.primary)] if spec.metrics.primary else []
    )
    named += [(f"metrics.secondary[{i}]", m) for i, m in enumerate(spec.metrics.secondary)]
    return [
        f"{path}: {metric} does not apply to a {kind.name} task"
        for path, metric in named
        if metric not in kind.metrics
    ]


def _binary_cost_problems(d: Decision, policy: PolicyKind | None) -> list[str]:
    costs = d.costs
    assert isinstance(costs, dict)
    if not all(isinstance(v, float) for v in costs.values()):
        return []  # a matrix keyed by class labels; checked against the data's classes
    unknown = sorted(set(costs) - set(BINARY_COST_KEYS))
    if unknown or policy is PolicyKind.ARGMAX:
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
