"""Cross-field checks: each rule fires alone, with the spec path at fault first in its message."""

from __future__ import annotations

import pytest

from shipml.core.errors import SpecError
from shipml.spec.checks import CHECKS, cross_field_problems
from shipml.spec.model import ModelSpec
from shipml.tasks import load_spec
from shipml.tasks.spec_checks import task_problems

from .conftest import raw_spec

# (sections that break exactly one rule, the path its problem starts with)
BROKEN = {
    "group_without_group_column": (
        {"validation": {"strategy": "group"}},
        "validation.group_column",
    ),
    "time_without_time_column": (
        {"validation": {"strategy": "time"}},
        "validation.time_column",
    ),
    "latest_holdout_without_time_column": (
        {"validation": {"holdout": {"latest": "30d"}}},
        "validation.holdout.latest",
    ),
    "gap_without_time_strategy": (
        {"validation": {"strategy": "stratified", "gap": "1d"}},
        "validation.gap",
    ),
    "positive_on_regression": (
        {"task": "regression", "target": {"column": "y", "positive": "1"}},
        "target.positive",
    ),
    "positive_on_multiclass": (
        {"task": "multiclass", "target": {"column": "y", "positive": "a"}},
        "target.positive",
    ),
    "classification_metric_on_regression": (
        {"task": "regression", "metrics": {"primary": "roc_auc"}},
        "metrics.primary",
    ),
    "regression_metric_on_binary": (
        {"task": "binary", "metrics": {"secondary": ["accuracy", "rmse"]}},
        "metrics.secondary[1]",
    ),
    "binary_metric_on_multiclass": (
        {"task": "multiclass", "metrics": {"primary": "average_precision"}},
        "metrics.primary",
    ),
    "multiclass_metric_on_binary": (
        {"task": "binary", "metrics": {"primary": "roc_auc_ovr"}},
        "metrics.primary",
    ),
    "target_in_include": (
        {"features": {"include": ["a", "y"]}},
        "features.include",
    ),
    "target_in_types": (
        {"features": {"types": {"y": "numeric"}}},
        "features.types",
    ),
    "weight_is_target": (
        {"data": {"train": "a.csv", "weight": "y"}},
        "data.weight",
    ),
    "include_exclude_overlap": (
        {"features": {"include": ["a", "b"], "exclude": ["b"]}},
        "features.exclude",
    ),
    "unknown_ladder_family": (
        {"models": {"ladder": ["linear", "xgboost"]}},
        "models.ladder[1]",
    ),
    "unknown_params_family": (
        {"models": {"params": {"catboost": {"depth": 4}}}},
        "models.params.catboost",
    ),
    "two_decision_rules": (
        {"decision": {"recall_target": 0.8, "fixed": 0.3}},
        "decision:",
    ),
    "seed_past_numpy": (
        {"seed": 2**32},
        "seed",
    ),
    "holdout_column_is_target": (
        {"validation": {"holdout": {"column": "y", "value": "test"}}},
        "validation.holdout.column",
    ),
    "unsorted_bins": (
        {"fairness": {"bins": {"age": [30, 18, 65]}}},
        "fairness.bins.age",
    ),
    "repeated_bin_edge": (
        {"fairness": {"bins": {"age": [18, 18]}}},
        "fairness.bins.age",
    ),
    "weight_is_group_column": (
        {
            "data": {"train": "a.csv", "weight": "user"},
            "validation": {"strategy": "group", "group_column": "user"},
        },
        "data.weight",
    ),
    "weight_is_time_column": (
        {
            "data": {"train": "a.csv", "weight": "ts"},
            "validation": {"strategy": "time", "time_column": "ts"},
        },
        "data.weight",
    ),
    "decision_on_regression": (
        {"task": "regression", "decision": {"precision_target": 0.9}},
        "decision.precision_target",
    ),
}


@pytest.mark.parametrize(("sections", "path"), BROKEN.values(), ids=BROKEN.keys())
def test_each_cross_field_rule_fires_with_its_path(sections, path):
    with pytest.raises(SpecError) as info:
        load_spec(raw_spec(**sections))
    problems = info.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(path), problems[0]
    assert "inconsistent" in str(info.value)


def test_every_check_is_exercised_by_a_broken_spec():
    fired = set()
    for sections, _ in BROKEN.values():
        spec = ModelSpec.model_validate(raw_spec(**sections))
        fired |= {check.__name__ for check in CHECKS if check(spec)}
    assert fired == {check.__name__ for check in CHECKS}


def test_problems_of_several_rules_are_reported_together():
    spec = ModelSpec.model_validate(
        raw_spec(validation={"strategy": "group", "gap": "2d"}, models={"ladder": ["svm"]})
    )
    problems = cross_field_problems(spec, (task_problems,))
    assert [p.split(":")[0] for p in problems] == [
        "validation.group_column",
        "validation.gap",
        "models.ladder[0]",
    ]


def test_two_decision_rules_on_regression_give_both_problems():
    spec = ModelSpec.model_validate(
        raw_spec(task="regression", decision={"recall_target": 0.8, "fixed": 0.3})
    )
    problems = cross_field_problems(spec, (task_problems,))
    assert problems[0].startswith("decision: give one rule")
    assert problems[1].startswith("decision.recall_target: a regression task has no threshold")


@pytest.mark.parametrize("value", [1.5, 0, -0.1])
def test_a_recall_target_outside_0_1_is_a_schema_error_naming_it(value):
    with pytest.raises(SpecError) as info:
        load_spec(raw_spec(decision={"recall_target": value}))
    (problem,) = info.value.problems
    assert problem.startswith("decision.recall_target:")
    assert "schema" in str(info.value)


@pytest.mark.parametrize(
    "sections",
    [
        {"validation": {"strategy": "group", "group_column": "user"}},
        {"validation": {"strategy": "time", "time_column": "ts", "gap": "7d"}},
        {"validation": {"time_column": "ts", "holdout": {"latest": "30d"}}},
        {"task": "binary", "target": {"column": "y", "positive": "1"}},
        {"task": "multiclass", "metrics": {"primary": "roc_auc_ovr"}},
        {"task": "regression", "metrics": {"primary": "mae", "secondary": ["r2"]}},
        {"features": {"include": ["a", "b"], "exclude": ["c"]}},
        {"models": {"ladder": ["lightgbm"], "params": {"lightgbm": {"num_leaves": 15}}}},
        {"decision": {"recall_target": 1.0}},
        {"seed": 2**32 - 1},
        {"validation": {"holdout": {"column": "split", "value": "test"}}},
        {"fairness": {"bins": {"age": [18, 30.5, 65]}}, "data": {"train": "a", "weight": "w"}},
    ],
)
def test_consistent_specs_pass_every_check(sections):
    spec = load_spec(raw_spec(**sections)).spec
    assert cross_field_problems(spec, (task_problems,)) == []


def test_an_unknown_family_gets_a_did_you_mean():
    with pytest.raises(SpecError) as info:
        load_spec(raw_spec(models={"ladder": ["lightgmb"], "params": {"linaer": {}}}))
    assert info.value.problems == [
        "models.ladder[0]: unknown family 'lightgmb'; did you mean 'lightgbm'?",
        "models.params.linaer: unknown family; did you mean 'linear'?",
    ]
