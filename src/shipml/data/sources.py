"""Data: the first step after the spec: read CSV or Parquet (a path or a glob) into one frame."""

from __future__ import annotations

import difflib
import glob
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from shipml.core.errors import DataContractError
from shipml.data.casting import parse_datetimes
from shipml.spec.model import Period

_CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_GLOB_CHARS = frozenset("*?[")


def load_frame(
    path_or_glob: str, *, period: Period | None = None, where: str = "data.train"
) -> pd.DataFrame:
    """Read one file, or every file a glob matches (in sorted name order), into one frame.

    `where` names the spec field the path came from, so errors point at it (data.train, data.test).
    """
    paths = _resolve(path_or_glob, where)
    frames = [_read_one(p, where) for p in paths]
    frame = frames[0] if len(frames) == 1 else _concat(frames, paths, where)
    if period is not None:
        frame = _filter_period(frame, period)
    return frame


def iter_chunks(path_or_glob: str, rows: int, *, where: str = "DATA") -> Iterator[pd.DataFrame]:
    """The rows of a file (or of every file a glob matches) in chunks of at most `rows`, read
    as `load_frame` reads training data: the same formats, suffixes in any case, same errors."""
    paths = _resolve(path_or_glob, where)
    empty = True
    for path in paths:
        for chunk in _chunks_of(path, rows, where):
            empty = empty and chunk.empty
            yield chunk
    if empty:
        raise DataContractError(
            f"{path_or_glob} has no rows.", where=where, fix="score a file with data"
        )


def count_rows(path_or_glob: str, *, where: str = "DATA") -> int | None:
    """How many rows `iter_chunks` will yield, when that is cheap to know: Parquet files say it
    in their footers; plain CSV or TSV files are counted by line ends (a quoted field holding a
    line break makes it an upper bound); a compressed text file gives None."""
    total = 0
    for path in _resolve(path_or_glob, where):
        kind = _format_of(path, where)
        if kind == "parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(path).metadata.num_rows
        elif path.name.lower().endswith(".gz"):
            return None
        else:
            with path.open("rb") as fh:
                lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
                fh.seek(max(path.stat().st_size - 1, 0))
                last = fh.read(1)
            total += max(lines + (last not in (b"\n", b"")) - 1, 0)  # less the header
    return total


def _chunks_of(path: Path, rows: int, where: str) -> Iterator[pd.DataFrame]:
    with _reading(path, where):
        kind = _format_of(path, where)
        if kind == "parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches(batch_size=rows):
                yield batch.to_pandas()
        else:
            try:
                yield from pd.read_csv(path, sep=kind, chunksize=rows, low_memory=False)
            except pd.errors.EmptyDataError:
                return


def _format_of(path: Path, where: str) -> str:
    """How a file is read, from its name in any case: "parquet" (nested columns refused), or the
    separator of a CSV or TSV file."""
    name = path.name.lower()
    if name.endswith(_PARQUET_SUFFIXES):
        _refuse_nested(path, where)
        return "parquet"
    if name.endswith(_CSV_SUFFIXES):
        return "\t" if ".tsv" in name else ","
    raise DataContractError(
        f"{path} is neither CSV nor Parquet.",
        where=where,
        fix="use a .csv, .csv.gz, .tsv, .tsv.gz, .parquet or .pq file",
    )


@contextmanager
def _reading(path: Path, where: str) -> Iterator[None]:
    """A reader failure on a user's file is a data problem, not a bug: say so, naming it."""
    try:
        yield
    except DataContractError:
        raise
    except Exception as exc:
        raise DataContractError(
            f"{path} could not be read ({type(exc).__name__}: {str(exc)[:200]}).",
            where=where,
            fix="check that the file is complete and in the format its name says",
        ) from exc


def fingerprint(df: pd.DataFrame) -> str:
    """A SHA-256 of the frame's content, column names and dtypes; the same data gives the same."""
    digest = hashlib.sha256()
    digest.update(f"{df.shape[0]}x{df.shape[1]}\n".encode())
    for name, dtype in df.dtypes.items():
        digest.update(f"{name}\t{dtype}\n".encode())
    if len(df.columns) and len(df):
        digest.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _resolve(path_or_glob: str, where: str) -> list[Path]:
    if _GLOB_CHARS & set(path_or_glob):
        paths = [Path(p) for p in sorted(glob.glob(path_or_glob, recursive=True))]
        paths = [p for p in paths if p.is_file()]
        if not paths:
            raise DataContractError(
                f"no file matches the pattern {path_or_glob!r}.",
                where=where,
                fix="check the pattern; a relative path is read from the spec file's folder",
            )
        return paths
    path = Path(path_or_glob)
    if path.is_dir():
        raise DataContractError(
            f"{path_or_glob!r} is a folder, not a file.",
            where=where,
            fix=f"name a file, or a glob such as {path_or_glob.rstrip('/')}/*.parquet",
        )
    if not path.is_file():
        raise DataContractError(
            f"the file {path_or_glob!r} does not exist.",
            where=where,
            fix="check the path; a relative path is read from the spec file's folder",
        )
    return [path]


def _read_one(path: Path, where: str) -> pd.DataFrame:
    with _reading(path, where):
        kind = _format_of(path, where)
        try:
            frame = (
                pd.read_parquet(path)
                if kind == "parquet"
                else pd.read_csv(path, sep=kind, low_memory=False)
            )
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame()
    if frame.empty:
        raise DataContractError(
            f"{path} has no rows.", where=where, fix="point the spec at a file with data"
        )
    return frame


def _refuse_nested(path: Path, where: str) -> None:
    """List, struct and map columns hold no single value per row: refused by name."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    nested = [f"{f.name} ({f.type})" for f in schema if pa.types.is_nested(f.type)]
    if nested:
        raise DataContractError(
            f"{path.name} has columns of nested values, which shipml cannot use as one value "
            f"per row: {', '.join(nested[:10])}.",
            where=nested[0].split(" (")[0],
            fix="flatten them into plain columns (one value each), or drop them from the file",
        )


def _concat(frames: list[pd.DataFrame], paths: list[Path], where: str) -> pd.DataFrame:
    first = list(frames[0].columns)
    for frame, path in zip(frames[1:], paths[1:], strict=True):
        cols = list(frame.columns)
        if set(cols) != set(first):
            missing = [c for c in first if c not in cols]
            extra = [c for c in cols if c not in first]
            raise DataContractError(
                f"{path} has other columns than {paths[0]}: missing {missing}, extra {extra}.",
                where=where,
                fix="give every file of the glob the same columns, or narrow the glob",
            )
    return pd.concat([f[first] for f in frames], ignore_index=True)


def _filter_period(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    column = period.column
    if column not in frame.columns:
        close = difflib.get_close_matches(column, [str(c) for c in frame.columns], n=3)
        raise DataContractError(
            f"the period column {column!r} is not in the data (close matches: {close or 'none'}).",
            where="data.period.column",
            fix="set data.period.column to a date column of the data",
        )
    values = parse_datetimes(frame[column])
    if values.notna().sum() == 0:
        raise DataContractError(
            f"the period column {column!r} holds no dates.",
            where="data.period.column",
            fix="set data.period.column to a column of dates or timestamps",
        )
    keep = values.notna()
    if period.start is not None:
        keep &= values >= pd.Timestamp(_start_of(period.start))
    if period.end is not None:
        keep &= values < pd.Timestamp(_start_of(period.end) + timedelta(days=1))
    if not keep.any():
        span = f"{period.start or '...'} to {period.end or '...'}"
        raise DataContractError(
            f"no rows have {column!r} within the period {span}.",
            where="data.period",
            fix="widen data.period.start/end or check the column's dates",
        )
    return frame.loc[keep].reset_index(drop=True)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min)
