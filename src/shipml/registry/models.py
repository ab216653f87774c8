"""Registry: models in MLflow's registry. Versions are pyfunc models whose artifact is a shipml
bundle; `@champion` and `@challenger` aliases; references read NAME[@alias|/version].

Every alias move is appended to the audit history (`history.py`); promotion to @champion is
guarded by the version's constraint violations and its stored test score against the champion's;
`rollback` returns an alias to the version it held before, as the history tells.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipml.core.errors import ModelNotFoundError, ShipmlError
from shipml.registry.bundle import EVAL_DIR, LoadedBundle, load_bundle, read_manifest
from shipml.registry.history import AliasMove, previous_champion, read_history, record_move
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


class PromotionRefusedError(ShipmlError):
    """A guarded promotion found a reason not to move the alias; `--force` overrides it."""


@dataclass(frozen=True, slots=True)
class Registered:
    name: str
    version: str
    alias: str
    alias_reason: str

    def to_dict(self) -> dict[str, str]:
        why = self.alias_reason
        return {"name": self.name, "version": self.version, "alias": self.alias, "why": why}


def mlflow_client() -> Any:
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
    client = mlflow_client()
    if not client.search_registered_models(filter_string=f"name = '{name}'"):
        client.create_registered_model(name, description="Registered by shipml train.")
    version = str(client.create_model_version(name, info.model_uri, run_id=run_id).version)
    tags = {"test_score": repr(test_score), "greater_is_better": str(greater_is_better)}
    for key, value in (tags | _bundle_tags(bundle)).items():
        client.set_model_version_tag(name, version, f"shipml.{key}", value)
    alias, reason = _choose_alias(client, name, version, test_score, greater_is_better)
    previous = _version_by_alias(client, name, alias)
    client.set_registered_model_alias(name, alias, version)
    was = None if previous is None else str(previous.version)
    record_move(client, name, alias, was, version, action="register", reason=reason)
    return Registered(name, version, alias, reason)


def _bundle_tags(bundle: Path) -> dict[str, str]:
    """The champion family, its metric and its constraint violations, read from the bundle."""
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    family = str(manifest.get("family", ""))
    return {
        "family": family,
        "primary_metric": str(manifest.get("primary_metric", "")),
        "violations": json.dumps(_leaderboard_violations(bundle, family))[:4000],
    }


def _leaderboard_violations(bundle: Path, family: str) -> list[str]:
    path = bundle / EVAL_DIR / "leaderboard.json"
    if not path.is_file():
        return []
    rows = json.loads(path.read_text(encoding="utf-8"))
    row: dict[str, Any] = next((r for r in rows if r.get("family") == family), {})
    return [str(v) for v in row.get("violations", [])]


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

    client = mlflow_client()
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
    """Download (once, cached under the home folder) and load a registered version's bundle;
    every file's SHA-256 is checked against the manifest before the model is read."""
    version = resolve_version(ref)
    return load_bundle(bundle_folder(ref.name, version)), version


def bundle_folder(name: str, version: str) -> Path:
    """The local copy of a registered version's bundle, downloaded on first use."""
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
        bundle = next(local.rglob("manifest.json")).parent
        shutil.rmtree(cache, ignore_errors=True)
        shutil.move(str(bundle), str(cache))
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
) -> str | None:
    """Point `alias` at `version`; returns the version it pointed at before (if any).

    Guarded: a version that breaks its spec's constraints, or (for @champion) does not beat the
    current champion's stored test score, is refused unless `force`. Every move is recorded."""
    client = mlflow_client()
    get_version(client, name, version)
    problems = promotion_problems(client, name, version, alias)
    if problems and not force:
        raise PromotionRefusedError(
            f"version {version} of {name!r} is not promoted to @{alias}: " + "; ".join(problems),
            where="VERSION",
            fix="pass --force (and a --reason) to promote it anyway",
        )
    previous = _version_by_alias(client, name, alias)
    was = None if previous is None else str(previous.version)
    client.set_registered_model_alias(name, alias, version)
    why = "; ".join([reason] * bool(reason) + [f"forced past: {p}" for p in problems])
    record_move(client, name, alias, was, version, action=action, reason=why)
    if alias == CHAMPION:
        challenger = _version_by_alias(client, name, CHALLENGER)
        if challenger is not None and str(challenger.version) == version:
            client.delete_registered_model_alias(name, CHALLENGER)
            note = f"version {version} became the champion"
            record_move(client, name, CHALLENGER, version, None, action="clear", reason=note)
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


def promotion_problems(client: Any, name: str, version: str, alias: str) -> list[str]:
    """Why `version` should not take `alias` (empty when nothing stands in the way)."""
    tags = get_version(client, name, version).tags
    problems = []
    violations = version_violations(name, version, tags)
    if violations:
        problems.append(f"it breaks the spec's constraints ({'; '.join(violations)})")
    current = _version_by_alias(client, name, CHAMPION) if alias == CHAMPION else None
    if current is None or str(current.version) == version:
        return problems
    mine, theirs = _score(tags), _score(current.tags)
    metric = tags.get("shipml.primary_metric", "")
    if metric != current.tags.get("shipml.primary_metric", metric):
        problems.append(f"its metric {metric} differs from champion v{current.version}'s")
    elif not _beats(mine, theirs, tags.get("shipml.greater_is_better", "True") == "True"):
        problems.append(
            f"its test {metric or 'score'} {mine:.4f} does not beat "
            f"champion v{current.version} ({theirs:.4f})"
        )
    return problems


def version_violations(name: str, version: str, tags: dict[str, str]) -> list[str]:
    if "shipml.violations" in tags:
        return [str(v) for v in json.loads(tags["shipml.violations"] or "[]")]
    folder = bundle_folder(name, version)  # versions registered before the tag existed
    return _leaderboard_violations(folder, str(read_manifest(folder).get("family", "")))


def _score(tags: dict[str, str]) -> float:
    try:
        return float(tags.get("shipml.test_score", "nan"))
    except ValueError:
        return math.nan


def _beats(mine: float, theirs: float, greater: bool) -> bool:
    if math.isnan(theirs):
        return not math.isnan(mine)
    return mine > theirs if greater else mine < theirs


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
