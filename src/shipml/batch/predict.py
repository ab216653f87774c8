"""Batch: prediction over a file, a CSV or Parquet file streamed in chunks through the runtime.

Chunks go through `CompiledModel`, the path the server runs: the same engine choice, the same
steps and decision policy, vectorized over the chunk. The default engine is native (LightGBM's
booster), the reference the server's ONNX engine is held to (1e-4).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from shipml.core.errors import DataContractError
from shipml.core.protocols import NullProgress, Progress
from shipml.data.sources import count_rows, iter_chunks
from shipml.registry.loading import LoadedModel, load_model
from shipml.runtime.columns import ColumnValueError
from shipml.runtime.engines import EngineKind
from shipml.runtime.inference import MissingColumnError

CHUNK_ROWS = 100_000


@dataclass
class PredictionSummary:
    rows: int = 0
    unseen: dict[str, int] = field(default_factory=dict)
    out: str = ""
    version: str = ""


def predict_file(
    source: str | Path,
    data: str | Path,
    out: str | Path,
    *,
    chunk_rows: int = CHUNK_ROWS,
    strict: bool = False,
    progress: Progress | None = None,
    engine: EngineKind = "native",
) -> PredictionSummary:
    """Score `data` into `out` (CSV or Parquet by suffix), chunk by chunk, bounded memory."""
    loaded = load_model(source, engine)
    progress = progress or NullProgress()
    summary = PredictionSummary(out=str(out), version=loaded.version)
    writer = _Writer(Path(out))
    progress.start("predict", f"Scoring {Path(data).name}", total=count_rows(str(data)))
    try:
        for chunk in read_chunks(Path(data), chunk_rows):
            scored = score_chunk(loaded, chunk, strict=strict, summary=summary)
            writer.write(scored)
            summary.rows += len(chunk)
            progress.advance("predict", len(chunk))
    finally:
        writer.close()
        progress.finish("predict")
    return summary


def score_chunk(
    loaded: LoadedModel, chunk: pd.DataFrame, *, strict: bool, summary: PredictionSummary
) -> pd.DataFrame:
    model = loaded.model
    try:
        pred = loaded.compiled.predict_frame(chunk)
        unseen: dict[str, int] = pred.attrs.get("unseen", {})
    except MissingColumnError as exc:
        raise DataContractError(
            f"the data lacks the model's input columns {exc.columns}",
            where=exc.columns[0],
            fix="score a file with the columns the model was trained on (see its schema)",
        ) from None
    except ColumnValueError as exc:
        raise DataContractError(
            str(exc), where=exc.column, fix="fix the values in that column"
        ) from None
    for column, n in unseen.items():
        summary.unseen[column] = summary.unseen.get(column, 0) + n
    if strict and unseen:
        raise DataContractError(
            f"categories never seen in training: {unseen}",
            where=next(iter(unseen)),
            fix="drop --strict to send them to the unknown bucket",
        )
    keep = [c for c in model.schema.identifiers if c in chunk.columns]
    out = pd.concat([chunk[keep].reset_index(drop=True), pred.reset_index(drop=True)], axis=1)
    out["model_version"] = loaded.version
    return out


def read_chunks(path: Path, rows: int) -> Iterator[pd.DataFrame]:
    """The file's rows in chunks, read exactly as training reads its data."""
    return iter_chunks(str(path), rows, where="DATA")


class _Writer:
    def __init__(self, path: Path) -> None:
        if path.suffix not in (".parquet", ".pq", ".csv"):
            raise DataContractError(
                f"cannot write {path.name}", where="--out", fix="name a .csv or .parquet file"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.first = path, True
        self.parquet: pq.ParquetWriter | None = None

    def write(self, frame: pd.DataFrame) -> None:
        if self.path.suffix == ".csv":
            frame.to_csv(self.path, mode="w" if self.first else "a", header=self.first, index=False)
        else:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self.parquet is None:
                self.parquet = pq.ParquetWriter(self.path, table.schema)
            self.parquet.write_table(table.cast(self.parquet.schema))
        self.first = False

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
