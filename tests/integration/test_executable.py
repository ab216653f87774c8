"""The real `shipml` executable in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import make_table, write_spec

SHIPML = str(Path(sys.executable).with_name("shipml"))


def test_train_and_predict_through_the_executable(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, make_table(400), constraints={"n_trials": 4})
    env = os.environ | {"SHIPML_HOME": str(tmp_path / "home")}
    env.pop("MLFLOW_TRACKING_URI", None)
    done = subprocess.run(
        [SHIPML, "train", str(spec), "--json"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["beats_baseline"] is True
    assert (tmp_path / "home" / "mlflow.db").is_file()
    data = tmp_path / "data.parquet"
    done = subprocess.run(
        [SHIPML, "predict", str(spec), str(data), "--out", str(tmp_path / "p.csv"), "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p.csv").read_text().startswith("customer_id,prediction,proba_no,proba_yes")


def test_bad_spec_exits_2_without_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: x\ndata: {train: a.csv}\ntarget: {column: y, positive: yes}\n")
    done = subprocess.run([SHIPML, "validate", str(spec)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "target.positive" in done.stderr
    assert "Traceback" not in done.stderr
