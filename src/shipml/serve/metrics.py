"""Serve: Prometheus metrics, on a registry of the app's own (`GET /metrics`).

requests by endpoint and status, a latency histogram per endpoint, errors by kind, predictions
by model version, route and decision, categories never seen in training by column, the served
model, and the prediction log's written and dropped rows. Labelled children are cached, so a
request pays a dict lookup per metric rather than prometheus_client's label resolution.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

BUCKETS = (0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class ServeMetrics:
    def __init__(self) -> None:
        disable_created_metrics()  # no *_created series: they double the scrape for nothing
        r = self.registry = CollectorRegistry(auto_describe=True)
        self._requests = Counter(
            "shipml_requests", "HTTP requests by endpoint and status", ["endpoint", "status"],
            registry=r,
        )  # fmt: skip
        self._latency = Histogram(
            "shipml_request_latency_seconds", "Time in the handler, by endpoint", ["endpoint"],
            buckets=BUCKETS, registry=r,
        )  # fmt: skip
        self._errors = Counter("shipml_errors", "Failed requests by kind", ["kind"], registry=r)
        self._predictions = Counter(
            "shipml_predictions", "Predictions by model version, route and decision",
            ["model_version", "served_by", "decision"], registry=r,
        )  # fmt: skip
        self._unseen = Counter(
            "shipml_unseen_categories", "Values of a category never seen in training",
            ["column"], registry=r,
        )  # fmt: skip
        self._model = Gauge(
            "shipml_model_info", "The served model (1 for the current one)",
            ["name", "version", "family", "engine"], registry=r,
        )  # fmt: skip
        self.reloads = Counter("shipml_reloads", "Model reloads that changed it", registry=r)
        self._children: dict[tuple[Any, ...], Any] = {}

    def observe(self, endpoint: str, status: int, seconds: float) -> None:
        key = ("r", endpoint, status)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = (
                self._requests.labels(endpoint, str(status)),
                self._latency.labels(endpoint),
            )
        child[0].inc()
        child[1].observe(seconds)

    def error(self, kind: str) -> None:
        self._child(self._errors, ("e", kind), kind).inc()

    def prediction(self, version: str, served_by: str, decision: str, n: int = 1) -> None:
        key = ("p", version, served_by, decision)
        self._child(self._predictions, key, version, served_by, decision).inc(n)

    def unseen(self, column: str, n: int = 1) -> None:
        self._child(self._unseen, ("u", column), column).inc(n)

    def serving(self, name: str, version: str, family: str, engine: str) -> None:
        self._model.clear()
        self._model.labels(name, version, family, engine).set(1)

    def gauge(self, name: str, doc: str, read: Callable[[], float]) -> None:
        Gauge(name, doc, registry=self.registry).set_function(read)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def _child(self, metric: Any, key: tuple[Any, ...], *labels: str) -> Any:
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child
