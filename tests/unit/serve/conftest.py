"""Shared fixtures for the serving tests: small fitted models and an app around one, no registry."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest

from shipml.core.enums import ColumnType, Task
from shipml.registry.models import ModelRef
from shipml.runtime import InferenceModel, InputColumn, InputSchema
from shipml.runtime.compiled import CompiledModel
from shipml.runtime.logformat import LogLayout
from shipml.serve import ServeConfig, create_app
from shipml.serve.loading import ServeOptions, Snapshot
from shipml.serve.schemas import build_models
from shipml.serve.traffic import Route, TrafficPlan
from tests.unit.registry.manifests import manifest_of
from tests.unit.runtime.conftest import build_model, make_columns

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's note on httpx2, a name we do not use
    from fastapi.testclient import TestClient

__all__ = ["build_model", "make_columns"]
T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own loop in a worker thread: a test elsewhere in the session may
    leave an event loop running in the main thread (Playwright's sync API does)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def records_of(columns: dict[str, np.ndarray], n: int | None = None) -> list[dict[str, Any]]:
    """Column arrays as JSON-like records, as a client would send them."""
    n = len(next(iter(columns.values()))) if n is None else n
    out = []
    for i in range(n):
        record: dict[str, Any] = {}
        for name, values in columns.items():
            v = values[i]
            if isinstance(v, np.datetime64):
                v = None if np.isnat(v) else str(v)
            elif isinstance(v, np.bool_):
                v = bool(v)
            elif isinstance(v, np.floating):
                v = None if np.isnan(v) else float(v)
            record[name] = v
        out.append(record)
    return out


def with_passthrough(model: InferenceModel) -> InferenceModel:
    """The model with an identifier column in its schema, passed through and never used."""
    extra = InputColumn("customer_id", ColumnType.ID, "passthrough", "identifier-like")
    schema = InputSchema((*model.schema.columns, extra))
    return InferenceModel(
        task=model.task,
        target=model.target,
        family=model.family,
        classes=model.classes,
        schema=schema,
        preprocessor=model.preprocessor,
        estimator=model.estimator,
        policy=model.policy,
    )


def snapshot_of(
    model: InferenceModel,
    *,
    engine: str = "native",
    strict: bool = False,
    traffic: TrafficPlan | None = None,
    masked: frozenset[str] = frozenset(),
) -> Snapshot:
    compiled = CompiledModel(model, engine)  # type: ignore[arg-type]
    return Snapshot(
        ref=ModelRef("unit", alias="champion"),
        champion=Route("champion", "1", compiled, manifest_of(model)),
        traffic=traffic or TrafficPlan(),
        api=build_models(model),
        layout=LogLayout.of(model.schema, set(masked)),
        strict=strict,
        explain_top=3,
        loaded_at="2026-01-01T00:00:00+00:00",
    )


def client_for(
    snapshot: Snapshot,
    log_dir: Path,
    *,
    keys: tuple[str, ...] = (),
    max_body: int | None = 64 << 10,
) -> TestClient:
    """An app around `snapshot`; without keys it runs open (`no_auth`), as asked explicitly."""
    config = ServeConfig(
        ref=snapshot.ref,
        log_dir=log_dir,
        options=ServeOptions(engine="native"),
        api_keys=keys,
        no_auth=not keys,
        max_body_bytes=max_body,
        poll_seconds=0,
        freeze_gc=False,
    )
    return TestClient(create_app(config, snapshot), raise_server_exceptions=False)


@pytest.fixture
def binary_model() -> InferenceModel:
    return with_passthrough(build_model("lightgbm", Task.BINARY))


@pytest.fixture
def served(binary_model: InferenceModel, tmp_path: Path) -> Iterator[TestClient]:
    with client_for(snapshot_of(binary_model), tmp_path / "log") as client:
        yield client


@pytest.fixture
def good_record() -> dict[str, Any]:
    return {
        "age": 41.5,
        "city": "rome",
        "member": True,
        "signup": "2019-05-01",
        "customer_id": "C1",
    }
