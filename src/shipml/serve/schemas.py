"""Serve: request and response models generated from the training schema (`create_model`).

Every non-target input column of the training data is a field: the features are required (null
allowed: a missing value), the passthrough columns (identifiers, excluded suspects) optional;
a field the schema does not know is rejected. A column whose name is no Python identifier is
a field under an alias, so the JSON keeps the column's own name. The OpenAPI document is built
from these models, so it is exactly what the server accepts and answers.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from shipml.core.enums import ColumnType
from shipml.runtime.group import takes_groups
from shipml.runtime.inference import InferenceModel
from shipml.runtime.schema import InputColumn
from shipml.runtime.steps import CategoricalStep
from shipml.tasks import task_kind

MAX_BATCH = 10_000
FIELD_TYPES: dict[ColumnType, Any] = {
    ColumnType.NUMERIC: float | None,
    ColumnType.CATEGORICAL: str | int | None,
    ColumnType.BOOLEAN: bool | str | None,
    ColumnType.DATETIME: str | None,
    ColumnType.ID: str | int | None,
    ColumnType.TEXT: str | None,
}
_CLOSED = ConfigDict(extra="forbid", protected_namespaces=(), populate_by_name=False)


class Contribution(BaseModel):
    column: str
    contribution: float


class ExplanationOut(BaseModel):
    base: float = Field(description="The model's output before any feature contributes.")
    units: str = Field(description="log-odds (classification) or target units (regression)")
    contributions: list[Contribution]


class FieldError(BaseModel):
    field: str = Field(description="The field at fault (records.3.colour in a batch), or body.")
    message: str
    type: str


class ErrorResponse(BaseModel):
    error: str = Field(description="The kind of error: validation, unauthorized, too_large, ...")
    message: str
    request_id: str
    detail: list[FieldError] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ApiModels:
    """The generated models of one served schema; `key` changes when the schema does."""

    record: type[BaseModel]
    batch: type[BaseModel]
    response: type[BaseModel]
    batch_response: type[BaseModel]
    renames: tuple[tuple[str, str], ...]  # (field name, column) for every field, when aliased
    key: str
    batch_bytes: int  # the body a full batch of plausible records needs (the default limit)
    numeric: tuple[str, ...] = ()  # the numeric columns, where JSON may carry NaN or Infinity
    group_response: type[BaseModel] | None = None  # a task kind that takes grouped requests

    def to_record(self, validated: BaseModel) -> dict[str, Any]:
        """A validated request as a record keyed by column names."""
        values = validated.__dict__
        if not self.renames:
            return values
        return {column: values[name] for name, column in self.renames}

    def clear_non_finite(self, record: dict[str, Any]) -> list[str]:
        """Set NaN, Infinity and overflowing numbers (1e999) to missing, as training counts
        them; the columns they were in, for the warning `non_finite:<column>`."""
        found = [
            c
            for c in self.numeric
            if isinstance(v := record.get(c), float) and not math.isfinite(v)
        ]
        for c in found:
            record[c] = None
        return found


def build_models(model: InferenceModel) -> ApiModels:
    columns = [c for c in model.schema.columns if c.name != model.target]
    names = _field_names([c.name for c in columns])
    fields = {name: _field(c, name) for name, c in zip(names, columns, strict=True)}
    record = create_model("PredictRequest", __config__=_CLOSED, **fields)  # type: ignore[call-overload]
    record.__doc__ = "One record: every input column of the training data, keyed by its name."
    batch = create_model(
        "PredictBatchRequest",
        __config__=_CLOSED,
        records=(list[record], Field(min_length=1, max_length=MAX_BATCH)),
    )
    item = _result_model(model)
    response = create_model(
        "PredictResponse",
        __base__=item,
        request_id=(str, ...),
        model_version=(str, ...),
        served_by=(str, Field(description="champion, or the canary's alias")),
    )
    batch_response = create_model(
        "PredictBatchResponse",
        request_id=(str, ...),
        model_version=(str, ...),
        served_by=(str, ...),
        predictions=(list[item], ...),  # type: ignore[valid-type]
    )
    renamed = any(n != c.name for n, c in zip(names, columns, strict=True))
    renames = tuple((n, c.name) for n, c in zip(names, columns, strict=True)) if renamed else ()
    size = batch_body_bytes(model)
    numeric = tuple(c.name for c in columns if c.type is ColumnType.NUMERIC)
    group_response = None
    if takes_groups(model.task):  # only a kind that answers groups documents their answer
        ranked = create_model(
            "GroupItem", __base__=item,
            rank=(int, Field(description="1 for the highest score in the group; ties keep order")),
        )  # fmt: skip
        group_response = create_model(
            "PredictGroupResponse",
            request_id=(str, ...),
            model_version=(str, ...),
            served_by=(str, ...),
            predictions=(list[ranked], ...),
            order=(list[int], Field(description="The records' indices, best first.")),
        )
    return ApiModels(
        record, batch, response, batch_response, renames, api_key(model), size, numeric,
        group_response,
    )  # fmt: skip


def batch_body_bytes(model: InferenceModel) -> int:
    """MAX_BATCH records of this schema, each value as long as its column plausibly takes
    (numbers 24 characters, a category its longest known label, text 512), with a 2 MiB floor."""
    longest = {
        s.column: max((len(c) for c in s.categories), default=16)
        for s in model.preprocessor.steps
        if isinstance(s, CategoricalStep)
    }
    record = 2
    for c in model.schema.columns:
        if c.name == model.target:
            continue
        value = _VALUE_BYTES.get(c.type, 64)
        if c.name in longest:
            value = max(longest[c.name] + 2, 16)
        record += len(c.name.encode()) + 4 + value
    return max(2 << 20, MAX_BATCH * (record + 2) + 1024)


_VALUE_BYTES = {
    ColumnType.NUMERIC: 24,
    ColumnType.BOOLEAN: 5,
    ColumnType.DATETIME: 32,
    ColumnType.CATEGORICAL: 64,
    ColumnType.ID: 64,
    ColumnType.TEXT: 512,
}


def api_key(model: InferenceModel) -> str:
    """Equal for models that take and answer the same JSON."""
    key = json.dumps([model.schema.to_dict(), list(model.classes), str(model.task)], default=str)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _field(column: InputColumn, name: str) -> tuple[Any, Any]:
    kind = FIELD_TYPES.get(column.type, str | None)
    role = "feature" if column.required else "passthrough: logged, never used by the model"
    info = f"{column.type} ({role})" + (f"; {column.reason}" if column.reason else "")
    alias = column.name if name != column.name else None
    if column.required:
        return kind, Field(..., alias=alias, description=info)
    return kind, Field(None, alias=alias, description=info)


def _field_names(columns: list[str]) -> list[str]:
    """Columns as field names; an alias-only name where a column is no safe identifier."""
    reserved = set(dir(BaseModel))
    out = []
    for i, c in enumerate(columns):
        safe = c.isidentifier() and not keyword.iskeyword(c) and not c.startswith("_")
        out.append(c if safe and c not in reserved else f"field_{i}")
    return out


def _result_model(model: InferenceModel) -> type[BaseModel]:
    kind = task_kind(model.task)
    labels: dict[str, Any] = {}
    if kind.gives_values:
        decision: Any = float
        described = "the predicted value"
    elif kind.label_sets:
        decision = list[Literal[tuple(model.classes)]]  # type: ignore[misc]
        described = "the labels the decision policy chose (possibly none)"
        labels["labels"] = (decision, Field(description="the chosen labels, as in `decision`"))
    else:  # a path task may also stop at an inner node of its tree
        decision = Literal[tuple(model.policy.outcomes(model.classes))]
        described = "the class the decision policy chose"
        if kind.paths:
            described = "the path the decision policy chose, down to a class or stopped above"
    return create_model(
        "Prediction",
        decision=(decision, Field(description=described)),
        **labels,
        score=(
            float,
            Field(
                description="P(positive), P(decided class or path), the value, or the top label's P"
            ),
        ),
        probabilities=(
            dict[str, float] | None,
            Field(None, description="per class or label, calibrated"),
        ),
        interval=(list[float] | None, Field(None, description="[lower, upper] for regression")),
        warnings=(list[str], Field(default_factory=list)),
        explanation=(ExplanationOut | None, None),
    )
