"""Serve: the durable prediction log, Parquet files written by a background thread.

A request appends one tuple to an in-memory queue (well under a microsecond) and answers; the
writer thread drains the queue every `flush_seconds` into a row group of the open file. A file
is `predictions-<time>-<pid>-<n>.parquet.open` while written and renamed to `.parquet` when
rolled (by size or age, or when the input schema changes) or closed: readers (monitoring)
glob `*.parquet` and only ever see complete files. `close()` drains the queue and closes the
file, so a graceful shutdown loses nothing; a crash loses at most the open file's rows.

The columns are in `logfile.py`; the input columns follow `LogLayout`: numbers as float64,
others as text, and the columns the spec lists in `deploy.pii_mask` (or that the profile
flagged as PII) stored as "***".
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from shipml.core.enums import ColumnType
from shipml.runtime.schema import InputSchema
from shipml.serve.logfile import LogFile

log = logging.getLogger("shipml.serve")


@dataclass(frozen=True, slots=True)
class LogLayout:
    """Which input columns a row holds, their storage type, and which are masked."""

    columns: tuple[tuple[str, str, bool], ...]  # (column, float64 | string, masked)

    @staticmethod
    def of(schema: InputSchema, masked: set[str]) -> LogLayout:
        cols = []
        for c in schema.columns:
            hide = c.name in masked or c.reason.lower().startswith("pii")
            kind = "float64" if c.type is ColumnType.NUMERIC and not hide else "string"
            cols.append((c.name, kind, hide))
        return LogLayout(tuple(cols))


class Entry(NamedTuple):
    request_id: str
    row: int
    time: float
    endpoint: str
    served_by: str
    model_version: str
    latency_ms: float
    decision: Any
    score: float
    proba: tuple[float, ...] | None
    lower: float | None
    upper: float | None
    unseen: tuple[str, ...]
    inputs: Any  # the record, keyed by column
    layout: LogLayout
    classes: tuple[Any, ...]


class PredictionLog:
    def __init__(
        self,
        folder: Path,
        *,
        roll_bytes: int = 64 << 20,
        roll_seconds: float = 300.0,
        flush_seconds: float = 0.25,
        max_pending: int = 1_000_000,
    ) -> None:
        self.folder = folder
        self.roll_bytes, self.roll_seconds = roll_bytes, roll_seconds
        self.flush_seconds, self.max_pending = flush_seconds, max_pending
        self._queue: queue.SimpleQueue[Entry] = queue.SimpleQueue()
        self._file: LogFile | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.written = self.dropped = self.files = 0

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="shipml-predlog", daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def append(self, entry: Entry) -> None:
        if self._queue.qsize() >= self.max_pending:
            self.dropped += 1
            return
        self._queue.put(entry)

    def close(self, timeout: float = 60.0) -> None:
        """Write everything queued, close the open file, stop the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("the prediction log did not finish writing in %.0f s", timeout)
                return
        self._drain_once()  # entries appended after the thread left
        self._roll()

    def _run(self) -> None:
        # One write per interval, not per arrival: a row group has a fixed cost (~2 ms), so
        # batching keeps the writer near 5 us a row under load.
        while not self._stop.wait(self.flush_seconds):
            self._drain_once()
            if self._file is not None and self._file.due(self.roll_bytes, self.roll_seconds):
                self._roll()
        self._drain_once()

    def _drain_once(self) -> None:
        items: list[Entry] = []
        try:
            while len(items) < 100_000:
                items.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        if items:
            self._write(items)

    def _write(self, items: list[Entry]) -> None:
        start = 0
        for i in range(1, len(items) + 1):
            if i == len(items) or _key(items[i]) != _key(items[start]):
                try:
                    self._write_group(items[start:i])
                except Exception:  # the log must not take the server down; count and go on
                    log.exception("the prediction log could not write %d rows", i - start)
                    self.dropped += i - start
                start = i

    def _write_group(self, items: list[Entry]) -> None:
        key = _key(items[0])
        if self._file is not None and self._file.key != key:
            self._roll()
        if self._file is None:
            self.files += 1
            name = f"predictions-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{self.files:04d}"
            self._file = LogFile(self.folder / f"{name}.parquet", *key)
        self._file.write(items)
        self.written += len(items)

    def _roll(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _key(e: Entry) -> tuple[LogLayout, tuple[Any, ...]]:
    return e.layout, e.classes
