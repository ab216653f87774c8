"""Serve: what the server holds, a frozen snapshot built from the registry at startup and reload.

A snapshot is the champion (the reference's version, compiled once), the traffic split its spec
asks for, the API models generated from its schema and the log layout. Loading reads MLflow
(resolve the alias, download and verify the bundle); requests never do: they read the snapshot.
Versions already loaded are reused, so a reload that changes nothing costs one registry lookup.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from shipml.core.errors import ShipmlError
from shipml.registry.models import ModelRef, load_registered, resolve_version
from shipml.runtime.compiled import CompiledModel
from shipml.runtime.engines import EngineKind
from shipml.runtime.inference import InferenceModel
from shipml.runtime.logformat import LogLayout
from shipml.serve.schemas import ApiModels, api_key, build_models
from shipml.serve.traffic import Route, TrafficPlan
from shipml.spec.load import parse_yaml, validate_raw
from shipml.spec.model import ModelSpec, TrafficSplit
from shipml.spec.yaml_reader import read_spec_file

log = logging.getLogger("shipml.serve")


@dataclass(frozen=True, slots=True)
class ServeOptions:
    engine: EngineKind = "auto"
    strict: bool | None = None  # None: as the spec's deploy.strict says


@dataclass(frozen=True, slots=True)
class Snapshot:
    ref: ModelRef
    champion: Route
    traffic: TrafficPlan
    api: ApiModels
    layout: LogLayout
    strict: bool
    explain_top: int
    loaded_at: str
    notes: tuple[str, ...] = field(default=())

    @property
    def model(self) -> InferenceModel:
        return self.champion.compiled.model

    @property
    def spec(self) -> ModelSpec | None:
        return self.champion.spec

    def routes(self) -> dict[str, Route]:
        """Every loaded version by number, for reuse by the next reload."""
        found = [self.champion, self.traffic.canary, self.traffic.shadow]
        return {r.version: r for r in found if r is not None}


def load_snapshot(ref: ModelRef, options: ServeOptions, previous: Snapshot | None) -> Snapshot:
    loaded = previous.routes() if previous is not None else {}
    version = resolve_version(ref)
    champion = _route(ref.name, ref.alias or "pinned", version, options, loaded)
    spec = champion.spec
    notes: list[str] = []
    deploy = spec.deploy if spec is not None else None
    canary = shadow = None
    percent = 0.0
    if deploy is not None and deploy.canary is not None and deploy.canary.percent > 0:
        canary = _split(ref.name, deploy.canary, champion, options, loaded, notes, "canary")
        percent = deploy.canary.percent if canary is not None else 0.0
    if deploy is not None and deploy.shadow is not None:
        shadow = _split(ref.name, deploy.shadow, champion, options, loaded, notes, "shadow")
    model = champion.compiled.model
    same_api = previous is not None and previous.api.key == api_key(model)
    api = previous.api if previous is not None and same_api else build_models(model)
    strict = options.strict if options.strict is not None else bool(deploy and deploy.strict)
    masked = set(deploy.pii_mask) if deploy is not None else set()
    return Snapshot(
        ref=ref,
        champion=champion,
        traffic=TrafficPlan(canary, percent, shadow),
        api=api,
        layout=LogLayout.of(model.schema, masked),
        strict=strict,
        explain_top=spec.explain.top_features if spec is not None else 10,
        loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        notes=tuple(notes),
    )


def _route(
    name: str, alias: str, version: str, options: ServeOptions, loaded: dict[str, Route]
) -> Route:
    if version in loaded:
        return replace(loaded[version], alias=alias)
    bundle, _ = load_registered(ModelRef(name, version=version))
    compiled = CompiledModel(bundle.model, options.engine)
    return Route(alias, version, compiled, bundle.manifest, _bundle_spec(bundle.folder))


def _split(
    name: str,
    split: TrafficSplit,
    champion: Route,
    options: ServeOptions,
    loaded: dict[str, Route],
    notes: list[str],
    kind: str,
) -> Route | None:
    try:
        version = resolve_version(ModelRef(name, alias=split.alias))
    except ShipmlError:
        notes.append(f"{kind} off: {name} has no @{split.alias}")
        return None
    if version == champion.version:
        notes.append(f"{kind} off: @{split.alias} is the champion's version {version}")
        return None
    route = _route(name, split.alias, version, options, loaded)
    known = {c.name for c in champion.compiled.model.schema.columns}
    needs = set(route.compiled.model.preprocessor.input_columns)
    if not needs <= known:
        notes.append(f"{kind} off: v{version} needs columns the API lacks: {sorted(needs - known)}")
        return None
    return route


def _bundle_spec(folder: Path) -> ModelSpec | None:
    path = folder / "evaluation" / "spec.yaml"
    if not path.is_file():
        return None
    try:
        return validate_raw(parse_yaml(read_spec_file(path), str(path)))
    except ShipmlError as exc:
        log.warning(
            "the bundle's spec is not readable (%s); serving without its deploy section", exc
        )
        return None
