"""Serve: the durable prediction log, written ahead to Arrow IPC and published as Parquet.

A request appends one tuple to an in-memory queue (well under a microsecond) and answers. The
writer thread drains the queue every `flush_seconds` (0.1 s), and at once when `wake_rows`
(1,000) rows wait, into one record batch of the open write-ahead file,
`predictions-<time>-<pid>-<n>.arrows` (an Arrow IPC stream, see `logfile.py`), then flushes
and fsyncs it: a row is on disk about 0.1 s (at most ~0.2 s, or ~1,000 rows) after its answer.
When the file rolls (by size or age, or when the input layout or the classes change) or the
log closes, the stream is ended and a second thread converts it into
`predictions-<time>-<pid>-<n>.parquet` (written as `.parquet.open`, fsynced, renamed) and
deletes it: readers (monitoring) glob `*.parquet` and only ever see complete files, whose
schema and metadata are those of `logfile.py`. `close()` drains the queue and converts the
last file, so a graceful shutdown (SIGTERM) loses nothing.

What a crash loses: a killed process (SIGKILL, OOM) loses only the rows still in memory, the
answers of the last ~0.1-0.2 s (or ~1,000 rows) not yet written; a machine crash (power,
kernel) also loses what the disk had not made durable, which is the same: every batch is
fsynced before the next drain. Recovery: `start()` looks for `.arrows` files that no live
process holds (a crashed server, of any pid, this one's name included), and the conversion
thread turns every complete record batch of each into its `.parquet` (a batch cut off by the
crash is dropped) before deleting it, while the writer already logs new requests; the rows
are counted in `recovered` and logged. A `.parquet.open` left by an older version (Parquet
written in place, unreadable without its footer) is renamed to `.parquet.corrupt`, with a
warning. See `wal.py`.

The input columns follow `LogLayout` (`runtime/logformat.py`, the format monitoring reads):
numbers as float64, others as text, and the columns the spec lists in `deploy.pii_mask` (or
that the profile flagged as PII) stored as "***".
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

from shipml.runtime.logformat import LogLayout
from shipml.serve import wal
from shipml.serve.logfile import LogFile

log = logging.getLogger("shipml.serve")


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
        flush_seconds: float = 0.1,
        wake_rows: int = 1_000,
        max_pending: int = 1_000_000,
    ) -> None:
        self.folder = folder
        self.roll_bytes, self.roll_seconds = roll_bytes, roll_seconds
        self.flush_seconds, self.wake_rows, self.max_pending = flush_seconds, wake_rows, max_pending
        self._queue: queue.SimpleQueue[Entry] = queue.SimpleQueue()
        self._wake = threading.Event()  # set by `append` when `wake_rows` rows wait
        self._file: LogFile | None = None
        self._thread: threading.Thread | None = None
        self._converter: threading.Thread | None = None
        self._jobs: queue.SimpleQueue[tuple[Path, int, bool] | None] = queue.SimpleQueue()
        self._stop = threading.Event()
        self.written = self.dropped = self.files = self.recovered = 0

    def start(self) -> None:
        """Claim what a crash left (fast: a glob and a lock each), start converting it in the
        background, and start writing."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        try:
            claimed, _ = wal.leftovers(self.folder)
        except Exception:  # never keep the server from starting
            log.exception("prediction log: could not look for files left by a crash")
            claimed = []
        for stream, lock in claimed:
            self._jobs.put((stream, lock, True))
        self._converter = threading.Thread(
            target=self._convert_all, name="shipml-predlog-parquet", daemon=True
        )
        self._converter.start()
        self._thread = threading.Thread(target=self._run, name="shipml-predlog", daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def append(self, entry: Entry) -> None:
        waiting = self._queue.qsize()
        if waiting >= self.max_pending:
            self.dropped += 1
            return
        self._queue.put(entry)
        if waiting == self.wake_rows:  # crossing it, once per drain (the writer checks the rest)
            self._wake.set()

    def close(self, timeout: float = 60.0) -> None:
        """Write everything queued, convert the open file to Parquet, stop both threads."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("the prediction log did not finish writing in %.0f s", timeout)
                return
        self._drain_once()  # entries appended after the thread left
        self._roll()
        self._jobs.put(None)
        if self._converter is not None and self._converter.is_alive():
            self._converter.join(timeout)
            if self._converter.is_alive():
                log.error(
                    "the prediction log did not finish its Parquet files in %.0f s; the rest "
                    "is converted on the next start",
                    timeout,
                )
        else:
            self._convert_all()  # never started: convert here

    def _run(self) -> None:
        # One batch per drain, not per arrival: a batch has a fixed cost (~0.2 ms plus an
        # fsync), so batching keeps the writer near 5 us a row under load.
        while not self._stop.is_set():
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            self._drain_once()
            if self._due():
                self._roll()
        self._drain_once()

    def _due(self) -> bool:
        try:
            return self._file is not None and self._file.due(self.roll_bytes, self.roll_seconds)
        except Exception:
            log.exception("the prediction log could not check its open file")
            return True

    def _drain_once(self) -> None:
        items: list[Entry] = []
        try:
            while len(items) < 100_000:
                items.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        if not items:
            return
        self._write(items)
        if self._file is not None:
            try:
                self._file.sync()
            except Exception:  # the rows are written; only their durability is late
                log.exception("the prediction log could not fsync %s", self._file.path.name)
        if self._queue.qsize() >= self.wake_rows:
            self._wake.set()  # a backlog: drain again without waiting

    def _write(self, items: list[Entry]) -> None:
        start = 0
        for i in range(1, len(items) + 1):
            if i == len(items) or _key(items[i]) != _key(items[start]):
                try:
                    self._write_group(items[start:i])
                except Exception:  # the log must not take the server down; count and go on
                    log.exception("the prediction log could not write %d rows", i - start)
                    self.dropped += i - start
                    self._roll()  # a stream that failed mid-batch takes no more batches
                start = i

    def _write_group(self, items: list[Entry]) -> None:
        key = _key(items[0])
        if self._file is not None and self._file.key != key:
            self._roll()
        if self._file is None:
            self._file = self._open(*key)
        self._file.write(items)
        self.written += len(items)

    def _open(self, layout: LogLayout, classes: tuple[Any, ...]) -> LogFile:
        while True:
            self.files += 1
            name = f"predictions-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{self.files:04d}"
            path = self.folder / f"{name}{wal.STREAM}"
            if wal.parquet_of(path).exists():
                continue  # an earlier process with this pid, in the same second
            try:
                return LogFile(path, layout, classes)
            except FileExistsError:
                continue

    def _roll(self) -> None:
        if self._file is None:
            return
        file, self._file = self._file, None
        try:
            lock = file.finish()
        except Exception:  # the batches written are on disk: converted at the next start
            log.exception("the prediction log could not close %s", file.path.name)
            wal.release(file.lock)
            return
        self._jobs.put((file.path, lock, False))

    def _convert_all(self) -> None:
        while (job := self._jobs.get()) is not None:
            self._convert(*job)

    def _convert(self, stream: Path, lock: int, leftover: bool) -> None:
        try:
            started = time.perf_counter()
            rows, clean = wal.to_parquet(stream)
            stream.unlink()
            wal.sync_dir(stream.parent)
        except Exception:
            log.exception(
                "the prediction log could not convert %s to Parquet; it is kept and converted "
                "on the next start",
                stream.name,
            )
            return
        finally:
            wal.release(lock)
        if leftover:
            self.recovered += rows
            log.warning(
                "prediction log: recovered %d rows from %s, left by a crash (%.2f s)%s",
                rows,
                stream.name,
                time.perf_counter() - started,
                "" if clean else "; its last batch was cut off and is dropped",
            )
        elif not clean:
            log.error("prediction log: %s ended early; %d rows kept", stream.name, rows)


def _key(e: Entry) -> tuple[LogLayout, tuple[Any, ...]]:
    return e.layout, e.classes
