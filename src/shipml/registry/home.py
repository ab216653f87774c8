"""Registry: where shipml keeps its state, `.shipml/` in the working directory or SHIPML_HOME,
and which MLflow tracking store it uses (embedded SQLite unless MLFLOW_TRACKING_URI says so).
"""

from __future__ import annotations

import os
from pathlib import Path


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

    mlflow.set_tracking_uri(tracking_uri())
    mlflow.set_registry_uri(tracking_uri())
