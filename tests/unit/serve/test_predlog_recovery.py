"""The prediction log after a crash: complete batches recovered, cut ones dropped, no raise."""

from __future__ import annotations

import logging
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from shipml.serve import wal
from shipml.serve.logfile import LogFile
from shipml.serve.predlog import LogLayout, PredictionLog
from tests.unit.serve.test_predlog import SCHEMA, entry

ROOT = Path(__file__).resolve().parents[3]
LAYOUT = LogLayout.of(SCHEMA, {"phone"})

CRASH = """
import os, sys, time
from pathlib import Path
from shipml.serve import wal
from shipml.serve.predlog import LogLayout, PredictionLog
from tests.unit.serve.test_predlog import SCHEMA, entry

layout = LogLayout.of(SCHEMA, {"phone"})
log = PredictionLog(Path(sys.argv[1]), flush_seconds=0.02)
log.start()
for i in range(int(sys.argv[2])):
    log.append(entry(i, layout))
    if i % 700 == 0:
        time.sleep(0.03)  # several drains, so several batches
deadline = time.monotonic() + 10
while log.pending or log.written < int(sys.argv[2]):
    assert time.monotonic() < deadline
    time.sleep(0.01)
time.sleep(0.1)  # the last fsync
os._exit(9)  # no close, no atexit: as SIGKILL leaves it
"""


def parquet_rows(folder: Path) -> list[str]:
    out: list[str] = []
    for f in sorted(folder.glob("*.parquet")):
        out += pq.read_table(f, columns=["request_id"])["request_id"].to_pylist()
    return out


def crash_child(folder: Path, rows: int) -> None:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CRASH, str(folder), str(rows)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 9, done.stderr


def test_a_crashed_process_is_recovered_on_the_next_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crash_child(tmp_path, 2500)
    (left,) = tmp_path.glob("*.arrows")
    assert not list(tmp_path.glob("*.parquet"))
    assert len(wal.read_batches(left)[1]) > 1
    log = PredictionLog(tmp_path, flush_seconds=0.05)
    with caplog.at_level(logging.WARNING, logger="shipml.serve"):
        log.start()
        log.append(entry(9999, LAYOUT))  # the new process logs while the old file converts
        log.close()
    assert log.recovered == 2500
    assert log.written == 1
    assert sorted(parquet_rows(tmp_path)) == sorted([f"r{i}" for i in range(2500)] + ["r9999"])
    assert (tmp_path / left.name.replace(".arrows", ".parquet")).exists()
    assert not list(tmp_path.glob("*.arrows"))
    assert not list(tmp_path.glob("*.open"))
    assert "recovered 2500 rows" in caplog.text
    masked = pq.read_table(tmp_path / left.name.replace(".arrows", ".parquet"))
    assert set(masked["input.phone"].to_pylist()) == {"***"}


def test_a_copy_of_an_open_stream_is_recovered(tmp_path: Path) -> None:
    live, crashed = tmp_path / "live", tmp_path / "crashed"
    log = PredictionLog(live, flush_seconds=0.02)
    log.start()
    for i in range(300):
        log.append(entry(i, LAYOUT))
    deadline = time.monotonic() + 3
    while sum(len(b) for p in live.glob("*.arrows") for b in wal.read_batches(p)[1]) < 300:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    crashed.mkdir()
    for p in live.glob("*.arrows"):
        shutil.copy(p, crashed / p.name)  # the file as a SIGKILL would leave it
    log.close()
    again = PredictionLog(crashed)
    again.start()
    again.close()
    assert again.recovered == 300
    assert parquet_rows(crashed) == parquet_rows(live) == [f"r{i}" for i in range(300)]
    assert pq.read_schema(next(crashed.glob("*.parquet"))).equals(
        pq.read_schema(next(live.glob("*.parquet"))), check_metadata=True
    )


def written_stream(folder: Path, sizes: list[int]) -> tuple[Path, list[int]]:
    """A stream of batches of `sizes` rows, left open; the byte offset after each batch."""
    path = folder / "predictions-20240101T000000-1-0001.arrows"
    file = LogFile(path, LAYOUT, ("no", "yes"))
    ends, n = [], 0
    for size in sizes:
        file.write([entry(n + i, LAYOUT) for i in range(size)])
        file.sync()
        ends.append(file.sink.tell())
        n += size
    wal.release(file.finish())
    return path, ends


def test_a_stream_cut_anywhere_keeps_its_complete_batches(tmp_path: Path) -> None:
    sizes = [1, 7, 50, 3, 120, 2, 40]
    path, ends = written_stream(tmp_path, sizes)
    data = path.read_bytes()
    assert len(data) > ends[-1]  # the end-of-stream marker that a crash never writes
    rng = random.Random(4)
    cuts = [0, 1, 4, 7, 8, *ends, *(e - 1 for e in ends), len(data)]
    cuts += rng.sample(range(len(data)), 60)
    for cut in cuts:
        folder = tmp_path / f"cut{cut}"
        folder.mkdir()
        stream = folder / path.name
        stream.write_bytes(data[:cut])
        rows, clean = wal.to_parquet(stream)
        want = sum(s for s, end in zip(sizes, ends, strict=True) if end <= cut)
        assert rows == want, cut
        if want:
            got = parquet_rows(folder)
            assert got == [f"r{i}" for i in range(want)], cut
        else:
            assert not list(folder.glob("*.parquet")), cut
        assert not list(folder.glob("*.open")), cut
        assert clean == (cut in ends or cut == len(data)), cut


def test_the_log_recovers_a_cut_stream_and_starts(tmp_path: Path) -> None:
    path, ends = written_stream(tmp_path, [10, 20, 30])
    data = path.read_bytes()
    path.write_bytes(data[: ends[1] + 17])  # the third batch is cut off
    log = PredictionLog(tmp_path, flush_seconds=0.05)
    log.start()
    assert log.alive
    log.close()
    assert log.recovered == 30
    assert parquet_rows(tmp_path) == [f"r{i}" for i in range(30)]
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".parquet"]


def test_an_empty_stream_is_removed(tmp_path: Path) -> None:
    (tmp_path / "predictions-20240101T000000-1-0001.arrows").write_bytes(b"")
    log = PredictionLog(tmp_path)
    log.start()
    log.close()
    assert log.recovered == 0
    assert not list(tmp_path.iterdir())


def test_an_old_open_parquet_becomes_corrupt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = tmp_path / "predictions-20240101T000000-4194000-0001.parquet.open"
    old.write_bytes(b"PAR1" + os.urandom(300))  # row groups, no footer
    alive = tmp_path / f"predictions-20240101T000000-{os.getppid()}-0001.parquet.open"
    alive.write_bytes(b"PAR1")  # the process named is alive: it may still write it
    log = PredictionLog(tmp_path, flush_seconds=0.05)
    with caplog.at_level(logging.WARNING, logger="shipml.serve"):
        log.start()
    log.append(entry(1, LAYOUT))
    log.close()
    assert (tmp_path / (old.name.removesuffix(".open") + ".corrupt")).exists()
    assert not old.exists()
    assert alive.exists()
    assert "cannot be read" in caplog.text
    assert old.name in caplog.text
    assert parquet_rows(tmp_path) == ["r1"]
    assert log.recovered == 0


def test_an_interrupted_conversion_is_done_again(tmp_path: Path) -> None:
    path, _ = written_stream(tmp_path, [5, 6])
    partial = tmp_path / path.name.replace(".arrows", ".parquet.open")
    partial.write_bytes(b"PAR1 half a file")
    log = PredictionLog(tmp_path)
    log.start()
    log.close()
    assert log.recovered == 11
    assert parquet_rows(tmp_path) == [f"r{i}" for i in range(11)]
    assert not list(tmp_path.glob("*.corrupt"))
    assert not partial.exists()


def test_a_finished_conversion_is_not_repeated(tmp_path: Path) -> None:
    path, _ = written_stream(tmp_path, [5])
    wal.to_parquet(path)  # renamed into place; the crash came before the delete
    log = PredictionLog(tmp_path)
    log.start()
    log.close()
    assert log.recovered == 0
    assert parquet_rows(tmp_path) == [f"r{i}" for i in range(5)]
    assert not path.exists()


def test_a_stream_another_live_writer_holds_is_left_alone(tmp_path: Path) -> None:
    first = PredictionLog(tmp_path, flush_seconds=0.02)
    first.start()
    first.append(entry(1, LAYOUT))
    deadline = time.monotonic() + 3
    while not list(tmp_path.glob("*.arrows")):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    second = PredictionLog(tmp_path)
    second.start()  # the lock is held (by another open file description: as another process)
    second.close()
    assert second.recovered == 0
    first.append(entry(2, LAYOUT))
    first.close()
    assert parquet_rows(tmp_path) == ["r1", "r2"]
