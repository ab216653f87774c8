"""Registry: the manifest record checked as it is read from a bundle.

The record itself (`Manifest`, `ManifestBody`, `ManifestMetrics`, `DerivedFrom`) lives in
`runtime/manifest.py`, so the layers below the registry that read a manifest (explain's report)
can name its type; it is re-exported here. `validate_manifest` turns a JSON object read from
`manifest.json` into the record, or into an `ArtifactError` naming each field at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from shipml.core.errors import ArtifactError
from shipml.runtime.manifest import (
    BUNDLE_FORMAT,
    DerivedFrom,
    Manifest,
    ManifestBody,
    ManifestMetrics,
)

__all__ = [
    "BUNDLE_FORMAT",
    "DerivedFrom",
    "Manifest",
    "ManifestBody",
    "ManifestMetrics",
    "validate_manifest",
]

MANIFEST = "manifest.json"
_SHOWN = 5  # problems named in one message


def validate_manifest(raw: Mapping[str, object], folder: Path) -> Manifest:
    """The manifest record of the bundle in `folder`, or an `ArtifactError` naming the fields
    that are unknown, missing or of the wrong type."""
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        problems = [_problem(e) for e in exc.errors()]
        more = len(problems) - _SHOWN
        text = "; ".join(problems[:_SHOWN]) + (f"; and {more} more" if more > 0 else "")
        raise ArtifactError(
            f"{text} (the manifest of the bundle in {folder})",
            where=MANIFEST,
            fix="the artifact was modified or corrupted; re-download or retrain it",
        ) from None


def _problem(error: ErrorDetails) -> str:
    path = ".".join(map(str, error["loc"])) or "(the whole manifest)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        return f"{path}: {message}"
    return f"{path}: {message} (got {_shown(error.get('input'))})"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."
