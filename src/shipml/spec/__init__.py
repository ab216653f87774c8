"""Spec: the model specification a user writes, validated into a frozen `ModelSpec`."""

from shipml.spec.load import LoadedSpec, json_schema, load_spec
from shipml.spec.model import DEFAULT_LADDER, FAMILIES, ModelSpec, parse_duration_days

__all__ = [
    "DEFAULT_LADDER",
    "FAMILIES",
    "LoadedSpec",
    "ModelSpec",
    "json_schema",
    "load_spec",
    "parse_duration_days",
]
