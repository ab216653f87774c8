"""The schema's own rules: durations, the one-form holdout, names, defaults."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shipml.spec import ModelSpec, parse_duration_days
from shipml.spec.model import Holdout

from .conftest import raw_spec


@pytest.mark.parametrize(
    ("text", "days"),
    [("12h", 0.5), ("30d", 30.0), (" 4w ", 28.0), ("6m", 180.0), ("1y", 365.0)],
)
def test_durations_are_read_in_days(text, days):
    assert parse_duration_days(text) == pytest.approx(days)


@pytest.mark.parametrize("text", ["30", "d30", "3 days", "1.5d", ""])
def test_a_malformed_duration_is_refused(text):
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration_days(text)


def test_a_malformed_gap_is_a_schema_error():
    with pytest.raises(ValidationError, match=r"validation\.gap"):
        ModelSpec.model_validate(raw_spec(validation={"strategy": "time", "gap": "soon"}))


def test_an_empty_holdout_section_becomes_a_fifth():
    assert Holdout.model_validate({}).fraction == 0.2
    spec = ModelSpec.model_validate(raw_spec(validation={"holdout": {}}))
    assert spec.validation.holdout.fraction == 0.2


@pytest.mark.filterwarnings("ignore:A custom validator is returning a value other than")
def test_an_empty_holdout_built_in_python_becomes_a_fifth():
    assert Holdout().fraction == 0.2


def test_a_holdout_takes_one_form_only():
    with pytest.raises(ValidationError, match="give one of"):
        Holdout(fraction=0.1, latest="30d")


def test_a_predefined_holdout_needs_column_and_value():
    with pytest.raises(ValidationError, match="both column and value"):
        Holdout(column="split")
    assert Holdout(column="split", value="test").value == "test"


def test_a_name_with_spaces_is_refused():
    with pytest.raises(ValidationError, match="name"):
        ModelSpec.model_validate(raw_spec(name="my model"))
