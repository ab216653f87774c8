"""The prediction log: a background writer, complete files only, nothing lost on close."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shipml.core.enums import ColumnFlag, ColumnType
from shipml.runtime import InputColumn, InputSchema
from shipml.serve import wal
from shipml.serve.predlog import Entry, LogLayout, PredictionLog

SCHEMA = InputSchema(
    (
        InputColumn("amount", ColumnType.NUMERIC, "feature"),
        InputColumn("shop", ColumnType.CATEGORICAL, "feature"),
        InputColumn(
            "email",
            ColumnType.TEXT,
            "passthrough",
            "pii suspect: e-mail",
            frozenset({ColumnFlag.PII}),
        ),
        InputColumn("phone", ColumnType.TEXT, "passthrough"),
    )
)
# The Parquet schema the log has always written (readers depend on it): spelled out, not built.
PARQUET_SCHEMA = pa.schema(
    [
        ("request_id", pa.string()), ("row", pa.int32()), ("time", pa.timestamp("ms", tz="UTC")),
        ("endpoint", pa.string()), ("served_by", pa.string()), ("model_version", pa.string()),
        ("latency_ms", pa.float64()), ("decision", pa.string()), ("score", pa.float64()),
        ("probabilities", pa.list_(pa.float64())), ("lower", pa.float64()),
        ("upper", pa.float64()), ("unseen", pa.string()), ("input.amount", pa.float64()),
        ("input.shop", pa.string()), ("input.email", pa.string()), ("input.phone", pa.string()),
    ],
    metadata={"shipml.classes": '["no", "yes"]'},
)  # fmt: skip


def entry(i: int, layout: LogLayout, inputs: dict | None = None) -> Entry:
    record = inputs or {"amount": float(i), "shop": i % 3, "email": "a@b.c", "phone": "555"}
    return Entry(
        f"r{i}", 0, time.time(), "/v1/predict", "champion", "1", 0.2, "yes", 0.7,
        (0.3, 0.7), None, None, ("shop",) if i == 0 else (), record, layout, ("no", "yes"),
    )  # fmt: skip


def stream_rows(folder: Path) -> int:
    """Rows readable now from the open write-ahead files, without closing anything."""
    return sum(sum(b.num_rows for b in wal.read_batches(p)[1]) for p in folder.glob("*.arrows"))


def wait_for(check: object, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_rows_are_written_masked_and_complete_after_close(tmp_path: Path) -> None:
    layout = LogLayout.of(SCHEMA, {"phone"})
    log = PredictionLog(tmp_path, flush_seconds=0.05)
    log.start()
    for i in range(250):
        log.append(entry(i, layout))
    wait_for(lambda: stream_rows(tmp_path) == 250)  # durable before any roll
    assert not list(tmp_path.glob("*.parquet"))  # not yet visible to readers
    (stream,) = tmp_path.glob("predictions-*.arrows")
    schema, batches, _ = wal.read_batches(stream)
    assert schema is not None
    assert schema.equals(PARQUET_SCHEMA)
    assert schema.metadata == PARQUET_SCHEMA.metadata
    assert set(pa.Table.from_batches(batches)["input.phone"].to_pylist()) == {"***"}
    log.append(entry(250, layout, {"amount": "not a number", "shop": None}))
    log.close()
    files = sorted(tmp_path.glob("*.parquet"))
    assert len(files) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [files[0].name]  # stream deleted
    assert files[0].name == stream.name.replace(".arrows", ".parquet")
    table = pq.read_table(files[0])
    assert table.schema.equals(PARQUET_SCHEMA)  # (Parquet names a list's values "element")
    assert table.schema.metadata == PARQUET_SCHEMA.metadata
    df = table.to_pandas()
    assert len(df) == log.written == 251
    assert list(df["request_id"]) == [f"r{i}" for i in range(251)]
    assert df["input.amount"].iloc[5] == 5.0
    assert df["input.shop"].iloc[5] == "2"
    assert (df["input.email"].iloc[:250] == "***").all()  # flagged as PII by the profile
    assert (df["input.phone"].iloc[:250] == "***").all()  # listed in deploy.pii_mask
    assert df["unseen"].iloc[0] == "shop"
    assert list(df["probabilities"].iloc[0]) == [0.3, 0.7]
    assert table.schema.metadata[b"shipml.classes"] == b'["no", "yes"]'
    assert df["input.amount"].isna().iloc[250]
    assert str(df["time"].dtype) == "datetime64[ms, UTC]"
    assert log.recovered == 0


def test_every_drain_is_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    log = PredictionLog(tmp_path, flush_seconds=0.05)
    log.start()
    layout = LogLayout.of(SCHEMA, set())
    for round_ in range(3):
        before = len(synced)
        log.append(entry(round_, layout))
        wait_for(lambda r=round_: stream_rows(tmp_path) == r + 1)
        wait_for(lambda b=before: len(synced) > b)  # the batch, then its fsync
    log.close()


def test_a_thousand_waiting_rows_wake_the_writer(tmp_path: Path) -> None:
    log = PredictionLog(tmp_path, flush_seconds=30.0)  # the timer alone would not drain
    log.start()
    layout = LogLayout.of(SCHEMA, set())
    time.sleep(0.05)  # the writer waits on its timer
    for i in range(999):
        log.append(entry(i, layout))
    time.sleep(0.3)
    assert stream_rows(tmp_path) == 0  # under the threshold: it waits
    for i in range(999, 1500):
        log.append(entry(i, layout))
    wait_for(lambda: stream_rows(tmp_path) == 1500, seconds=2.0)
    log.close()
    assert sum(pq.read_metadata(f).num_rows for f in tmp_path.glob("*.parquet")) == 1500


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
    assert {len(pq.read_schema(f)) for f in files} == {17, 15}
    assert not list(tmp_path.glob("*.arrows"))


def test_new_classes_roll_the_file(tmp_path: Path) -> None:
    layout = LogLayout.of(SCHEMA, set())
    log = PredictionLog(tmp_path, flush_seconds=0.05)
    log.start()
    log.append(entry(1, layout))
    log.append(entry(2, layout)._replace(classes=("no", "yes", "maybe")))
    log.close()
    classes = sorted(
        pq.read_schema(f).metadata[b"shipml.classes"] for f in tmp_path.glob("*.parquet")
    )
    assert classes == [b'["no", "yes", "maybe"]', b'["no", "yes"]']


def test_size_rolls_the_file(tmp_path: Path) -> None:
    layout = LogLayout.of(SCHEMA, set())
    log = PredictionLog(tmp_path, flush_seconds=0.05, roll_bytes=1)  # every drain is too big
    log.start()
    for i in range(3):
        log.append(entry(i, layout))
        wait_for(lambda n=i: len(list(tmp_path.glob("*.parquet"))) == n + 1)
    log.close()
    files = sorted(tmp_path.glob("*.parquet"))
    assert [pq.read_table(f)["request_id"].to_pylist() for f in files] == [["r0"], ["r1"], ["r2"]]
    assert log.files == 3
    assert log.written == 3


def test_a_full_queue_drops_and_counts(tmp_path: Path) -> None:
    layout = LogLayout.of(SCHEMA, set())
    log = PredictionLog(tmp_path, max_pending=3)
    for i in range(5):
        log.append(entry(i, layout))
    assert log.dropped == 2
    log.start()
    log.close()
    assert log.written == 3


def test_close_without_start_still_writes_parquet(tmp_path: Path) -> None:
    log = PredictionLog(tmp_path)
    log.append(entry(1, LogLayout.of(SCHEMA, set())))
    log.close()
    (file,) = tmp_path.glob("*.parquet")
    assert pq.read_metadata(file).num_rows == 1
    assert not list(tmp_path.glob("*.arrows"))
