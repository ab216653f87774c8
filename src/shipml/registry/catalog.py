"""Registry: read-only views of registered models for `shipml models list` and `show`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shipml.registry.bundle import read_manifest
from shipml.registry.models import (
    ModelRef,
    get_model,
    get_version,
    mlflow_client,
    resolve_version,
    verified_folder,
    version_violations,
)


def list_models() -> list[dict[str, Any]]:
    """Every registered model with its aliases, version count and latest version."""
    client = mlflow_client()
    out = []
    for rm in client.search_registered_models(max_results=1000):
        versions = client.search_model_versions(f"name = '{rm.name}'")
        numbers = sorted(int(v.version) for v in versions)
        out.append(
            {
                "name": rm.name,
                "aliases": {a: str(v) for a, v in (rm.aliases or {}).items()},
                "versions": len(numbers),
                "latest": str(numbers[-1]) if numbers else None,
                "updated": _iso(rm.last_updated_timestamp),
            }
        )
    return sorted(out, key=lambda m: m["name"])


def describe(ref: ModelRef) -> dict[str, Any]:
    """A version's registry facts plus its bundle's manifest summary."""
    client = mlflow_client()
    version = resolve_version(ref)
    mv = get_version(client, ref.name, version)
    aliases = get_model(client, ref.name).aliases or {}
    manifest = read_manifest(verified_folder(ref.name, version))  # never edited metadata
    return {
        "name": ref.name,
        "version": version,
        "aliases": sorted(a for a, v in aliases.items() if str(v) == version),
        "created": _iso(mv.creation_timestamp),
        "run_id": mv.run_id,
        "family": manifest.family,
        "task": manifest.task,
        "target": manifest.target,
        "classes": list(manifest.classes),
        "primary_metric": manifest.primary_metric,
        "metrics": manifest.metrics.model_dump(mode="json"),
        "violations": version_violations(ref.name, version, mv.tags),
        "spec_hash": manifest.spec_hash,
        "data_fingerprint": manifest.data_fingerprint,
        "input_schema": manifest.input_schema,
    }


def _iso(ms: int | None) -> str | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC).isoformat(" ", "seconds")
