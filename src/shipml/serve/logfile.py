"""Serve: one Parquet file of the prediction log, written a row group per batch of requests.

Each row: request_id, row (the record's index in a batch), time (UTC, ms), endpoint, served_by
(the answering alias, or shadow:ALIAS), model_version, latency_ms, decision (as text), score,
probabilities (a list in the order of the file's `shipml.classes` metadata), lower and upper
(regression intervals), unseen (columns with categories never seen in training, comma-joined),
then `input.<column>` for every input column. Columns are built by transposing the batch once
and handing whole tuples to Arrow (about 3 us a row), not value by value.
"""

from __future__ import annotations

import json
import operator
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from shipml.serve.predlog import Entry, LogLayout

MASK = "***"


class LogFile:
    def __init__(self, path: Path, layout: LogLayout, classes: tuple[Any, ...]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.path, self.layout, self.key = path, layout, (layout, classes)
        self.opened = time.monotonic()
        self.partial = path.with_name(path.name + ".open")
        text, number = pa.string(), pa.float64()
        fields = [
            ("request_id", text), ("row", pa.int32()), ("time", pa.timestamp("ms", tz="UTC")),
            ("endpoint", text), ("served_by", text), ("model_version", text),
            ("latency_ms", number), ("decision", text), ("score", number),
            ("probabilities", pa.list_(number)), ("lower", number), ("upper", number),
            ("unseen", text),
        ]  # fmt: skip
        fields += [(f"input.{c}", number if k == "float64" else text) for c, k, _ in layout.columns]
        meta = {"shipml.classes": json.dumps([str(c) for c in classes])}
        self.schema = pa.schema(fields, metadata=meta)
        self.writer = pq.ParquetWriter(self.partial, self.schema, compression="snappy")

    def due(self, max_bytes: int, max_seconds: float) -> bool:
        too_old = time.monotonic() - self.opened > max_seconds
        return too_old or self.partial.stat().st_size > max_bytes

    def write(self, items: list[Entry]) -> None:
        import pyarrow as pa

        f = list(zip(*items, strict=True))  # Entry fields, by position
        stamps = (np.asarray(f[2], dtype=np.float64) * 1000).astype(np.int64)
        arrays = [
            _text(f[0]), pa.array(f[1], pa.int32()),
            pa.array(stamps, pa.timestamp("ms", tz="UTC")), _text(f[3]), _text(f[4]), _text(f[5]),
            _floats(f[6]), _text(f[7]), _floats(f[8]), pa.array(f[9], pa.list_(pa.float64())),
            _floats(f[10]), _floats(f[11]), _text([",".join(u) if u else None for u in f[12]]),
        ]  # fmt: skip
        inputs = _inputs(self.layout, f[13])
        for (_, kind, masked), values in zip(self.layout.columns, inputs, strict=True):
            if masked:
                arrays.append(_text([None if v is None else MASK for v in values]))
            else:
                arrays.append(_text(values) if kind == "string" else _floats(values))
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
        self.partial.rename(self.path)


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
