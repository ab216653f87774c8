"""Registry: where shipml keeps its state, `.shipml/` in the working directory or SHIPML_HOME,
and which MLflow tracking store it uses (embedded SQLite unless MLFLOW_TRACKING_URI says so).

The embedded store is created under a file lock, so two first runs at once both succeed (MLflow
creates its tables on first connection, and two creators collide). A home records where it was
made (`home.json`): MLflow stores absolute artifact paths, so a copied or moved home would read
and write the original's artifacts; such a home is refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from shipml.core.errors import ShipmlError

MARKER = "home.json"
_READY: set[str] = set()


def shipml_home() -> Path:
    home = Path(os.environ.get("SHIPML_HOME") or Path.cwd() / ".shipml").expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def tracking_uri() -> str:
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    return uri if uri else f"sqlite:///{shipml_home() / 'mlflow.db'}"


def artifact_root() -> Path:
    root = shipml_home() / "artifacts"
    root.mkdir(parents=True, exist_ok=True)
    return root


def logs_dir() -> Path:
    path = shipml_home() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def configure_mlflow() -> None:
    """Point MLflow at shipml's store; telemetry off. Called before any MLflow use."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import logging

    import mlflow

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)

    embedded = not os.environ.get("MLFLOW_TRACKING_URI")  # read first: MLflow sets it below
    uri = tracking_uri()
    if embedded:
        _embedded_store(uri, shipml_home())
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)


def _embedded_store(uri: str, home: Path) -> None:
    """Check the home is where it was made, then create the SQLite store under a lock."""
    if uri in _READY:
        return
    from filelock import FileLock

    with FileLock(str(home / ".store.lock"), timeout=300):
        _check_origin(home)
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        client.search_experiments(max_results=1)  # creates (or upgrades) the tables once
        client.search_registered_models(max_results=1)
    _READY.add(uri)


def _check_origin(home: Path) -> None:
    marker = home / MARKER
    if not marker.is_file():
        marker.write_text(json.dumps({"path": str(home)}), encoding="utf-8")
        return
    try:
        made = Path(json.loads(marker.read_text(encoding="utf-8"))["path"])
    except (ValueError, KeyError, TypeError):
        made = home
    if made != home:
        raise ShipmlError(
            f"the shipml home {home} was copied or moved from {made}: its MLflow store holds "
            f"absolute artifact paths into {made}, so it would read and write that home's files",
            where="SHIPML_HOME",
            fix=f"set SHIPML_HOME={made} to use the original, or point SHIPML_HOME at a new "
            "folder (models are moved between homes by retraining or through a tracking server)",
        )
