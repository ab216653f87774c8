"""Spec: versioned migrations, one function per change, applied before validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shipml.core.errors import SpecError
from shipml.spec.echo import echo
from shipml.spec.model import SPEC_VERSION

Raw = dict[str, Any]

# version -> function that lifts a raw spec of that version to the next one.
MIGRATIONS: dict[int, Callable[[Raw], Raw]] = {}


def migrate(raw: Raw) -> Raw:
    """Bring a raw spec to the current `spec_version` (a missing version means current)."""
    version = raw.get("spec_version", SPEC_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SpecError(
            f"{echo(version)} is not a spec version",
            where="spec_version",
            fix="use spec_version: 1",
        )
    if version > SPEC_VERSION:
        raise SpecError(
            f"version {version} is newer than this shipml understands ({SPEC_VERSION})",
            where="spec_version",
            fix="upgrade shipml, or write the spec for version 1",
        )
    while version < SPEC_VERSION:
        raw = MIGRATIONS[version](raw)
        version += 1
        raw["spec_version"] = version
    return raw
