"""Serve: `GET /v1/model`, what is served: version, spec summary, schema, metrics, policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shipml.registry.manifest import Manifest
from shipml.serve.loading import Snapshot


def model_view(snap: Snapshot, log_dir: Path) -> dict[str, Any]:
    champion, model = snap.champion, snap.model
    manifest = champion.manifest  # None only for a route built without a bundle
    spec = snap.spec
    return {
        "name": snap.ref.name,
        "reference": str(snap.ref),
        "version": champion.version,
        "family": model.family,
        "task": str(model.task),
        "target": model.target,
        "classes": list(model.classes),
        "engine": champion.compiled.engine.name,
        "created_at": manifest.created_at if manifest else None,
        "loaded_at": snap.loaded_at,
        "spec": _spec_summary(snap, manifest),
        "schema": model.schema.to_dict()["columns"],
        "metrics": manifest.metrics.model_dump(mode="json") if manifest else {},
        "decision_policy": model.policy.to_dict(),
        "strict": snap.strict,
        "traffic": snap.traffic.describe(),
        "notes": list(snap.notes),
        "prediction_log": {"folder": log_dir.name},
        "spec_hash": manifest.spec_hash if manifest else None,
        "data_fingerprint": manifest.data_fingerprint if manifest else None,
    } | ({"objective": spec.objective.description} if spec and spec.objective.description else {})


def _spec_summary(snap: Snapshot, manifest: Manifest | None) -> dict[str, Any]:
    spec = snap.spec
    out: dict[str, Any] = {"primary_metric": manifest.primary_metric if manifest else None}
    if spec is not None:
        out |= {
            "name": spec.name,
            "kpis": list(spec.objective.kpis),
            "constraints": spec.constraints.model_dump(mode="json"),
            "decision": spec.decision.model_dump(mode="json", exclude_defaults=True),
            "deploy": spec.deploy.model_dump(mode="json", exclude_defaults=True),
        }
    return out
