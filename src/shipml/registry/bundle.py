"""Registry: the model bundle on disk, the inference form plus its manifest and evaluation.

    bundle/
      manifest.json        spec hash, data fingerprint, schema, versions, metrics, seed, SHA-256s
      model/               the inference form (inference.json, the estimator's file)
      evaluation/          oof.parquet, test_predictions.parquet, leaderboard.json,
                           choices.json, profile.json, spec.yaml

Loading verifies every recorded hash and refuses a mismatch; nothing is unpickled.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipml.core.errors import ArtifactError
from shipml.runtime.inference import InferenceModel

MANIFEST = "manifest.json"
MODEL_DIR = "model"
EVAL_DIR = "evaluation"


@dataclass(frozen=True, slots=True)
class LoadedBundle:
    model: InferenceModel
    manifest: dict[str, Any]
    folder: Path

    def evaluation_file(self, name: str) -> Path:
        return self.folder / EVAL_DIR / name


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Record the SHA-256 of every file in the bundle (but the manifest) and write it."""
    files = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != MANIFEST
    )
    full = manifest | {"files": {f: sha256_file(folder / f) for f in files}}
    (folder / MANIFEST).write_text(json.dumps(full, indent=1, sort_keys=True), encoding="utf-8")
    return full


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise ArtifactError(f"no {MANIFEST} in {folder}", fix="point at a shipml model bundle")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{path} is not valid JSON ({exc.msg})") from None
    return manifest


def verify(folder: Path, manifest: dict[str, Any]) -> None:
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            raise ArtifactError(f"the bundle file {name} is missing", where=str(folder))
        if sha256_file(path) != expected:
            raise ArtifactError(
                f"the bundle file {name} does not match its recorded SHA-256",
                where=str(folder),
                fix="the artifact was modified or corrupted; re-download or retrain it",
            )


def load_bundle(folder: Path) -> LoadedBundle:
    """Load a bundle after verifying every file's hash."""
    manifest = read_manifest(folder)
    verify(folder, manifest)
    try:
        model = InferenceModel.load(folder / MODEL_DIR)
    except (KeyError, ValueError, OSError) as exc:
        raise ArtifactError(f"the inference form in {folder} cannot be read: {exc}") from None
    return LoadedBundle(model=model, manifest=manifest, folder=folder)
