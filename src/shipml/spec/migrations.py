"""Spec: versioned migrations, one function per change, applied before validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shipml.core.errors import SpecError
from shipml.spec.echo import echo
from shipml.spec.model import PLANNED_TASKS, SPEC_VERSION, TASKS

Raw = dict[str, Any]
_TASK_SECTION_NAMES = frozenset({*PLANNED_TASKS, *TASKS} - {"auto"})


def _v1_to_v2(raw: Raw) -> Raw:
    """Version 2 makes `target` optional (a task without one, such as anomaly detection, has
    none) and adds one top-level section per task kind (`forecast:`, `ranking:`, ...). Every
    version-1 key keeps its name and meaning, and a version-1 spec has no task section, so a
    version-1 spec is a version-2 spec as it stands; a top-level key named after a task in a
    version-1 spec is refused, as version 1 refused it."""
    sections = sorted(k for k in raw if k in _TASK_SECTION_NAMES)
    if sections:
        raise SpecError(
            f"a task section ({', '.join(sections)}) needs spec_version 2",
            where="spec_version",
            fix="write spec_version: 2 (version 1 had no task sections)",
        )
    return dict(raw)


# version -> function that lifts a raw spec of that version to the next one.
MIGRATIONS: dict[int, Callable[[Raw], Raw]] = {1: _v1_to_v2}


def migrate(raw: Raw) -> Raw:
    """Bring a raw spec to the current `spec_version` (a missing version means current)."""
    version = raw.get("spec_version", SPEC_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SpecError(
            f"{echo(version)} is not a spec version",
            where="spec_version",
            fix=f"use spec_version: {SPEC_VERSION}",
        )
    if version > SPEC_VERSION:
        raise SpecError(
            f"version {version} is newer than this shipml understands ({SPEC_VERSION})",
            where="spec_version",
            fix=f"upgrade shipml, or write the spec for version {SPEC_VERSION}",
        )
    while version < SPEC_VERSION:
        raw = MIGRATIONS[version](raw)
        version += 1
        raw["spec_version"] = version
    return raw
