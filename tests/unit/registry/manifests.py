"""A manifest record for unit tests, filled from a fitted inference form: what the writer
records about that model, through the model (never a hand-built dict)."""

from __future__ import annotations

import json

from shipml.registry.manifest import BUNDLE_FORMAT, Manifest, ManifestBody, ManifestMetrics
from shipml.runtime.inference import InferenceModel


def body_of(model: InferenceModel, **changes: object) -> ManifestBody:
    """The body `pipeline/persist.py` would write for `model`, with `changes`."""
    fields: dict[str, object] = {
        "format": BUNDLE_FORMAT,
        "name": "unit",
        "created_at": "2026-01-01T00:00:00+00:00",
        "spec_hash": "a" * 64,
        "spec_dir": "/nowhere",
        "data_fingerprint": "b" * 64,
        "task": str(model.task),
        "target": model.target,
        "classes": model.classes,
        "family": model.family,
        "primary_metric": "roc_auc" if model.classes else "rmse",
        "metrics": ManifestMetrics(cv=0.8, test={"roc_auc": 0.81, "log_loss": None}),
        "decision": json.loads(json.dumps(model.policy.summary, default=str)),
        "seed": 7,
        "input_schema": model.schema.to_dict(),
        "libraries": {"python": "3.11", "numpy": "2"},
    }
    return ManifestBody.model_validate(fields | changes)


def manifest_of(model: InferenceModel, **changes: object) -> Manifest:
    """A sealed manifest for `model`, as a bundle holding one model file would have."""
    seal = {"bundle_version": 1, "files": {"model/inference.json": "c" * 64}}
    return Manifest.model_validate(body_of(model, **changes).model_dump() | seal)
