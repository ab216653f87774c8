"""Monitor: read a prediction log folder into one table, as `runtime/logformat.py` defines it.

Only complete `predictions-*.parquet` files are read (a server's open write-ahead `.arrows`
file is not: it becomes Parquet when it rolls or the server stops). Files are concatenated
in name order (their names start with the time they were opened). Every file must carry the
base columns and one class order; a file that does not is an error naming it. Input columns
lose their `input.` prefix; masked values stay "***".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from shipml.core.errors import ArtifactError
from shipml.runtime.logformat import BASE_COLUMNS, CLASSES_KEY, INPUT_PREFIX, LOG_GLOB


@dataclass(frozen=True, slots=True)
class LoggedPredictions:
    rows: pd.DataFrame  # the base columns, then one column per input (without the prefix)
    inputs: tuple[str, ...]  # the input columns, in the log's order
    classes: tuple[str, ...]  # the order of each row's `probabilities`
    files: tuple[Path, ...]


def read_predictions(folder: Path, *, model_version: str | None = None) -> LoggedPredictions:
    """Every logged prediction in `folder` (of one `model_version`, when given)."""
    import pyarrow.parquet as pq

    if not folder.is_dir():
        raise ArtifactError(f"no prediction log folder at {folder}", where=str(folder),
                            fix="pass the folder `shipml serve --log-dir` wrote to")  # fmt: skip
    files = tuple(sorted(folder.glob(LOG_GLOB)))
    tables, classes = [], None
    for path in files:
        table = pq.read_table(path)
        missing = [c for c in BASE_COLUMNS if c not in table.column_names]
        if missing:
            raise ArtifactError(f"{path.name} is not a shipml prediction log (no {missing})",
                                where=str(path), fix="remove it from the log folder")  # fmt: skip
        frame = table.to_pandas()
        if model_version is not None:
            frame = frame[frame["model_version"] == model_version]
            if frame.empty:
                continue
        found = tuple(json.loads((table.schema.metadata or {}).get(CLASSES_KEY.encode(), b"[]")))
        if classes is not None and found != classes:
            raise ArtifactError(
                f"{path.name} orders the classes {list(found)}, the files before it "
                f"{list(classes)}",
                where=str(path),
                fix="read the files of one model at a time (model_version=...)",
            )
        classes = found
        tables.append(frame)
    rows = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=BASE_COLUMNS)
    renamed = {c: c[len(INPUT_PREFIX) :] for c in rows.columns if c.startswith(INPUT_PREFIX)}
    return LoggedPredictions(
        rows.rename(columns=renamed), tuple(renamed.values()), classes or (), files
    )
