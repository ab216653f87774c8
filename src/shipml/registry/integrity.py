"""Registry: integrity anchored outside the bundle, in the registered version's tags.

At registration the version records the SHA-256 of its bundle's manifest (which holds the
SHA-256 of every file) and of the pyfunc entry file logged beside it; with `SHIPML_SIGNING_KEY`
set, also an HMAC-SHA256 of the manifest's hash under that key. Every load through shipml
(`load_model`, `predict`, `serve`, a reload, `models show`) checks the bundle against these tags,
so an edited manifest whose file hashes were rewritten is refused, and with the key set an
unsigned or wrongly signed version is refused too. `mlflow.pyfunc.load_model` does not go
through these checks: it trusts the artifact store.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from shipml.core.errors import ArtifactError
from shipml.registry.bundle import manifest_sha256, sha256_file

SIGNING_KEY_ENV = "SHIPML_SIGNING_KEY"
MANIFEST_TAG = "shipml.manifest_sha256"
PYFUNC_TAG = "shipml.pyfunc_sha256"
SIGNATURE_TAG = "shipml.signature"
PYFUNC_FILE = "pyfunc_entry.py"


def pyfunc_entry() -> Path:
    """The file MLflow logs and executes: it only imports shipml's installed pyfunc class."""
    return Path(__file__).with_name(PYFUNC_FILE)


def anchor_tags(bundle: Path) -> dict[str, str]:
    """The tags a version is registered with: the manifest's and the entry file's hashes,
    and the signature when a signing key is set."""
    digest = manifest_sha256(bundle)
    tags = {MANIFEST_TAG: digest, PYFUNC_TAG: sha256_file(pyfunc_entry())}
    key = _signing_key()
    if key is not None:
        tags[SIGNATURE_TAG] = sign(digest, key)
    return tags


def sign(digest: str, key: bytes) -> str:
    return hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()


def check_anchor(tags: dict[str, str], bundle: Path, where: str) -> None:
    """Refuse a bundle whose manifest is not the one registered (or not signed as required)."""
    recorded = tags.get(MANIFEST_TAG)
    if not recorded:
        raise ArtifactError(
            "the version records no manifest hash, so its bundle cannot be checked",
            where=where,
            fix="it was registered by an older shipml or half-registered; retrain it "
            "(`shipml train SPEC`), or see `shipml models doctor`",
        )
    if manifest_sha256(bundle) != recorded:
        raise ArtifactError(
            "the bundle's manifest is not the one registered with this version",
            where=where,
            fix="the artifact was modified; re-download it or retrain",
        )
    key = _signing_key()
    if key is None:
        return
    signature = tags.get(SIGNATURE_TAG)
    if not signature:
        raise ArtifactError(
            f"the version is unsigned and {SIGNING_KEY_ENV} is set",
            where=where,
            fix=f"register it with {SIGNING_KEY_ENV} set, or load it without the key",
        )
    if not hmac.compare_digest(signature, sign(recorded, key)):
        raise ArtifactError(
            f"the version's signature does not match {SIGNING_KEY_ENV}",
            where=where,
            fix="it was signed with another key or tampered with; do not serve it",
        )


def check_pyfunc(tags: dict[str, str], model_dir: Path, where: str) -> None:
    """The downloaded MLflow model's entry file is the one registered (nothing appended)."""
    found = list(model_dir.rglob(PYFUNC_FILE))
    recorded = tags.get(PYFUNC_TAG)
    if not found or not recorded or sha256_file(found[0]) != recorded:
        raise ArtifactError(
            "the MLflow model's pyfunc entry file is not the one registered",
            where=where,
            fix="the artifact store was modified; do not load it with mlflow.pyfunc either",
        )


def _signing_key() -> bytes | None:
    value = os.environ.get(SIGNING_KEY_ENV, "")
    return value.encode() if value else None
