"""Registry: models in MLflow's registry. Versions are pyfunc models whose artifact is a shipml
bundle; `@champion` and `@challenger` aliases; references read NAME[@alias|/version].
"""

from __future__ import annotations

import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipml.core.errors import ModelNotFoundError, ShipmlError
from shipml.registry.bundle import LoadedBundle, load_bundle
from shipml.registry.home import configure_mlflow, shipml_home

CHAMPION, CHALLENGER = "champion", "challenger"
_REF = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,99})(?:@(?P<alias>[A-Za-z0-9_-]+)|/(?P<version>\d+))?$"
)
PIP_REQUIREMENTS = ["shipml", "lightgbm", "scikit-learn", "skops", "numpy", "pandas", "pyarrow"]


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


@dataclass(frozen=True, slots=True)
class Registered:
    name: str
    version: str
    alias: str
    alias_reason: str


def _client() -> Any:
    configure_mlflow()
    from mlflow.tracking import MlflowClient

    return MlflowClient()


def register_bundle(
    name: str, run_id: str, bundle: Path, test_score: float, greater_is_better: bool
) -> Registered:
    """Log the bundle as a pyfunc model in the run, register a version, and set its alias."""
    configure_mlflow()
    import mlflow

    code = Path(__file__).with_name("pyfunc_model.py")
    with warnings.catch_warnings(), mlflow.start_run(run_id=run_id):
        warnings.simplefilter("ignore", UserWarning)  # MLflow's advice on predict() type hints
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(code),
            artifacts={"bundle": str(bundle)},
            pip_requirements=PIP_REQUIREMENTS,
        )
    client = _client()
    if not client.search_registered_models(filter_string=f"name = '{name}'"):
        client.create_registered_model(name, description="Registered by shipml train.")
    version = str(client.create_model_version(name, info.model_uri, run_id=run_id).version)
    client.set_model_version_tag(name, version, "shipml.test_score", repr(test_score))
    client.set_model_version_tag(name, version, "shipml.greater_is_better", str(greater_is_better))
    alias, reason = _choose_alias(client, name, version, test_score, greater_is_better)
    client.set_registered_model_alias(name, alias, version)
    return Registered(name, version, alias, reason)


def _choose_alias(
    client: Any, name: str, version: str, score: float, greater: bool
) -> tuple[str, str]:
    current = _version_by_alias(client, name, CHAMPION)
    if current is None:
        return CHAMPION, "the model had no champion yet"
    theirs = float(current.tags.get("shipml.test_score", "nan"))
    better = score > theirs if greater else score < theirs
    verdict = "beats" if better else "does not beat"
    return CHALLENGER, (
        f"test score {score:.4f} {verdict} champion v{current.version} ({theirs:.4f}); "
        f"promote with `shipml promote {name} {version}`"
    )


def _version_by_alias(client: Any, name: str, alias: str) -> Any | None:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


def resolve_version(ref: ModelRef) -> str:
    from mlflow.exceptions import MlflowException

    client = _client()
    if ref.version is not None:
        try:
            client.get_model_version(ref.name, ref.version)
        except MlflowException:
            raise ModelNotFoundError(f"no version {ref.version} of model {ref.name!r}") from None
        return ref.version
    found = _version_by_alias(client, ref.name, ref.alias or CHAMPION)
    if found is None:
        raise ModelNotFoundError(
            f"model {ref.name!r} has no version with alias @{ref.alias}",
            fix="train it first (`shipml train SPEC`), or name a version: NAME/1",
        )
    return str(found.version)


def load_registered(ref: ModelRef) -> tuple[LoadedBundle, str]:
    """Download (once, cached under the home folder) and load a registered version's bundle."""
    version = resolve_version(ref)
    cache = shipml_home() / "cache" / ref.name / version
    if not (cache / "manifest.json").is_file():
        import mlflow

        tmp = cache.with_name(f"{version}.partial")
        shutil.rmtree(tmp, ignore_errors=True)
        local = Path(
            mlflow.artifacts.download_artifacts(f"models:/{ref.name}/{version}", dst_path=str(tmp))
        )
        bundle = next(local.rglob("manifest.json")).parent
        shutil.rmtree(cache, ignore_errors=True)
        shutil.move(str(bundle), str(cache))
        shutil.rmtree(tmp, ignore_errors=True)
    return load_bundle(cache), version


def promote(name: str, version: str, alias: str = CHAMPION) -> str | None:
    """Point `alias` at `version`; returns the version it pointed at before (if any)."""
    from mlflow.exceptions import MlflowException

    client = _client()
    try:
        client.get_model_version(name, version)
    except MlflowException:
        raise ModelNotFoundError(f"no version {version} of model {name!r}") from None
    previous = _version_by_alias(client, name, alias)
    client.set_registered_model_alias(name, alias, version)
    if alias == CHAMPION:
        challenger = _version_by_alias(client, name, CHALLENGER)
        if challenger is not None and str(challenger.version) == version:
            client.delete_registered_model_alias(name, CHALLENGER)
    return None if previous is None else str(previous.version)
