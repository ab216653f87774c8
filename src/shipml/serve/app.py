"""Serve: the FastAPI app. Routes, the lifespan (log writer, shadow thread, alias polling), the
size limit and the error answers.

    POST /v1/predict          one record            GET /v1/model    version, spec, schema, policy
    POST /v1/predict/batch    {"records": [...]}    GET /healthz     alive
    POST /v1/predict/group    {"records": [...]}, scored together and ranked (a task kind
                              that takes groups; others answer 422 group_not_supported)
    POST /admin/reload        re-resolve the alias  GET /readyz      model loaded, log writing
    GET /openapi.json, /docs  the API's schema      GET /metrics     Prometheus

With keys, everything but /healthz and /readyz needs one; without keys the app is built only
when `no_auth` says so, and then the schema routes leave the passthrough columns out.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import Response
from starlette.routing import Route

import shipml
from shipml.core.errors import ShipmlError
from shipml.registry.models import ModelRef
from shipml.serve.endpoints import PredictEndpoint
from shipml.serve.handlers import (
    ApiError,
    Services,
    predict_batch,
    predict_group,
    predict_one,
    shadow_sink,
)
from shipml.serve.loading import ServeOptions, Snapshot, load_snapshot
from shipml.serve.metrics import CONTENT_TYPE, ServeMetrics
from shipml.serve.openapi import openapi_document
from shipml.serve.predlog import PredictionLog
from shipml.serve.reload import ModelHolder
from shipml.serve.security import ApiKeys, Gate, request_id
from shipml.serve.traffic import ShadowRunner
from shipml.serve.views import model_view

log = logging.getLogger("shipml.serve")
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class ServeConfig:
    ref: ModelRef
    log_dir: Path
    options: ServeOptions = field(default_factory=ServeOptions)
    api_keys: tuple[str, ...] = ()
    no_auth: bool = False  # serve without keys: only when asked for explicitly
    max_body_bytes: int | None = None  # None: a full batch of the served schema (computed)
    poll_seconds: float = 30.0
    freeze_gc: bool = True  # a server process; off when the app runs inside another program


def create_app(config: ServeConfig, snapshot: Snapshot | None = None) -> FastAPI:
    """Load the model (unless given) and build the app; nothing is served until uvicorn runs."""
    if not config.api_keys and not config.no_auth:
        raise ShipmlError(
            "no API key is configured, and the server does not run open by default",
            where="--api-key-file",
            fix="pass --api-key-file or set SHIPML_API_KEYS; or --no-auth to serve without keys",
        )
    if config.api_keys and config.no_auth:
        raise ShipmlError(
            "--no-auth was asked for while API keys are configured",
            where="--no-auth",
            fix="drop --no-auth, or give no keys",
        )
    snap = snapshot or load_snapshot(config.ref, config.options, None)
    metrics = ServeMetrics()
    predlog = PredictionLog(config.log_dir)
    services = Services(
        holder=ModelHolder(config.ref, config.options, snap),
        metrics=metrics,
        predlog=predlog,
        shadow=ShadowRunner(lambda *a: None),
        keys=ApiKeys(config.api_keys),
    )
    services.shadow.sink = shadow_sink(services)
    metrics.gauge("shipml_log_rows_written", "Rows in the prediction log", lambda: predlog.written)
    metrics.gauge("shipml_log_rows_dropped", "Rows the log lost", lambda: predlog.dropped)
    metrics.gauge("shipml_log_pending", "Rows waiting for the log writer", lambda: predlog.pending)
    metrics.gauge(
        "shipml_log_rows_recovered", "Rows recovered from a crash", lambda: predlog.recovered
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything loaded so far (MLflow, the model) lives as long as the process: moved out
        # of the collector's reach, a full collection scans only what requests allocate.
        if config.freeze_gc:
            gc.collect()
            gc.freeze()
        predlog.start()
        services.shadow.start()
        poller = None
        if config.poll_seconds > 0 and config.ref.alias is not None:
            poller = asyncio.create_task(services.holder.poll(config.poll_seconds))
        yield
        if poller is not None:
            poller.cancel()
        await asyncio.to_thread(services.shadow.close)
        await asyncio.to_thread(predlog.close)

    app = FastAPI(
        title=f"shipml: {config.ref.name}",
        version=shipml.__version__,
        lifespan=lifespan,
        redoc_url=None,
        docs_url=None,
        openapi_url=None,
    )
    app.state.services = services
    fixed = config.max_body_bytes

    def limit() -> int:
        return fixed if fixed is not None else services.holder.current.api.batch_bytes

    app.add_middleware(Gate, max_bytes=limit, on_reject=metrics.error)
    app.add_exception_handler(Exception, _crashed(services))
    _routes(app, services, config)
    _serving(services, snap)
    services.holder.on_change = lambda s: _changed(app, services, s)
    app.openapi = lambda: _openapi(app, services)  # type: ignore[method-assign]
    return app


def _routes(app: FastAPI, s: Services, config: ServeConfig) -> None:
    for path, handler in (
        ("/v1/predict", predict_one),
        ("/v1/predict/batch", predict_batch),
        ("/v1/predict/group", predict_group),
    ):
        endpoint = PredictEndpoint(s, handler, path)
        app.router.routes.insert(0, Route(path, endpoint, methods=["POST"]))

    @app.get("/v1/model", summary="The served model: version, spec, schema, metrics, policy")
    async def model_info(request: Request) -> Response:
        return _guarded(s, request, lambda: model_view(s.holder.current, s.predlog.folder))

    @app.post("/admin/reload", summary="Load the version the alias points at now")
    async def reload(request: Request) -> Response:
        rid = request_id(request.headers.get("x-request-id"))
        try:
            _authorize(s, request)
        except ApiError as exc:
            return _json(*_failed(s, exc, rid), rid)
        return _json((await s.holder.reload()).to_dict(), 200, rid)

    @app.get("/healthz", summary="Liveness")
    async def healthz() -> Response:
        return _json({"status": "ok"}, 200, "")

    @app.get("/readyz", summary="Readiness: a model is loaded and the log is writing")
    async def readyz() -> Response:
        ready = s.predlog.alive
        body = {"ready": ready, "version": s.holder.current.champion.version}
        return _json(body, 200 if ready else 503, "")

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> Response:
        return _guarded(s, request, app.openapi)

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> Response:
        rid = request_id(request.headers.get("x-request-id"))
        try:
            _authorize(s, request)
        except ApiError as exc:
            return _json(*_failed(s, exc, rid), rid)
        return get_swagger_ui_html(openapi_url="/openapi.json", title=app.title)

    @app.get("/metrics", summary="Prometheus metrics")
    async def metrics(request: Request) -> Response:
        rid = request_id(None)
        try:
            _authorize(s, request)
        except ApiError as exc:
            return _json(*_failed(s, exc, rid), rid)
        return Response(s.metrics.render(), 200, media_type=CONTENT_TYPE)


def _guarded(s: Services, request: Request, build: Callable[[], dict[str, Any]]) -> Response:
    rid = request_id(request.headers.get("x-request-id"))
    try:
        _authorize(s, request)
        return _json(build(), 200, rid)
    except ApiError as exc:
        return _json(*_failed(s, exc, rid), rid)


def _authorize(s: Services, request: Request) -> None:
    if s.keys.enabled:
        h = request.headers
        if not s.keys.allows(h.get("authorization"), h.get("x-api-key")):
            raise ApiError(401, "unauthorized", "send a valid key: X-API-Key or Bearer")


def _failed(s: Services, exc: ApiError, rid: str) -> tuple[dict[str, Any], int]:
    s.metrics.error(exc.kind)
    return exc.payload(rid), exc.status


def _json(payload: dict[str, Any], status: int, rid: str) -> Response:
    headers = {"x-request-id": rid} if rid else None
    return Response(orjson.dumps(payload, default=str), status, headers, JSON)


def _crashed(s: Services) -> Callable[[Request, Exception], Response]:
    def answer(request: Request, exc: Exception) -> Response:
        rid = request_id(None)
        log.error("request %s failed", rid, exc_info=exc)  # the traceback stays in the log
        s.metrics.error("internal")
        error = ApiError(500, "internal", "the server failed; the request id is in its log")
        return _json(error.payload(rid), 500, rid)

    return answer


def _serving(s: Services, snap: Snapshot) -> None:
    c = snap.champion
    s.metrics.serving(snap.ref.name, c.version, c.compiled.model.family, c.compiled.engine.name)


def _changed(app: FastAPI, s: Services, snap: Snapshot) -> None:
    s.metrics.reloads.inc()
    _serving(s, snap)
    app.openapi_schema = None


def _openapi(app: FastAPI, s: Services) -> dict[str, Any]:
    snap = s.holder.current
    if app.openapi_schema is None or app.openapi_schema.get("x-schema-key") != snap.api.key:
        doc = openapi_document(app, snap, s.keys.enabled)
        doc["x-schema-key"] = snap.api.key
        app.openapi_schema = doc
    return app.openapi_schema
