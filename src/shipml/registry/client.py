"""Registry: the MLflow client, and the few lookups every registry module makes through it."""

from __future__ import annotations

from typing import Any

from shipml.core.errors import ModelNotFoundError
from shipml.registry.home import configure_mlflow


def mlflow_client() -> Any:
    configure_mlflow()
    from mlflow.tracking import MlflowClient

    return MlflowClient()


def version_by_alias(client: Any, name: str, alias: str) -> Any | None:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


def get_version(client: Any, name: str, version: str) -> Any:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version(name, version)
    except MlflowException:
        raise ModelNotFoundError(f"no version {version} of model {name!r}") from None


def get_model(client: Any, name: str) -> Any:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_registered_model(name)
    except MlflowException:
        raise ModelNotFoundError(
            f"no registered model {name!r}", fix="see `shipml models list`"
        ) from None
