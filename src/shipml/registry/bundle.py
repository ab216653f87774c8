"""Registry: the model bundle on disk, the inference form plus its manifest and evaluation.

    bundle/
      manifest.json        spec hash, data fingerprint, schema, versions, metrics, seed, SHA-256s
                           (the `Manifest` record, `registry/manifest.py`)
      model/               the inference form (inference.json, the estimator's file)
      evaluation/          oof.parquet, test_predictions.parquet, leaderboard.json,
                           choices.json, profile.json, spec.yaml
      report/              the HTML report: for people, regenerated at will, never read by code,
                           so outside the hashes

A bundle is written once, by `write_bundle`: into a staging folder, then renamed atomically to a
name no other write uses (the MLflow run id, or a fresh UUID), so two trains of one model never
share a folder. Loading checks that the manifest lists every file of the bundle (but the report)
and that each listed file exists with its recorded SHA-256; the manifest's own SHA-256 is the
anchor the registry keeps outside the bundle (`integrity.py`). Nothing is unpickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from shipml.core.errors import ArtifactError
from shipml.registry.home import shipml_home
from shipml.registry.manifest import MANIFEST, Manifest, ManifestBody, validate_manifest
from shipml.runtime.inference import InferenceModel

BUNDLE_VERSION = 1  # the bundle format; a bundle without it, or of another, is refused
MODEL_DIR = "model"
EVAL_DIR = "evaluation"
REPORT_DIR = "report"
STAGING = ".partial-"


@dataclass(frozen=True, slots=True)
class LoadedBundle:
    model: InferenceModel
    manifest: Manifest
    folder: Path

    def evaluation_file(self, name: str) -> Path:
        return self.folder / EVAL_DIR / name


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_sha256(folder: Path) -> str:
    """The anchor of a bundle: the SHA-256 of its manifest, which holds every file's SHA-256."""
    path = folder / MANIFEST
    if not path.is_file():
        raise ArtifactError(f"no {MANIFEST} in {folder}", fix="point at a shipml model bundle")
    return sha256_file(path)


def new_bundle_key() -> str:
    """A bundle name for a write without a tracking run (`train(track=False)`)."""
    return uuid.uuid4().hex


def write_bundle(name: str, key: str, fill: Callable[[Path], None]) -> Path:
    """Write a bundle of model `name` under `bundles/NAME/KEY`: `fill` writes every file (its
    manifest last, with `write_manifest`) into a staging folder that is then renamed in one
    step; a failure leaves no bundle behind."""
    root = shipml_home() / "bundles" / name
    final = root / key
    if final.exists():
        raise ArtifactError(f"a bundle {key} of {name!r} exists already", where=str(final))
    staging = root / f"{STAGING}{key}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        fill(staging)
        manifest_sha256(staging)  # the writer must have finished with the manifest
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def bundle_files(folder: Path) -> list[str]:
    """Every file of a bundle the manifest must list: all but the manifest and the report."""
    out = []
    for p in folder.rglob("*"):
        if not p.is_file():
            continue
        rel = p.relative_to(folder).as_posix()
        if rel != MANIFEST and not rel.startswith(f"{REPORT_DIR}/"):
            out.append(rel)
    return sorted(out)


def write_manifest(folder: Path, body: ManifestBody) -> Manifest:
    """Seal `body` with the bundle format's version and the SHA-256 of every file in the bundle
    (but the manifest and the report), and write it as the bundle's manifest."""
    fields = {name: getattr(body, name) for name in ManifestBody.model_fields}
    files = {f: sha256_file(folder / f) for f in bundle_files(folder)}
    manifest = Manifest.model_validate(fields | {"bundle_version": BUNDLE_VERSION, "files": files})
    (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def check_bundle_version(manifest: Mapping[str, object], folder: Path) -> None:
    """A bundle of another format is refused before any of its files is read."""
    version = manifest.get("bundle_version")
    if version == BUNDLE_VERSION:
        return
    if version is None:
        raise ArtifactError(
            f"the bundle in {folder} has no bundle_version: a shipml older than this one wrote it",
            where="manifest.json",
            fix="retrain the model with this version of shipml (`shipml train SPEC`)",
        )
    raise ArtifactError(
        f"the bundle in {folder} has bundle_version {version!r}; this shipml reads "
        f"{BUNDLE_VERSION}",
        where="manifest.json",
        fix="use the shipml that wrote it, or retrain the model with this one",
    )


def read_manifest(folder: Path) -> Manifest:
    """The bundle's manifest record: a bundle of another format is refused by its
    `bundle_version` first (an old bundle is told to retrain), then every field is checked."""
    path = folder / MANIFEST
    if not path.is_file():
        raise ArtifactError(f"no {MANIFEST} in {folder}", fix="point at a shipml model bundle")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{path} is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(manifest, dict):
        raise ArtifactError(f"{path} is not a manifest (a JSON object)")
    check_bundle_version(manifest, folder)
    return validate_manifest(manifest, folder)


def verify(folder: Path, manifest: Manifest) -> None:
    """Every file of the bundle is listed, and every listed file is there with its hash."""
    listed = manifest.files
    if not listed:
        raise ArtifactError(
            "the manifest lists no files, so nothing in the bundle can be checked",
            where=str(folder),
            fix="the artifact was modified or corrupted; re-download or retrain it",
        )
    unlisted = sorted(set(bundle_files(folder)) - set(listed))
    if unlisted:
        raise ArtifactError(
            f"the bundle holds files its manifest does not list: {unlisted[:5]}",
            where=str(folder),
            fix="the artifact was modified; re-download or retrain it",
        )
    for name, expected in listed.items():
        path = folder / name
        if not path.resolve().is_relative_to(folder.resolve()) or not path.is_file():
            raise ArtifactError(f"the bundle file {name} is missing", where=str(folder))
        if sha256_file(path) != expected:
            raise ArtifactError(
                f"the bundle file {name} does not match its recorded SHA-256",
                where=str(folder),
                fix="the artifact was modified or corrupted; re-download or retrain it",
            )


def load_bundle(folder: Path) -> LoadedBundle:
    """Load a bundle after checking its format version and verifying every file's hash."""
    manifest = read_manifest(folder)
    verify(folder, manifest)
    try:
        model = InferenceModel.load(folder / MODEL_DIR)
    except (KeyError, ValueError, TypeError, OSError) as exc:
        raise ArtifactError(f"the inference form in {folder} cannot be read: {exc}") from None
    return LoadedBundle(model=model, manifest=manifest, folder=folder)
