"""Serve: the traffic split from the spec's `deploy` section.

canary {alias, percent}: that share of requests is answered by the alias's version. A request
goes to the canary when the CRC32 of its request id falls in the share, so a retried request
(same X-Request-ID) lands on the same model. shadow {alias}: the champion answers every request;
the shadow version scores the same record on a background thread, and its result is only logged
(served_by `shadow:ALIAS`), never returned.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shipml.registry.manifest import Manifest
from shipml.runtime.compiled import CompiledModel
from shipml.spec.model import ModelSpec

log = logging.getLogger("shipml.serve")


@dataclass(frozen=True, slots=True)
class Route:
    """A model the traffic can reach: its alias, version and compiled form."""

    alias: str
    version: str
    compiled: CompiledModel
    manifest: Manifest | None = field(default=None, compare=False)  # None: not from a bundle
    spec: ModelSpec | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class TrafficPlan:
    canary: Route | None = None
    canary_percent: float = 0.0
    shadow: Route | None = None

    def pick(self, request_id: str) -> Route | None:
        """The canary when this request falls in its share; None for the champion."""
        if self.canary is None:
            return None
        bucket = zlib.crc32(request_id.encode()) % 10_000
        return self.canary if bucket < self.canary_percent * 100 else None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.canary is not None:
            out["canary"] = {
                "alias": self.canary.alias,
                "version": self.canary.version,
                "percent": self.canary_percent,
            }
        if self.shadow is not None:
            out["shadow"] = {"alias": self.shadow.alias, "version": self.shadow.version}
        return out


Job = tuple[Route, dict[str, Any], str, int, float]
Sink = Callable[[Route, dict[str, Any], str, int, Any, float], None]


class ShadowRunner:
    """Scores shadow records off the request path; `sink` logs each result."""

    def __init__(self, sink: Sink, max_pending: int = 100_000) -> None:
        self.sink, self.max_pending = sink, max_pending
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.skipped = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="shipml-shadow", daemon=True)
        self._thread.start()

    def submit(self, route: Route, record: dict[str, Any], request_id: str, row: int) -> None:
        if self._queue.qsize() >= self.max_pending:
            self.skipped += 1
            return
        self._queue.put((route, record, request_id, row, time.time()))

    def close(self, timeout: float = 60.0) -> None:
        """Score what is queued, then stop."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            route, record, request_id, row, _ = job
            start = time.perf_counter()
            try:
                scored = route.compiled.predict_record(record)
            except Exception as exc:  # a shadow model's failure never reaches a caller
                log.warning("shadow v%s could not score %s: %s", route.version, request_id, exc)
                continue
            self.sink(route, record, request_id, row, scored, time.perf_counter() - start)
