"""Serve: the prediction log's open file, an Arrow IPC stream with one record batch a drain.

The columns are those of `runtime/logformat.py`. Columns are built by transposing the batch once
and handing whole tuples to Arrow (about 3 us a row), not value by value. Masked columns are
"***" before anything touches the disk, so the write-ahead file holds no masked value either.

The open file is `predictions-<time>-<pid>-<n>.arrows`: an Arrow IPC stream (the schema, then
one record batch per drain of the queue), locked (`flock`) by the writing process while it is
written and until it is converted. `sync()` flushes and fsyncs it, so every batch written is
on disk before the next drain. `finish()` ends the stream; `wal.to_parquet` then turns it into
the `.parquet` file that readers see (same schema and metadata as the stream).
"""

from __future__ import annotations

import operator
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shipml.runtime.logformat import MASK, log_schema
from shipml.serve import wal

if TYPE_CHECKING:
    import pyarrow as pa

    from shipml.runtime.logformat import LogLayout
    from shipml.serve.predlog import Entry


def log_batch(schema: pa.Schema, layout: LogLayout, items: list[Entry]) -> pa.RecordBatch:
    """One record batch of `schema` from the entries (all of `layout`), masked columns "***"."""
    import pyarrow as pa

    f = list(zip(*items, strict=True))  # Entry fields, by position
    stamps = (np.asarray(f[2], dtype=np.float64) * 1000).astype(np.int64)
    arrays = [
        _text(f[0]), pa.array(f[1], pa.int32()),
        pa.array(stamps, pa.timestamp("ms", tz="UTC")), _text(f[3]), _text(f[4]), _text(f[5]),
        _floats(f[6]), _text(f[7]), _floats(f[8]), pa.array(f[9], pa.list_(pa.float64())),
        _floats(f[10]), _floats(f[11]), _text([",".join(u) if u else None for u in f[12]]),
    ]  # fmt: skip
    inputs = _inputs(layout, f[13])
    for (_, kind, masked), values in zip(layout.columns, inputs, strict=True):
        if masked:
            arrays.append(_text([None if v is None else MASK for v in values]))
        else:
            arrays.append(_text(values) if kind == "string" else _floats(values))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


class LogFile:
    """The open write-ahead file: `path` (.arrows), created new and locked for this process."""

    def __init__(self, path: Path, layout: LogLayout, classes: tuple[Any, ...]) -> None:
        import pyarrow as pa

        self.path, self.layout, self.key = path, layout, (layout, classes)
        self.opened = time.monotonic()
        self.schema = log_schema(layout, classes)
        self.lock = wal.create_locked(path)  # FileExistsError: the caller picks another name
        try:
            self.sink = pa.OSFile(str(path), "wb")
            self.writer = pa.ipc.new_stream(self.sink, self.schema)
            self.sync()
        except BaseException:
            wal.release(self.lock)
            raise
        wal.sync_dir(path.parent)  # the new name survives a machine crash too
        self.rows = 0

    @property
    def parquet(self) -> Path:
        return wal.parquet_of(self.path)

    def due(self, max_bytes: int, max_seconds: float) -> bool:
        too_old = time.monotonic() - self.opened > max_seconds
        return too_old or self.sink.tell() > max_bytes

    def write(self, items: list[Entry]) -> None:
        self.writer.write_batch(log_batch(self.schema, self.layout, items))
        self.rows += len(items)

    def sync(self) -> None:
        """Everything written so far is on disk (flush, then fsync)."""
        self.sink.flush()
        os.fsync(self.sink.fileno())

    def finish(self) -> int:
        """End the stream, fsync and close it; returns the lock, which the converter releases."""
        try:
            self.writer.close()
            self.sync()
        finally:
            self.sink.close()
        return self.lock


def _inputs(layout: LogLayout, records: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Input values by column: one pass of `itemgetter` and a transpose, both in C."""
    names = [c for c, _, _ in layout.columns]
    if not names:
        return []
    try:
        getter = operator.itemgetter(*names)
        rows = [getter(r) for r in records]
        if len(names) == 1:
            rows = [(v,) for v in rows]
    except (KeyError, TypeError):
        rows = [tuple(r.get(c) for c in names) for r in records]
    return list(zip(*rows, strict=True))


def _text(values: Any) -> Any:
    import pyarrow as pa

    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def _floats(values: Any) -> Any:
    import pyarrow as pa

    try:
        return pa.array(values, pa.float64())
    except (pa.ArrowTypeError, pa.ArrowInvalid, TypeError):
        return pa.array([_number(v) for v in values], pa.float64())


def _number(v: Any) -> float | None:
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError, OverflowError):
        return None
