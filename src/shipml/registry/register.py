"""Registry: registering a bundle as a model version, one guarded sequence.

    1. log the bundle as a pyfunc model in the run (the entry file and the bundle as artifacts)
    2. create the version with every tag at once (scores, family, violations, the integrity
       anchors) and `shipml.registration = pending`, with the writer's host and pid
    3. move the alias (@champion for a first version, else @challenger, with its verdict
       against the champion on the same rows) and append the move to the audit history
    4. mark the version `shipml.registration = complete`

A process killed between two steps leaves a pending version whose writer is gone, or an alias
whose last audited move says otherwise: `doctor.py` finds both and repairs them, and `train`
runs that repair for its model before it registers. A version is never half-tagged.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipml.core.enums import ColumnFlag, ColumnType
from shipml.core.protocols import Evidence
from shipml.registry.bundle import EVAL_DIR, read_manifest
from shipml.registry.client import mlflow_client, version_by_alias
from shipml.registry.history import record_move
from shipml.registry.home import configure_mlflow
from shipml.registry.integrity import anchor_tags, pyfunc_entry
from shipml.runtime.reference import CategoricalSummary, NumericSummary, ReferenceSummary
from shipml.runtime.schema import InputSchema

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
    compare: Callable[[str], Evidence | str] | None = None,
) -> Registered:
    """Log the bundle as a pyfunc model in the run, register a version, and set its alias.
    `not_champion` is why this version may not become @champion by itself (it does not beat
    the baseline): it is registered as @challenger with that reason. `compare` gives, for a
    champion version, this bundle's verdict against it on the same rows (or why none)."""
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
    alias, reason = _choose_alias(client, name, version, compare)
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

    with mlflow.start_run(run_id=run_id):
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(pyfunc_entry()),
            artifacts={"bundle": str(bundle)},
            pip_requirements=PIP_REQUIREMENTS,
            signature=signature(bundle),
            input_example=typical_row(bundle),
        )
    return str(info.model_uri)


def signature(bundle: Path) -> Any:
    """The version's MLflow signature, from the bundle: its input columns by name (any type,
    none required: shipml checks values against the training schema itself, with clearer
    messages) and its output columns. Given explicitly, MLflow infers nothing from `predict`'s
    type hints (a DataFrame hint has no signature to infer: it warned on every train)."""
    from mlflow.models import ModelSignature
    from mlflow.types.schema import AnyType, ColSpec, Schema, TensorSpec

    manifest = read_manifest(bundle)
    names = [c.name for c in InputSchema.from_dict(dict(manifest.input_schema)).columns]
    outputs: list[ColSpec | TensorSpec] = [ColSpec(AnyType(), "prediction")]
    outputs += [ColSpec("double", f"proba_{label}") for label in manifest.classes]
    inputs = Schema([ColSpec(AnyType(), n, required=False) for n in names])
    return ModelSignature(inputs=inputs, outputs=Schema(outputs))


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
    client: Any, name: str, version: str, compare: Callable[[str], Evidence | str] | None
) -> tuple[str, str]:
    """@champion for a model's first version; else @challenger, with the verdict against the
    champion on the same rows and the promote command the guard will then accept."""
    current = version_by_alias(client, name, CHAMPION)
    if current is None:
        return CHAMPION, "the model had no champion yet"
    champion = str(current.version)
    evidence = compare(champion) if compare is not None else "it was not compared"
    if isinstance(evidence, str):
        said, better = (
            f"no comparison with champion v{champion} on the same rows: {evidence}",
            False,
        )
    else:
        said, better = evidence.sentence(), evidence.better
    command = f"shipml promote {name} {version}" + ("" if better else " --force")
    return CHALLENGER, f"{said}; promote with `{command}`"


def typical_row(bundle: Path) -> Any:
    """The input example MLflow keeps beside the signature: one made-up, typical record (each
    numeric feature's training median, each categorical feature's most frequent category), never
    a training row; a PII, passthrough, datetime or text column is left empty."""
    import pandas as pd

    path = bundle / EVAL_DIR / "reference.json"
    schema = InputSchema.from_dict(dict(read_manifest(bundle).input_schema))
    summaries = {}
    if path.is_file():
        reference = ReferenceSummary.from_dict(json.loads(path.read_text(encoding="utf-8")))
        summaries = {s.column: s for s in reference.inputs}
    row: dict[str, Any] = {}
    for column in schema.columns:
        found = summaries.get(column.name)
        value: Any = None
        private = ColumnFlag.PII in column.flags
        if isinstance(found, NumericSummary) and found.quantiles and not private:
            median = found.quantiles[len(found.quantiles) // 2]
            value = {ColumnType.NUMERIC: median, ColumnType.BOOLEAN: median >= 0.5}.get(column.type)
        elif isinstance(found, CategoricalSummary) and found.top and not found.hashed:
            value = found.top[0][0]
        row[column.name] = value
    return pd.DataFrame([row])
