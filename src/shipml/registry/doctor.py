"""Registry: find and repair what interrupted writes leave behind (`shipml models doctor`).

- a half-registered version: its registration is still `pending` and the process that wrote it
  is gone (`register.py`'s sequence was cut); repaired by deleting the version;
- an alias that disagrees with its audited history (moved without a record, or recorded and not
  moved); repaired by putting it where the last audited move of a live, complete version says,
  or removing it, and recording that repair;
- a run left RUNNING by a process that is gone; repaired by marking it KILLED;
- a bundle's staging folder left by a killed write; repaired by deleting it.

A writer is gone when its `host:pid` tag names this host and no such process runs, or, on
another host, when the record is older than `STALE_HOURS`. `train` runs the repair for its model
before it registers, so debris never accumulates silently.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from dataclasses import dataclass
from typing import Any

from shipml.registry.bundle import STAGING
from shipml.registry.client import mlflow_client
from shipml.registry.history import AliasMove, read_history, record_move
from shipml.registry.home import shipml_home
from shipml.registry.register import COMPLETE, PENDING, STATE_TAG, WRITER_TAG

STALE_HOURS = 24.0
STAGING_HOURS = 6.0


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # half_registered | unaudited_alias | stale_run | staging_debris
    model: str
    subject: str  # a version, an alias, a run id or a folder
    detail: str
    repaired: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "model": self.model,
            "subject": self.subject,
            "detail": self.detail,
            "repaired": self.repaired,
        }


def doctor(model: str | None = None, *, fix: bool = False) -> list[Finding]:
    """What is wrong with one model (or every model), repaired when `fix`."""
    client = mlflow_client()
    names = (
        [model] if model else [m.name for m in client.search_registered_models(max_results=1000)]
    )
    found: list[Finding] = []
    for name in names:
        found += _half_registered(client, name, fix)
        found += _unaudited_aliases(client, name, fix)
        found += _staging_debris(name, fix)
    found += _stale_runs(client, names if model else None, fix)
    return found


def writer_gone(writer: str, since_ms: int | None) -> bool:
    host, _, pid = writer.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    age_hours = (time.time() * 1000 - (since_ms or 0)) / 3.6e6
    return age_hours > STALE_HOURS


def _versions(client: Any, name: str) -> list[Any]:
    return list(client.search_model_versions(f"name = '{name}'", max_results=10000))


def _half_registered(client: Any, name: str, fix: bool) -> list[Finding]:
    out = []
    for v in _versions(client, name):
        tags = v.tags or {}
        untagged = not any(k.startswith("shipml.") for k in tags)
        pending = tags.get(STATE_TAG) == PENDING
        if not (untagged or pending):
            continue
        if pending and not writer_gone(tags.get(WRITER_TAG, ""), v.creation_timestamp):
            continue  # a registration under way in a live process
        why = (
            "no shipml tags"
            if untagged
            else f"registration pending, writer {tags.get(WRITER_TAG)} gone"
        )
        if fix:
            client.delete_model_version(name, str(v.version))
        out.append(Finding("half_registered", name, str(v.version), why, fix))
    return out


def _unaudited_aliases(client: Any, name: str, fix: bool) -> list[Finding]:
    from mlflow.exceptions import MlflowException

    try:
        aliases = {a: str(v) for a, v in (client.get_registered_model(name).aliases or {}).items()}
    except MlflowException:
        return []
    versions = {str(v.version): v.tags or {} for v in _versions(client, name)}
    moves = read_history(client, name)
    out = []
    for alias in sorted(set(aliases) | {m.alias for m in moves}):
        current = aliases.get(alias)
        if current is not None and _in_flight(versions.get(current, {})):
            continue
        target = _audited_target([m for m in moves if m.alias == alias], versions)
        if current == target:
            continue
        detail = (
            f"@{alias} is at {current or 'nothing'}, its audited history says {target or 'nothing'}"
        )
        if fix:
            _set_alias(client, name, alias, current, target)
        out.append(Finding("unaudited_alias", name, alias, detail, fix))
    return out


def _in_flight(tags: dict[str, str]) -> bool:
    return tags.get(STATE_TAG) == PENDING and not writer_gone(tags.get(WRITER_TAG, ""), None)


def _audited_target(moves: list[AliasMove], versions: dict[str, dict[str, str]]) -> str | None:
    """Where the alias belongs: the last audited move's version, walking back past versions
    that are gone or never completed their registration."""
    usable = {v for v, tags in versions.items() if tags.get(STATE_TAG, COMPLETE) == COMPLETE}
    for m in sorted(moves, key=lambda m: m.ns, reverse=True):
        for candidate in (m.to_version, m.from_version):
            if candidate == "":
                return None  # removed by this move, or absent before it
            if candidate in usable:
                return candidate
    return None


def _set_alias(client: Any, name: str, alias: str, current: str | None, target: str | None) -> None:
    reason = "repair: the alias disagreed with its audited history (an interrupted write)"
    record_move(client, name, alias, current, target, action="repair", reason=reason)
    if target is None:
        client.delete_registered_model_alias(name, alias)
    else:
        client.set_registered_model_alias(name, alias, target)


def _stale_runs(client: Any, names: list[str] | None, fix: bool) -> list[Finding]:
    experiments = client.search_experiments(max_results=1000)
    if names is not None:
        experiments = [e for e in experiments if e.name in names]
    out = []
    for e in experiments:
        runs = client.search_runs(
            [e.experiment_id], "attributes.status = 'RUNNING'", max_results=1000
        )
        for r in runs:
            writer = r.data.tags.get(WRITER_TAG, "")
            if not writer_gone(writer, r.info.start_time):
                continue
            if fix:
                client.set_terminated(r.info.run_id, status="KILLED")
            detail = f"run {r.info.run_name} left RUNNING by {writer or 'an unknown process'}"
            out.append(Finding("stale_run", e.name, r.info.run_id, detail, fix))
    return out


def _staging_debris(name: str, fix: bool) -> list[Finding]:
    root = shipml_home() / "bundles" / name
    if not root.is_dir():
        return []
    out = []
    for folder in root.glob(f"{STAGING}*"):
        if time.time() - folder.stat().st_mtime < STAGING_HOURS * 3600:
            continue
        if fix:
            shutil.rmtree(folder, ignore_errors=True)
        out.append(
            Finding("staging_debris", name, folder.name, "a bundle write never finished", fix)
        )
    return out
