"""Registry: MLflow tracking. One parent run per `train`; a child run per trial as it finishes."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shipml.registry.home import artifact_root, configure_mlflow
from shipml.registry.register import WRITER_TAG, writer_id


class MlflowTracker:
    """Implements the core `Tracker` protocol over MLflow's client API."""

    def __init__(self, experiment: str, run_name: str) -> None:
        configure_mlflow()
        from mlflow.tracking import MlflowClient

        self.client = MlflowClient()
        self.experiment_id = experiment_id(self.client, experiment)
        tags = {WRITER_TAG: writer_id()}  # lets a repair tell a live run from a dead one
        run = self.client.create_run(self.experiment_id, run_name=run_name, tags=tags)
        self.run_id: str = run.info.run_id

    def log_candidate(
        self,
        name: str,
        params: Mapping[str, Any],
        metrics: Mapping[str, float],
        tags: Mapping[str, str] | None = None,
    ) -> None:
        from mlflow.entities import Metric, Param, RunTag

        child_tags = {"mlflow.parentRunId": self.run_id, "shipml.family": name, **(tags or {})}
        trial = (tags or {}).get("trial", "")
        child = self.client.create_run(
            self.experiment_id, run_name=f"{name}-{trial}" if trial else name, tags=child_tags
        )
        now = int(time.time() * 1000)
        self.client.log_batch(
            child.info.run_id,
            metrics=[Metric(k, float(v), now, 0) for k, v in metrics.items() if _finite(v)],
            params=[Param(k, str(v)[:500]) for k, v in params.items()],
            tags=[RunTag(k, v) for k, v in child_tags.items() if k != "mlflow.parentRunId"],
        )
        self.client.set_terminated(child.info.run_id)

    def log_run(
        self, params: Mapping[str, Any], metrics: Mapping[str, float], tags: Mapping[str, str]
    ) -> None:
        from mlflow.entities import Metric, Param, RunTag

        now = int(time.time() * 1000)
        self.client.log_batch(
            self.run_id,
            metrics=[Metric(k, float(v), now, 0) for k, v in metrics.items() if _finite(v)],
            params=[Param(k, str(v)[:500]) for k, v in params.items()],
            tags=[RunTag(k, v) for k, v in tags.items()],
        )

    def log_artifacts(self, folder: Path, path: str | None = None) -> None:
        self.client.log_artifacts(self.run_id, str(folder), artifact_path=path)

    def finish(self, status: str = "FINISHED") -> None:
        self.client.set_terminated(self.run_id, status=status)


def experiment_id(client: Any, name: str) -> str:
    """The experiment's id, created (with its artifacts under the home) on first use; a
    concurrent creator's experiment is taken as it is."""
    from mlflow.exceptions import MlflowException

    found = client.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    location = (artifact_root() / name).as_uri()
    try:
        return str(client.create_experiment(name, artifact_location=location))
    except MlflowException:
        found = client.get_experiment_by_name(name)
        if found is None:
            raise
        return str(found.experiment_id)


def _finite(v: float) -> bool:
    return v is not None and not math.isnan(float(v)) and not math.isinf(float(v))
