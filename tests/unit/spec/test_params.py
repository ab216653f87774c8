"""models.params: each family's parameters typed, ranged and closed, kept as plain dicts."""

from __future__ import annotations

import json

import pytest

from shipml.core.errors import SpecError
from shipml.spec import FAMILIES, json_schema, load_spec
from shipml.spec.params import FamilyParams

from .conftest import raw_spec


def params_problem(family: str, **params: object) -> str:
    with pytest.raises(SpecError) as info:
        load_spec(raw_spec(models={"params": {family: params}}))
    (problem,) = info.value.problems
    return problem


@pytest.mark.parametrize(
    ("family", "params", "path", "words"),
    [
        ("lightgbm", {"num_leaves": -1}, "lightgbm.num_leaves", "greater than or equal to 2"),
        ("lightgbm", {"num_leaves": "many"}, "lightgbm.num_leaves", "valid integer"),
        ("lightgbm", {"num_leaves": True}, "lightgbm.num_leaves", "valid integer"),
        ("lightgbm", {"num_leaves": 31.5}, "lightgbm.num_leaves", "valid integer"),
        ("lightgbm", {"learning_rate": -1}, "lightgbm.learning_rate", "greater than 0"),
        ("lightgbm", {"learning_rate": float("inf")}, "lightgbm.learning_rate", "finite"),
        ("lightgbm", {"learning_rate": 1.5}, "lightgbm.learning_rate", "less than or equal to 1"),
        ("lightgbm", {"lambda_l2": float("nan")}, "lightgbm.lambda_l2", "finite"),
        ("lightgbm", {"lambda_l2": -0.1}, "lightgbm.lambda_l2", "greater than or equal to 0"),
        ("lightgbm", {"bagging_fraction": 0}, "lightgbm.bagging_fraction", "greater than 0"),
        ("lightgbm", {"n_estimators": 100_001}, "lightgbm.n_estimators", "less than or equal"),
        ("lightgbm", {"class_weight": "auto"}, "lightgbm.class_weight", "'none' or 'balanced'"),
        ("random_forest", {"n_estimators": -3}, "random_forest.n_estimators", "greater than"),
        ("random_forest", {"max_depth": 0}, "random_forest.max_depth", "greater than"),
        ("extra_trees", {"max_features": 1.5}, "extra_trees.max_features", "less than or equal"),
        ("extra_trees", {"min_samples_leaf": 0}, "extra_trees.min_samples_leaf", "greater than"),
        ("linear", {"C": 0}, "linear.C", "greater than 0"),
        ("linear", {"C": True}, "linear.C", "valid number"),
        ("linear", {"penalty": "l3"}, "linear.penalty", "'l1' or 'l2'"),
        ("linear", {"l2_alpha": float("-inf")}, "linear.l2_alpha", "finite"),
    ],
)
def test_a_bad_parameter_is_refused_naming_its_path(family, params, path, words):
    problem = params_problem(family, **params)
    assert problem.startswith(f"models.params.{path}:"), problem
    assert words in problem


def test_an_unknown_parameter_gets_a_did_you_mean():
    problem = params_problem("lightgbm", num_leaf=31)
    assert problem == "models.params.lightgbm.num_leaf: unknown key; did you mean 'num_leaves'?"


def test_a_parameter_of_another_family_lists_the_known_ones():
    problem = params_problem("linear", num_leaves=31)
    assert problem.startswith("models.params.linear.num_leaves: unknown key; known keys: penalty")


def test_the_baseline_takes_no_parameters():
    problem = params_problem("baseline", strategy="mean")
    assert problem == "models.params.baseline.strategy: unknown key; this section takes no keys"


def test_bad_params_read_from_yaml_name_the_path(write_spec):
    text = "name: t\ndata: {train: a}\ntarget: {column: y}\nmodels:\n  params:\n"
    text += "    lightgbm: {learning_rate: .inf}\n"
    with pytest.raises(SpecError) as info:
        load_spec(write_spec(text))
    assert info.value.problems[0].startswith("models.params.lightgbm.learning_rate: ")


def test_good_params_stay_a_plain_dict_of_the_keys_given():
    params = {
        "lightgbm": {"num_leaves": 15, "learning_rate": 1, "class_weight": "balanced"},
        "linear": {"penalty": "l1", "C": 0.5},
        "random_forest": {"n_estimators": 200, "max_features": 0.5},
        "baseline": {},
    }
    spec = load_spec(raw_spec(models={"params": params})).spec
    got = spec.models.params
    assert type(got) is dict
    assert got.get("lightgbm", {}) == {
        "num_leaves": 15,
        "learning_rate": 1.0,
        "class_weight": "balanced",
    }
    assert {"num_leaves": 7, "lambda_l2": 1.0} | got.get("lightgbm", {}) == {
        "num_leaves": 15,
        "lambda_l2": 1.0,
        "learning_rate": 1.0,
        "class_weight": "balanced",
    }
    assert got.get("extra_trees", {}) == {}
    assert spec.model_dump(mode="json")["models"]["params"] == {
        **params,
        "lightgbm": {"num_leaves": 15, "learning_rate": 1.0, "class_weight": "balanced"},
    }


def test_the_params_hash_is_that_of_the_plain_dict():
    with_params = load_spec(raw_spec(models={"params": {"lightgbm": {"num_leaves": 15}}}))
    dumped = json.dumps(with_params.spec.model_dump(mode="json"), sort_keys=True)
    assert '"params": {"lightgbm": {"num_leaves": 15}}' in dumped


def test_every_family_has_a_params_entry():
    assert set(FamilyParams.__annotations__) == set(FAMILIES)


def test_the_json_schema_documents_each_familys_parameters():
    schema = json.loads(json.dumps(json_schema()))
    defs = schema["$defs"]
    lightgbm = defs["LightGBMParams"]
    assert lightgbm["additionalProperties"] is False
    assert lightgbm["properties"]["num_leaves"]["minimum"] == 2
    assert lightgbm["properties"]["learning_rate"]["exclusiveMinimum"] == 0
    assert defs["ForestParams"]["properties"]["n_estimators"]["maximum"] == 5000
    assert set(defs["FamilyParams"]["properties"]) == set(FAMILIES)
