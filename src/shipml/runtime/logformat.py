"""Runtime: the prediction log's record format, shared by the server that writes it and the
monitor that reads it (so monitoring never imports the server).

A log folder holds complete `predictions-*.parquet` files (the server's write-ahead
`.arrows` files become these on roll). Each row: request_id, row (the record's index in a
batch), time (UTC, ms), endpoint, served_by (the answering alias, or shadow:ALIAS),
model_version, latency_ms, decision (as text), score, probabilities (a list in the order of
the file's `shipml.classes` metadata), lower and upper (regression intervals), unseen (columns
with categories never seen in training, comma-joined), then `input.<column>` for every input
column: numbers as float64, others as text, and every masked column (`deploy.pii_mask`, or
flagged PII) as "***".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipml.core.enums import ColumnType
from shipml.runtime.schema import InputSchema

if TYPE_CHECKING:
    import pyarrow as pa

MASK = "***"
INPUT_PREFIX = "input."
CLASSES_KEY = "shipml.classes"
LOG_GLOB = "predictions-*.parquet"
BASE_COLUMNS = (
    "request_id", "row", "time", "endpoint", "served_by", "model_version", "latency_ms",
    "decision", "score", "probabilities", "lower", "upper", "unseen",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class LogLayout:
    """Which input columns a row holds, their storage type, and which are masked."""

    columns: tuple[tuple[str, str, bool], ...]  # (column, float64 | string, masked)

    @staticmethod
    def of(schema: InputSchema, masked: set[str]) -> LogLayout:
        cols = []
        for c in schema.columns:
            hide = c.name in masked or c.pii
            kind = "float64" if c.type is ColumnType.NUMERIC and not hide else "string"
            cols.append((c.name, kind, hide))
        return LogLayout(tuple(cols))


def log_schema(layout: LogLayout, classes: tuple[Any, ...]) -> pa.Schema:
    """The prediction log's columns and metadata for one layout and class order."""
    import pyarrow as pa

    text, number = pa.string(), pa.float64()
    kinds = {
        "request_id": text, "row": pa.int32(), "time": pa.timestamp("ms", tz="UTC"),
        "endpoint": text, "served_by": text, "model_version": text, "latency_ms": number,
        "decision": text, "score": number, "probabilities": pa.list_(number), "lower": number,
        "upper": number, "unseen": text,
    }  # fmt: skip
    fields = [(name, kinds[name]) for name in BASE_COLUMNS]
    fields += [
        (f"{INPUT_PREFIX}{c}", number if k == "float64" else text) for c, k, _ in layout.columns
    ]
    meta = {CLASSES_KEY: json.dumps([str(c) for c in classes])}
    return pa.schema(fields, metadata=meta)
