"""Serve: the OpenAPI document, with the request and response schemas of the served model.

The predict routes are plain ASGI endpoints that validate their body from bytes, so FastAPI
cannot see them; this documents them from the generated pydantic models: the request bodies,
the `explain` parameter, the answers and the error shapes. Rebuilt when a reload changes the
schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from shipml.serve.loading import Snapshot
from shipml.serve.schemas import ErrorResponse

PROTECTED = ("/v1/", "/admin/", "/metrics")
_REF = "#/components/schemas/{model}"


def openapi_document(app: FastAPI, snap: Snapshot, keys_enabled: bool) -> dict[str, Any]:
    model = snap.model
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=(
            f"Predictions of `{snap.ref.name}` ({model.task}, target `{model.target}`), "
            "generated from its training schema."
        ),
        routes=app.routes,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    api = snap.api
    models: list[tuple[type[BaseModel], str]] = [
        (api.record, "validation"),
        (api.batch, "validation"),
        (api.response, "serialization"),
        (api.batch_response, "serialization"),
        (ErrorResponse, "serialization"),
    ]
    if api.group_response is not None:
        models.append((api.group_response, "serialization"))
    for m, mode in models:
        _add(schemas, m, mode)
    errors = {
        "401": _answer("ErrorResponse", "A valid API key is required"),
        "413": _answer("ErrorResponse", "The body is over the size limit"),
        "422": _answer("ErrorResponse", "The body does not fit the schema (field-level detail)"),
    }
    explain = {
        "name": "explain",
        "in": "query",
        "required": False,
        "schema": {"type": "boolean", "default": False},
        "description": "Add the top feature contributions, summed to the input columns.",
    }
    routes = [
        ("/v1/predict", "predict", "Score one record", api.record, api.response),
        ("/v1/predict/batch", "predict_batch", "Score a list of records", api.batch,
         api.batch_response),
    ]  # fmt: skip
    if api.group_response is not None:
        routes.append(("/v1/predict/group", "predict_group",
                       "Score records together, ranked within the group", api.batch,
                       api.group_response))  # fmt: skip
    else:
        doc["paths"].pop("/v1/predict/group", None)
    for path, op_id, summary, request, response in routes:
        doc["paths"][path] = {
            "post": {
                "summary": summary,
                "operationId": op_id,
                "parameters": [explain],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": _REF.format(model=request.__name__)}
                        }
                    },
                },
                "responses": {"200": _answer(response.__name__, "The prediction"), **errors},
            }
        }
    doc["paths"] = dict(sorted(doc["paths"].items()))
    if keys_enabled:
        _secure(doc)
    else:
        _hide(schemas[api.record.__name__], set(model.schema.passthrough))
    return doc


def _hide(schema: dict[str, Any], columns: set[str]) -> None:
    """Leave columns out of a request schema's properties (and its list of required ones)."""
    properties = schema.get("properties", {})
    for column in columns & set(properties):
        del properties[column]
    if "required" in schema:
        schema["required"] = [c for c in schema["required"] if c not in columns]


def _add(schemas: dict[str, Any], model: type[BaseModel], mode: Any) -> None:
    schema = model.model_json_schema(by_alias=True, ref_template=_REF, mode=mode)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema


def _answer(model: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF.format(model=model)}}},
    }


def _secure(doc: dict[str, Any]) -> None:
    doc["components"]["securitySchemes"] = {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "Bearer": {"type": "http", "scheme": "bearer"},
    }
    for path, ops in doc["paths"].items():
        if path.startswith(PROTECTED):
            for op in ops.values():
                op["security"] = [{"ApiKey": []}, {"Bearer": []}]
                op.setdefault("responses", {}).setdefault(
                    "401", _answer("ErrorResponse", "A valid API key is required")
                )
