"""Hard edges of the schema: bounded echoes, spec_version, names, the ladder, many problems."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from shipml.cli import app
from shipml.core.errors import SpecError
from shipml.spec import load_spec
from shipml.spec.echo import clip, dotted, echo

from .conftest import MINIMAL_YAML, raw_spec


def problems_of(**sections: object) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(raw_spec(**sections))
    return info.value.problems


def test_a_100kb_value_gives_a_short_message(write_spec):
    text = "name: '" + "a" * 100_000 + "'\ndata: {train: a.csv}\ntarget: {column: y}\n"
    with pytest.raises(SpecError) as info:
        load_spec(write_spec(text))
    message = str(info.value)
    assert len(message) < 1_000
    assert message.count("a" * 150) == 1
    assert "…" in message


def test_a_100kb_unknown_key_gives_a_short_message():
    (problem,) = problems_of(features={"x" * 100_000: 1})
    assert problem.startswith("features.xxx")
    assert len(problem) < 1_000


def test_a_100kb_duration_gives_a_short_message():
    (problem,) = problems_of(
        validation={"strategy": "time", "time_column": "t", "gap": "9" * 10**5}
    )
    assert problem.startswith("validation.gap:")
    assert len(problem) < 1_000


def test_a_100kb_family_name_gives_a_short_message():
    (problem,) = problems_of(models={"ladder": ["z" * 100_000]})
    assert len(problem) < 1_000


def test_echoes_are_cut_at_200_characters():
    assert len(echo("b" * 10_000)) == 200
    assert echo("b" * 10_000).endswith("…")
    assert echo("short") == "'short'"
    assert clip("abc", 2) == "a…"
    assert dotted(["models", "ladder", 1]) == "models.ladder[1]"
    assert dotted([]) == "(top level)"


@pytest.mark.parametrize("version", [True, False])
def test_a_boolean_spec_version_is_refused(version):
    with pytest.raises(SpecError) as info:
        load_spec(raw_spec(spec_version=version))
    assert info.value.where == "spec_version"


def test_a_boolean_spec_version_is_refused_by_the_model_too():
    from pydantic import ValidationError

    from shipml.spec import ModelSpec

    with pytest.raises(ValidationError, match="spec_version"):
        ModelSpec.model_validate(raw_spec(spec_version=True))


@pytest.mark.parametrize("name", ["a..b", "a.b..c", "x..", "v1...2"])
def test_a_name_with_two_dots_is_refused(name):
    (problem,) = problems_of(name=name)
    assert problem.startswith("name:")
    assert "'..'" in problem


@pytest.mark.parametrize("name", ["churn", "churn.v2", "a-b_c.d", "9lives"])
def test_a_name_the_server_accepts_is_kept(name):
    assert load_spec(raw_spec(name=name)).spec.name == name


def test_an_empty_ladder_is_refused_with_advice():
    (problem,) = problems_of(models={"ladder": []})
    assert problem.startswith("models.ladder: give at least one family")
    assert "remove the key for the default ladder" in problem


def test_many_problems_are_listed_up_to_twenty():
    problems = problems_of(metrics={"secondary": ["nope"] * 500})
    assert len(problems) == 21
    assert problems[0].startswith("metrics.secondary[0]:")
    assert problems[-1] == "... and 480 more"


def test_validate_refuses_bad_params_with_exit_2_and_the_path(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(MINIMAL_YAML + "models: {params: {lightgbm: {num_leaf: 31}}}\n")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "models.params.lightgbm.num_leaf: unknown key; did you mean 'num_leaves'?" in (
        result.output
    )


@pytest.mark.parametrize(
    ("sections", "path", "suggestion"),
    [
        (
            {"fairness": {"tolerance": {"demographic_parity_diference": 0.2}}},
            "fairness.tolerance.demographic_parity_diference",
            "demographic_parity_difference",
        ),
        ({"monitoring": {"drift": {"psi_alrt": 0.3}}}, "monitoring.drift.psi_alrt", "psi_alert"),
        ({"deploy": {"canary": {"percnt": 10}}}, "deploy.canary.percnt", "percent"),
        ({"decision": {"asurance": "point"}}, "decision.asurance", "assurance"),
    ],
)
def test_a_nested_key_typo_names_its_path_and_the_key_meant(sections, path, suggestion):
    (problem,) = problems_of(**sections)
    assert problem.startswith(f"{path}: unknown key")
    assert f"did you mean '{suggestion}'" in problem


def test_a_fairness_tolerance_out_of_range_names_its_path():
    (problem,) = problems_of(fairness={"tolerance": {"equalized_odds_difference": 2}})
    assert problem.startswith("fairness.tolerance.equalized_odds_difference:")


def test_a_planned_task_is_refused_as_not_built_and_a_typo_gets_a_suggestion():
    from shipml.tasks import load_spec as full_load

    for task, says in (("forecast", "is not built in this version of shipml"),
                       ("binry", "did you mean 'binary'?")):  # fmt: skip
        with pytest.raises(SpecError) as info:
            full_load(raw_spec(task=task))
        (problem,) = info.value.problems
        assert problem.startswith(f"task: '{task}'")
        assert says in problem
        assert "binary, multiclass, regression" in problem


def test_a_task_name_that_cannot_be_one_is_a_schema_error():
    (problem,) = problems_of(task="Binary Task!")
    assert problem.startswith("task:")


def test_the_spec_offers_exactly_the_tasks_that_are_registered():
    from shipml.core.enums import Task
    from shipml.spec.model import PLANNED_TASKS, TASKS
    from shipml.tasks.registry import BUILTIN

    assert set(TASKS) - {"auto"} == set(BUILTIN)
    assert {str(t) for t in Task} <= set(BUILTIN)  # the one-answer tasks; multilabel beside them
    assert not set(PLANNED_TASKS) & set(BUILTIN)
