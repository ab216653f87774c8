"""load_spec: YAML in, a frozen ModelSpec out, or a SpecError naming the place and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pydantic
import pytest

from shipml.core.errors import SpecError
from shipml.spec import DEFAULT_LADDER, ModelSpec, json_schema, load_spec
from shipml.spec.migrations import migrate
from shipml.spec.model import SPEC_VERSION

from .conftest import MINIMAL_YAML, raw_spec


def test_a_three_line_spec_loads_with_defaults(write_spec):
    loaded = load_spec(write_spec(MINIMAL_YAML))
    spec = loaded.spec
    assert isinstance(spec, ModelSpec)
    assert (spec.name, spec.data.train, spec.target.column) == (
        "churn",
        "data/train.csv",
        "churned",
    )
    assert spec.task == "auto"
    assert spec.target.positive is None
    assert spec.validation.strategy == "auto"
    assert spec.validation.folds == 5
    assert spec.validation.holdout.fraction == 0.2
    assert spec.metrics.primary is None
    assert spec.models.ladder is None
    assert spec.seed == 42
    assert spec.spec_version == SPEC_VERSION
    assert loaded.source_text == MINIMAL_YAML
    assert DEFAULT_LADDER[0] == "baseline"


def test_a_dict_and_the_same_yaml_give_the_same_spec_and_hash(write_spec):
    from_file = load_spec(write_spec(MINIMAL_YAML))
    raw = {"name": "churn", "data": {"train": "data/train.csv"}, "target": {"column": "churned"}}
    from_dict = load_spec(raw)
    assert from_dict.spec == from_file.spec
    assert from_dict.spec_hash == from_file.spec_hash
    assert len(from_file.spec_hash) == 64


@pytest.mark.parametrize(
    ("section", "wrong", "suggestion"),
    [
        ({"valdation": {}}, "valdation", "validation"),
        ({"validation": {"foldz": 3}}, "validation.foldz", "folds"),
        ({"validation": {"holdout": {"fractoin": 0.1}}}, "validation.holdout.fractoin", "fraction"),
        ({"data": {"train": "a.csv", "wieght": "w"}}, "data.wieght", "weight"),
    ],
)
def test_an_unknown_key_is_named_with_a_did_you_mean(section, wrong, suggestion):
    with pytest.raises(SpecError) as info:
        load_spec(raw_spec(**section))
    assert f"{wrong}: unknown key; did you mean {suggestion!r}?" in info.value.problems


def test_an_unknown_key_far_from_any_known_lists_the_known_keys():
    with pytest.raises(SpecError) as info:
        load_spec(raw_spec(constraints={"zzzzzz": 1}))
    (problem,) = info.value.problems
    assert problem.startswith("constraints.zzzzzz: unknown key; known keys:")
    assert "max_model_mb" in problem


@pytest.mark.parametrize("word", ["yes", "Yes", "true", "on"])
def test_an_unquoted_yaml_boolean_positive_is_refused_with_advice_to_quote(write_spec, word):
    text = f"name: t\ndata: {{train: a.csv}}\ntarget: {{column: y, positive: {word}}}\n"
    with pytest.raises(SpecError) as info:
        load_spec(write_spec(text))
    (problem,) = info.value.problems
    assert problem.startswith("target.positive:")
    assert "boolean" in problem
    assert "quote" in problem


def test_a_quoted_positive_is_kept_as_the_string(write_spec):
    text = 'name: t\ndata: {train: a.csv}\ntarget: {column: y, positive: "yes"}\n'
    assert load_spec(write_spec(text)).spec.target.positive == "yes"


def test_a_numeric_positive_is_read_as_its_string():
    spec = load_spec(raw_spec(target={"column": "y", "positive": 1})).spec
    assert spec.target.positive == "1"


def test_malformed_yaml_names_the_line(write_spec):
    text = "name: t\ndata: {train: a.csv}\ntarget:\n  column: y\n   positive: b\n"
    with pytest.raises(SpecError) as info:
        load_spec(write_spec(text))
    message = str(info.value)
    assert "not valid YAML" in message
    assert "line 5" in message
    assert info.value.fix is not None


def test_an_empty_file_is_refused(write_spec):
    with pytest.raises(SpecError, match="is empty"):
        load_spec(write_spec("# only a comment\n"))


def test_a_list_at_the_top_is_refused(write_spec):
    with pytest.raises(SpecError, match="must be a mapping"):
        load_spec(write_spec("- name: t\n"))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(SpecError, match="no spec file"):
        load_spec(tmp_path / "absent.yaml")


def test_a_missing_required_section_is_named():
    raw = raw_spec()
    del raw["data"]
    with pytest.raises(SpecError) as info:
        load_spec(raw)
    assert "data: required, but missing" in info.value.problems


def test_a_spec_version_newer_than_supported_is_refused():
    with pytest.raises(SpecError) as info:
        load_spec(raw_spec(spec_version=SPEC_VERSION + 1))
    assert info.value.where == "spec_version"
    assert "newer" in str(info.value)


@pytest.mark.parametrize("version", [0, "one", -3])
def test_a_spec_version_that_is_no_version_is_refused(version):
    with pytest.raises(SpecError) as info:
        migrate(raw_spec(spec_version=version))
    assert info.value.where == "spec_version"


def test_migrate_leaves_a_current_spec_unchanged():
    raw = raw_spec(spec_version=SPEC_VERSION)
    assert migrate(dict(raw)) == raw


def test_relative_paths_resolve_against_the_spec_folder(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    path = folder / "spec.yaml"
    path.write_text(MINIMAL_YAML, encoding="utf-8")
    loaded = load_spec(path)
    assert loaded.base_dir == folder.resolve()
    assert Path(loaded.resolve(loaded.spec.data.train)) == folder.resolve() / "data" / "train.csv"
    assert Path(loaded.resolve("raw/*.parquet")) == folder.resolve() / "raw" / "*.parquet"
    absolute = str(tmp_path / "elsewhere.csv")
    assert loaded.resolve(absolute) == absolute


def test_a_dict_spec_resolves_against_the_given_base_dir(tmp_path):
    loaded = load_spec(raw_spec(), base_dir=tmp_path)
    assert Path(loaded.resolve("train.csv")) == tmp_path / "train.csv"


def test_json_schema_is_valid_json_with_the_top_level_properties():
    schema = json.loads(json.dumps(json_schema()))
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"] == "shipml model specification"
    assert set(schema["required"]) == {"name", "data"}  # target: asked by the task
    expected = {"name", "data", "target", "task", "features", "validation", "metrics"}
    expected |= {"constraints", "models", "decision", "deploy", "monitoring", "seed"}
    assert expected <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_a_loaded_spec_is_frozen():
    spec = load_spec(raw_spec()).spec
    with pytest.raises(pydantic.ValidationError):
        spec.seed = 7  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        spec.validation.folds = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        load_spec(raw_spec()).base_dir = Path()  # type: ignore[misc]
