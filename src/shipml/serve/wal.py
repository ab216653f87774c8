"""Serve: the prediction log's write-ahead files (Arrow IPC streams) and their Parquet form.

A write-ahead file `<name>.arrows` is locked (`flock`, held by the open file description) by
the process that writes it, from its creation until it has become `<name>.parquet` and been
deleted; a lock that is free means its writer is gone. `to_parquet` reads every complete
record batch of a stream (a batch cut off by a crash ends the reading, it never raises),
writes them to `<name>.parquet.open`, fsyncs it, renames it to `<name>.parquet` (atomic, so a
reader never sees half a file) and fsyncs the folder.

`leftovers(folder)` finds what a crash left, when a server starts:

- `<name>.arrows` whose lock is free: claimed (locked) for conversion; a `<name>.parquet.open`
  beside it is an interrupted conversion and is deleted, a `<name>.parquet` beside it is a
  finished one (only the delete was lost) and the stream is deleted instead of converted;
- `<name>.arrows.new` whose lock is free: a stream a crash interrupted while it was being
  created (empty, never linked to its name); deleted;
- `<name>.parquet.open` with no stream beside it: a Parquet file of the old format, written
  in place and without its footer, so unreadable; renamed to `.parquet.corrupt` (unless the
  process named in it is alive: another server may still be writing it).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pyarrow as pa

log = logging.getLogger("shipml.serve")

STREAM = ".arrows"
GROUP_ROWS = 131_072  # rows per Parquet row group when a stream is converted
_PID = re.compile(r"^predictions-\d{8}T\d{6}-(\d+)-\d+\.parquet\.open$")

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; one server per folder
    fcntl = None  # type: ignore[assignment]


class Leftover(NamedTuple):
    path: Path  # the .arrows stream to convert
    lock: int  # its locked descriptor, released once converted


def parquet_of(stream: Path) -> Path:
    return stream.with_suffix(".parquet")


def create_locked(path: Path) -> int:
    """A new, empty file at `path` (FileExistsError if there is one), locked; its descriptor.

    The file is created and locked under a name no recovery looks at (`<name>.new`), then
    linked to `path`: a server starting meanwhile never sees the stream unlocked, so it never
    takes a live writer's new file for a crash's leftover."""
    if fcntl is None:  # pragma: no cover - Windows
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    fresh = path.with_name(path.name + ".new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.link(fresh, path)  # atomic; FileExistsError when the name is taken
    except BaseException:
        os.close(fd)
        raise
    finally:
        with contextlib.suppress(OSError):
            os.unlink(fresh)
    return fd


def claim(path: Path) -> int | None:
    """The locked descriptor of an existing file; None if another process holds it (or gone)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
    return fd


def release(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)  # closing the descriptor drops its lock


def sync_dir(folder: Path) -> None:
    """fsync a folder, so renames and new names in it survive a machine crash (POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_batches(path: Path) -> tuple[pa.Schema | None, list[pa.RecordBatch], bool]:
    """The schema and every complete batch of a stream, and whether it ended cleanly."""
    import pyarrow as pa

    with pa.OSFile(str(path), "rb") as source:
        reader = _open(source)
        if reader is None:
            return None, [], False
        batches = _Batches(reader)
        return reader.schema, list(batches), batches.clean


def to_parquet(stream: Path) -> tuple[int, bool]:
    """Write the stream's complete batches to `<name>.parquet` (fsynced, renamed into place);
    returns the rows and whether the stream ended cleanly. Nothing is written for no rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    dest = parquet_of(stream)
    partial = dest.with_name(dest.name + ".open")
    rows, writer = 0, None
    with pa.memory_map(str(stream), "r") as source:
        reader = _open(source)
        if reader is None:  # not even a schema: created just before the crash
            return 0, False
        schema, batches = reader.schema, _Batches(reader)
        chunk: list[pa.RecordBatch] = []
        try:
            for batch in itertools.chain(batches, [None]):
                if batch is not None and batch.num_rows:
                    chunk.append(batch)
                if chunk and (batch is None or sum(b.num_rows for b in chunk) >= GROUP_ROWS):
                    if writer is None:
                        writer = pq.ParquetWriter(partial, schema, compression="snappy")
                    table = pa.Table.from_batches(chunk, schema=schema)
                    writer.write_table(table)
                    rows += table.num_rows
                    chunk = []
        finally:
            if writer is not None:
                writer.close()
    if writer is None:
        return 0, batches.clean
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    partial.replace(dest)
    sync_dir(dest.parent)
    return rows, batches.clean


def leftovers(folder: Path) -> tuple[list[Leftover], list[Path]]:
    """Streams a crash left (claimed), and old-format open files renamed to `.corrupt`."""
    claimed: list[Leftover] = []
    for stream in sorted(folder.glob(f"*{STREAM}")):
        fd = claim(stream)
        if fd is None:
            continue  # its writer is alive (another server on this folder)
        if parquet_of(stream).exists():  # converted; the crash came before the delete
            with contextlib.suppress(OSError):
                stream.unlink()
            release(fd)
            continue
        partial = parquet_of(stream).with_name(parquet_of(stream).name + ".open")
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()  # an interrupted conversion; it starts again
        claimed.append(Leftover(stream, fd))
    for fresh in sorted(folder.glob(f"*{STREAM}.new")):  # a crash while creating: empty
        fd = claim(fresh)
        if fd is not None:
            with contextlib.suppress(OSError):
                fresh.unlink()
            release(fd)
    corrupt: list[Path] = []
    for partial in sorted(folder.glob("*.parquet.open")):
        stream = partial.with_name(partial.name.removesuffix(".parquet.open") + STREAM)
        if stream.exists() or _writer_alive(partial.name):
            continue
        target = partial.with_name(partial.name.removesuffix(".open") + ".corrupt")
        try:
            partial.rename(target)
        except OSError:
            continue  # gone meanwhile: its writer finished it
        log.warning(
            "prediction log: %s was left open by a crash in the old format (Parquet without "
            "its footer) and cannot be read; renamed to %s",
            partial.name,
            target.name,
        )
        corrupt.append(target)
    return claimed, corrupt


def _writer_alive(name: str) -> bool:
    match = _PID.match(name)
    if match is None:
        return False
    pid = int(match.group(1))
    if pid == os.getpid() or pid <= 0:
        return False  # this process has not written it: an earlier one with the same pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, owned by someone else
    return True


def _open(source: pa.NativeFile) -> pa.RecordBatchStreamReader | None:
    import pyarrow as pa

    try:
        return pa.ipc.open_stream(source)
    except (pa.ArrowException, OSError, ValueError):
        return None


class _Batches:
    """The complete batches of a stream; `clean` turns false at a batch cut off by a crash."""

    def __init__(self, reader: pa.RecordBatchStreamReader) -> None:
        self.reader, self.clean = reader, True

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        while True:
            try:
                yield self.reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowException, OSError, ValueError):
                self.clean = False
                return
