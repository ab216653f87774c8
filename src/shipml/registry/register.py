"""Registry: registering a bundle as a model version, one guarded sequence.

    1. log the bundle as a pyfunc model in the run (the entry file and the bundle as artifacts)
    2. create the version with every tag at once (scores, family, violations, the integrity
       anchors) and `shipml.registration = pending`, with the writer's host and pid
    3. move the alias (@champion for a first version, else @challenger) and append the move to
       the audit history
    4. mark the version `shipml.registration = complete`

A process killed between two steps leaves a pending version whose writer is gone, or an alias
whose last audited move says otherwise: `doctor.py` finds both and repairs them, and `train`
runs that repair for its model before it registers. A version is never half-tagged.
"""

from __future__ import annotations

import json
import os
import socket
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipml.registry.bundle import EVAL_DIR, read_manifest
from shipml.registry.client import mlflow_client, version_by_alias
from shipml.registry.history import record_move
from shipml.registry.home import configure_mlflow
from shipml.registry.integrity import anchor_tags, pyfunc_entry

CHAMPION, CHALLENGER = "champion", "challenger"
STATE_TAG, PENDING, COMPLETE = "shipml.registration", "pending", "complete"
WRITER_TAG = "shipml.writer"
PIP_REQUIREMENTS = ["shipml", "lightgbm", "scikit-learn", "skops", "numpy", "pandas", "pyarrow"]


@dataclass(frozen=True, slots=True)
class Registered:
    name: str
    version: str
    alias: str
    alias_reason: str

    def to_dict(self) -> dict[str, str]:
        why = self.alias_reason
        return {"name": self.name, "version": self.version, "alias": self.alias, "why": why}


def register_bundle(
    name: str,
    run_id: str,
    bundle: Path,
    test_score: float,
    greater_is_better: bool,
    *,
    not_champion: str | None = None,
) -> Registered:
    """Log the bundle as a pyfunc model in the run, register a version, and set its alias.
    `not_champion` is why this version may not become @champion by itself (it does not beat
    the baseline): it is registered as @challenger with that reason."""
    uri = _log_model(run_id, bundle)
    client = mlflow_client()
    _ensure_model(client, name)
    tags = {
        "shipml.test_score": repr(test_score),
        "shipml.greater_is_better": str(greater_is_better),
    }
    tags |= {f"shipml.{k}": v for k, v in _bundle_tags(bundle).items()} | anchor_tags(bundle)
    tags |= {STATE_TAG: PENDING, WRITER_TAG: writer_id()}
    version = str(client.create_model_version(name, uri, run_id=run_id, tags=tags).version)
    alias, reason = _choose_alias(client, name, version, test_score, greater_is_better)
    if not_champion is not None:
        alias, reason = (
            CHALLENGER,
            (
                f"{not_champion}; it is @challenger, not @champion (promote it deliberately with "
                f"`shipml promote {name} {version} --force`)"
            ),
        )
    previous = version_by_alias(client, name, alias)
    client.set_registered_model_alias(name, alias, version)
    was = None if previous is None else str(previous.version)
    record_move(client, name, alias, was, version, action="register", reason=reason)
    client.set_model_version_tag(name, version, STATE_TAG, COMPLETE)
    return Registered(name, version, alias, reason)


def writer_id() -> str:
    """Which process writes: `host:pid`, so a repair can tell a live writer from a dead one."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _log_model(run_id: str, bundle: Path) -> str:
    configure_mlflow()
    import mlflow

    with warnings.catch_warnings(), mlflow.start_run(run_id=run_id):
        warnings.simplefilter("ignore", UserWarning)  # MLflow's advice on predict() type hints
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(pyfunc_entry()),
            artifacts={"bundle": str(bundle)},
            pip_requirements=PIP_REQUIREMENTS,
        )
    return str(info.model_uri)


def _ensure_model(client: Any, name: str) -> None:
    from mlflow.exceptions import MlflowException

    if client.search_registered_models(filter_string=f"name = '{name}'"):
        return
    try:
        client.create_registered_model(name, description="Registered by shipml train.")
    except MlflowException as exc:  # another train created it a moment ago
        if "RESOURCE_ALREADY_EXISTS" not in str(exc.error_code):
            raise


def _bundle_tags(bundle: Path) -> dict[str, str]:
    """The champion family, its metric and its constraint violations, read from the bundle."""
    manifest = read_manifest(bundle)
    family = manifest.family
    return {
        "family": family,
        "primary_metric": manifest.primary_metric,
        "violations": json.dumps(leaderboard_violations(bundle, family))[:4000],
    }


def leaderboard_violations(bundle: Path, family: str) -> list[str]:
    path = bundle / EVAL_DIR / "leaderboard.json"
    if not path.is_file():
        return []
    rows = json.loads(path.read_text(encoding="utf-8"))
    row: dict[str, Any] = next((r for r in rows if r.get("family") == family), {})
    return [str(v) for v in row.get("violations", [])]


def _choose_alias(
    client: Any, name: str, version: str, score: float, greater: bool
) -> tuple[str, str]:
    current = version_by_alias(client, name, CHAMPION)
    if current is None:
        return CHAMPION, "the model had no champion yet"
    theirs = float(current.tags.get("shipml.test_score", "nan"))
    better = score > theirs if greater else score < theirs
    verdict = "beats" if better else "does not beat"
    command = f"shipml promote {name} {version}" + ("" if better else " --force")
    return CHALLENGER, (
        f"its test score {score:.4f} {verdict} champion v{current.version}'s ({theirs:.4f}), "
        f"each on its own test rows; promote with `{command}`"
    )
