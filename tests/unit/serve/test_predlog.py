"""The prediction log: a background writer, complete files only, nothing lost on close."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.parquet as pq

from shipml.core.enums import ColumnType
from shipml.runtime import InputColumn, InputSchema
from shipml.serve.predlog import Entry, LogLayout, PredictionLog

SCHEMA = InputSchema(
    (
        InputColumn("amount", ColumnType.NUMERIC, "feature"),
        InputColumn("shop", ColumnType.CATEGORICAL, "feature"),
        InputColumn("email", ColumnType.TEXT, "passthrough", "pii suspect: e-mail"),
        InputColumn("phone", ColumnType.TEXT, "passthrough"),
    )
)


def entry(i: int, layout: LogLayout, inputs: dict | None = None) -> Entry:
    record = inputs or {"amount": float(i), "shop": i % 3, "email": "a@b.c", "phone": "555"}
    return Entry(
        f"r{i}", 0, time.time(), "/v1/predict", "champion", "1", 0.2, "yes", 0.7,
        (0.3, 0.7), None, None, ("shop",) if i == 0 else (), record, layout, ("no", "yes"),
    )  # fmt: skip


def test_rows_are_written_masked_and_complete_after_close(tmp_path: Path) -> None:
    layout = LogLayout.of(SCHEMA, {"phone"})
    log = PredictionLog(tmp_path, flush_seconds=0.05)
    log.start()
    for i in range(250):
        log.append(entry(i, layout))
    time.sleep(0.3)
    assert list(tmp_path.glob("*.parquet.open"))  # written while open, not yet visible
    log.append(entry(250, layout, {"amount": "not a number", "shop": None}))
    log.close()
    files = sorted(tmp_path.glob("*.parquet"))
    assert len(files) == 1
    assert not list(tmp_path.glob("*.open"))
    table = pq.read_table(files[0])
    df = table.to_pandas()
    assert len(df) == log.written == 251
    assert df["input.amount"].iloc[5] == 5.0
    assert df["input.shop"].iloc[5] == "2"
    assert (df["input.email"].iloc[:250] == "***").all()  # flagged as PII by the profile
    assert (df["input.phone"].iloc[:250] == "***").all()  # listed in deploy.pii_mask
    assert df["unseen"].iloc[0] == "shop"
    assert list(df["probabilities"].iloc[0]) == [0.3, 0.7]
    assert table.schema.metadata[b"shipml.classes"] == b'["no", "yes"]'
    assert df["input.amount"].isna().iloc[250]


def test_a_new_layout_or_age_rolls_the_file(tmp_path: Path) -> None:
    a = LogLayout.of(SCHEMA, set())
    b = LogLayout.of(InputSchema(SCHEMA.columns[:2]), set())
    log = PredictionLog(tmp_path, flush_seconds=0.05, roll_seconds=0.0)
    log.start()
    log.append(entry(1, a))
    time.sleep(0.2)
    log.append(entry(2, b))
    log.append(entry(3, b))
    log.close()
    files = sorted(tmp_path.glob("*.parquet"))
    assert sorted(pq.read_metadata(f).num_rows for f in files) == [1, 2]


def test_a_full_queue_drops_and_counts(tmp_path: Path) -> None:
    layout = LogLayout.of(SCHEMA, set())
    log = PredictionLog(tmp_path, max_pending=3)
    for i in range(5):
        log.append(entry(i, layout))
    assert log.dropped == 2
    log.start()
    log.close()
    assert log.written == 3
