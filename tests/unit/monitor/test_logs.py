"""The monitor reads the prediction log the server's writer produces, and nothing else."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from shipml.core.errors import ArtifactError
from shipml.monitor import read_predictions
from shipml.runtime.logformat import LogLayout
from shipml.serve.predlog import Entry, PredictionLog
from tests.unit.serve.test_predlog import SCHEMA


def _write(folder: Path, n: int, classes: tuple[str, ...], version: str) -> None:
    layout = LogLayout.of(SCHEMA, {"phone"})
    log = PredictionLog(folder, flush_seconds=0.02)
    log.start()
    for i in range(n):
        record = {"amount": float(i), "shop": "a", "email": "a@b.c", "phone": "555"}
        log.append(Entry(f"r{i}", 0, time.time(), "/v1/predict", "champion", version, 0.2,
                         classes[1], 0.7, (0.3, 0.7), None, None, (), record, layout,
                         classes))  # fmt: skip
    log.close()


def test_every_row_the_writer_wrote_is_read_with_its_inputs(tmp_path: Path) -> None:
    _write(tmp_path, 120, ("no", "yes"), "1")
    read = read_predictions(tmp_path)
    assert len(read.rows) == 120
    assert read.inputs == ("amount", "shop", "email", "phone")
    assert read.classes == ("no", "yes")
    assert read.rows["amount"].tolist() == [float(i) for i in range(120)]
    assert set(read.rows["phone"]) == {"***"}  # deploy.pii_mask
    assert set(read.rows["email"]) == {"***"}  # flagged PII


def test_files_of_another_class_order_are_refused_unless_filtered(tmp_path: Path) -> None:
    _write(tmp_path, 10, ("no", "yes"), "1")
    time.sleep(0.01)
    _write(tmp_path, 10, ("yes", "no"), "2")
    with pytest.raises(ArtifactError, match="orders the classes"):
        read_predictions(tmp_path)
    assert len(read_predictions(tmp_path, model_version="2").rows) == 10


def test_a_foreign_parquet_file_or_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    pd.DataFrame({"x": [1]}).to_parquet(tmp_path / "predictions-foreign.parquet")
    with pytest.raises(ArtifactError, match="not a shipml prediction log"):
        read_predictions(tmp_path)
    with pytest.raises(ArtifactError, match="no prediction log folder"):
        read_predictions(tmp_path / "nowhere")


def test_an_empty_folder_reads_as_no_rows(tmp_path: Path) -> None:
    read = read_predictions(tmp_path)
    assert read.rows.empty
    assert read.files == ()
