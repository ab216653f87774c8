"""Registry: models in MLflow's registry. Versions are pyfunc models whose artifact is a shipml
bundle; `@champion` and `@challenger` aliases; references read NAME[@alias|/version].

Every alias move is appended to the audit history (`history.py`); promotion to @champion is
guarded by the version's constraint violations and by evidence that it beats the champion on the
same rows (`pipeline/promotion.py` makes the comparison, read here through the `Evidence`
protocol, or says why none could be made);
`rollback` returns an alias to the version it held before, as the history tells.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipml.core.errors import ArtifactError, ModelNotFoundError, ShipmlError
from shipml.core.protocols import Evidence
from shipml.registry.bundle import LoadedBundle, load_bundle, read_manifest
from shipml.registry.client import get_model, get_version, mlflow_client, version_by_alias
from shipml.registry.history import AliasMove, previous_champion, read_history, record_move
from shipml.registry.home import shipml_home
from shipml.registry.integrity import check_anchor, check_pyfunc
from shipml.registry.register import (
    CHALLENGER,
    CHAMPION,
    PENDING,
    STATE_TAG,
    leaderboard_violations,
)

__all__ = ["CHALLENGER", "CHAMPION", "get_model", "get_version", "mlflow_client"]
_REF = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,99})(?:@(?P<alias>[A-Za-z0-9_-]+)|/(?P<version>\d+))?$"
)


@dataclass(frozen=True, slots=True)
class ModelRef:
    name: str
    alias: str | None = None
    version: str | None = None

    @staticmethod
    def parse(text: str) -> ModelRef:
        m = _REF.match(text.strip())
        if not m:
            raise ShipmlError(
                f"{text!r} is not a model reference",
                fix="write NAME, NAME@alias or NAME/version (letters, digits, . _ -)",
            )
        alias = m.group("alias") or (None if m.group("version") else CHAMPION)
        return ModelRef(m.group("name"), alias, m.group("version"))

    def __str__(self) -> str:
        return f"{self.name}@{self.alias}" if self.alias else f"{self.name}/{self.version}"


class PromotionRefusedError(ShipmlError):
    """A guarded promotion found a reason not to move the alias; `--force` overrides it."""


def resolve_version(ref: ModelRef) -> str:
    from mlflow.exceptions import MlflowException

    client = mlflow_client()
    if ref.version is not None:
        try:
            client.get_model_version(ref.name, ref.version)
        except MlflowException:
            raise ModelNotFoundError(f"no version {ref.version} of model {ref.name!r}") from None
        return ref.version
    found = version_by_alias(client, ref.name, ref.alias or CHAMPION)
    if found is None:
        raise ModelNotFoundError(
            f"model {ref.name!r} has no version with alias @{ref.alias}",
            fix="train it first (`shipml train SPEC`), or name a version: NAME/1",
        )
    return str(found.version)


def load_registered(ref: ModelRef) -> tuple[LoadedBundle, str]:
    """Download (once, cached under the home folder) and load a registered version's bundle:
    its manifest is checked against the hash the registry recorded (and the signature, when a
    signing key is set), then every file against the manifest, before the model is read."""
    version = resolve_version(ref)
    return load_bundle(verified_folder(ref.name, version)), version


def verified_folder(name: str, version: str) -> Path:
    """The local copy of a version's bundle, checked against the registry's anchor."""
    tags = get_version(mlflow_client(), name, version).tags
    folder = bundle_folder(name, version, tags)
    check_anchor(tags, folder, f"{name}/{version}")
    return folder


def bundle_folder(name: str, version: str, tags: dict[str, str] | None = None) -> Path:
    """The local copy of a registered version's bundle, downloaded on first use (with the
    logged pyfunc entry file checked against its recorded hash)."""
    root = (shipml_home() / "cache").resolve()
    cache = (root / name / version).resolve()
    if not cache.is_relative_to(root) or not version.isdigit():
        raise ShipmlError(f"{name!r} version {version!r} is not a valid model reference")
    if not (cache / "manifest.json").is_file():
        import mlflow

        tmp = cache.with_name(f"{version}.partial")
        shutil.rmtree(tmp, ignore_errors=True)
        local = Path(
            mlflow.artifacts.download_artifacts(f"models:/{name}/{version}", dst_path=str(tmp))
        )
        if tags is None:
            tags = get_version(mlflow_client(), name, version).tags
        check_pyfunc(tags, local, f"{name}/{version}")
        found = next(local.rglob("manifest.json"), None)
        if found is None:
            raise ArtifactError("the registered model holds no bundle", where=f"{name}/{version}")
        shutil.rmtree(cache, ignore_errors=True)
        shutil.move(str(found.parent), str(cache))
        shutil.rmtree(tmp, ignore_errors=True)
    return cache


def promote(
    name: str,
    version: str,
    alias: str = CHAMPION,
    *,
    force: bool = False,
    reason: str = "",
    action: str = "promote",
    evidence: Evidence | str | None = None,
) -> str | None:
    """Point `alias` at `version`; returns the version it pointed at before (if any).

    Guarded: a version that breaks its spec's constraints, or (for @champion) whose `evidence`
    against the current champion on the same rows is not "better" (or is missing), is refused
    unless `force`. Every move is recorded."""
    client = mlflow_client()
    get_version(client, name, version)
    problems = promotion_problems(client, name, version, alias, evidence)
    if problems and not force:
        raise PromotionRefusedError(
            f"version {version} of {name!r} is not promoted to @{alias}: " + "; ".join(problems),
            where="VERSION",
            fix="pass --force (and a --reason) to promote it anyway",
        )
    previous = version_by_alias(client, name, alias)
    was = None if previous is None else str(previous.version)
    why = "; ".join([reason] * bool(reason) + [f"forced past: {p}" for p in problems])
    # The record first, then the move: a kill between leaves a recorded move that
    # `shipml models doctor` completes, never a move that nothing recorded.
    record_move(client, name, alias, was, version, action=action, reason=why)
    client.set_registered_model_alias(name, alias, version)
    if alias == CHAMPION:
        challenger = version_by_alias(client, name, CHALLENGER)
        if challenger is not None and str(challenger.version) == version:
            note = f"version {version} became the champion"
            record_move(client, name, CHALLENGER, version, None, action="clear", reason=note)
            client.delete_registered_model_alias(name, CHALLENGER)
    return was


def rollback(name: str, alias: str = CHAMPION, *, reason: str = "") -> tuple[str | None, str]:
    """Move `alias` back to the version it held before (from the audit history); returns
    (from, to). A rollback is an emergency move: it is not guarded."""
    client = mlflow_client()
    target = previous_champion(read_history(client, name), alias)
    if target is None:
        raise ShipmlError(
            f"the history of {name!r} holds no earlier @{alias} to roll back to",
            where="NAME",
            fix=f"see `shipml models history {name}`, then `shipml promote {name} VERSION`",
        )
    why = reason or "rollback to the previous version"
    was = promote(name, target, alias, force=True, reason=why, action="rollback")
    return was, target


def history(name: str) -> list[AliasMove]:
    client = mlflow_client()
    get_model(client, name)
    return read_history(client, name)


def promotion_problems(
    client: Any, name: str, version: str, alias: str, evidence: Evidence | str | None = None
) -> list[str]:
    """Why `version` should not take `alias` (empty when nothing stands in the way)."""
    tags = get_version(client, name, version).tags
    problems = []
    if tags.get(STATE_TAG) == PENDING:
        problems.append("its registration never completed (see `shipml models doctor`)")
    violations = version_violations(name, version, tags)
    if violations:
        problems.append(f"it breaks the spec's constraints ({'; '.join(violations)})")
    current = version_by_alias(client, name, CHAMPION) if alias == CHAMPION else None
    if current is None or str(current.version) == version:
        return problems
    if evidence is None:
        problems.append(
            f"it was not compared with champion v{current.version} on the same rows "
            "(`shipml promote` compares them)"
        )
    elif isinstance(evidence, str):
        problems.append(f"no comparison on the same rows: {evidence}")
    elif not evidence.better:
        problems.append(evidence.sentence())
    return problems


def version_violations(name: str, version: str, tags: dict[str, str]) -> list[str]:
    if "shipml.violations" in tags:
        return [str(v) for v in json.loads(tags["shipml.violations"] or "[]")]
    folder = bundle_folder(name, version)  # versions registered before the tag existed
    return leaderboard_violations(folder, read_manifest(folder).family)
