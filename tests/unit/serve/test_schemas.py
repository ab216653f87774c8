"""Request and response models generated from the training schema."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shipml.core.enums import ColumnType, Task
from shipml.runtime import InputColumn, InputSchema
from shipml.serve.schemas import build_models

from .conftest import build_model, with_passthrough


def test_features_required_passthrough_optional_unknown_rejected() -> None:
    api = build_models(with_passthrough(build_model("linear", Task.BINARY)))
    fields = api.record.model_fields
    assert [n for n, f in fields.items() if f.is_required()] == ["age", "city", "member", "signup"]
    assert not fields["customer_id"].is_required()
    ok = api.record.model_validate_json(
        b'{"age": 1, "city": 7, "member": "yes", "signup": "2020-01-01"}'
    )
    assert api.to_record(ok) == {
        "age": 1.0,
        "city": 7,
        "member": "yes",
        "signup": "2020-01-01",
        "customer_id": None,
    }
    with pytest.raises(ValidationError, match="Extra inputs"):
        api.record.model_validate_json(
            b'{"age": 1, "city": "a", "member": true, "signup": null, "x": 1}'
        )


def test_column_names_that_are_no_identifiers_keep_their_json_names() -> None:
    model = build_model("linear", Task.BINARY)
    odd = InputSchema(
        (
            *model.schema.columns,
            InputColumn("model_config", ColumnType.ID, "passthrough"),
            InputColumn("first name", ColumnType.TEXT, "passthrough"),
            InputColumn("_private", ColumnType.ID, "passthrough"),
        )
    )
    from dataclasses import replace

    api = build_models(replace(model, schema=odd))
    body = b'{"age": 2, "city": "rome", "member": false, "signup": null, "first name": "Ada", '
    body += b'"model_config": "x", "_private": 5}'
    record = api.to_record(api.record.model_validate_json(body))
    assert record["first name"] == "Ada"
    assert record["model_config"] == "x"
    assert record["_private"] == 5
    schema = api.record.model_json_schema(by_alias=True)
    assert {"first name", "model_config", "_private"} <= set(schema["properties"])


def test_types_follow_the_column_types() -> None:
    api = build_models(build_model("linear", Task.BINARY))
    props = api.record.model_json_schema(by_alias=True)["properties"]
    assert {t["type"] for t in props["age"]["anyOf"]} == {"number", "null"}
    assert {t["type"] for t in props["city"]["anyOf"]} == {"string", "integer", "null"}
    assert {t["type"] for t in props["member"]["anyOf"]} == {"boolean", "string", "null"}
    assert {t["type"] for t in props["signup"]["anyOf"]} == {"string", "null"}


def test_the_key_changes_with_the_schema() -> None:
    a = build_models(build_model("linear", Task.BINARY))
    b = build_models(build_model("lightgbm", Task.BINARY))
    c = build_models(with_passthrough(build_model("linear", Task.BINARY)))
    assert a.key == b.key != c.key
