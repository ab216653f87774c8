"""A normal run, piped to a file as a script or CI would, prints no other package's warning and
writes every path whole on one line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import make_table, write_spec

SHIPML = str(Path(sys.executable).with_name("shipml"))
FOREIGN = re.compile(r"(Warning|WARNING|warnings\.warn|FutureWarning|UserWarning)")


@pytest.mark.slow
def test_train_and_predict_piped_are_quiet_and_unwrapped(home: Path, tmp_path: Path) -> None:
    deep = tmp_path / ("a-folder-with-a-rather-long-name-" * 3) / "project"
    deep.mkdir(parents=True)
    spec = write_spec(deep, make_table(400), name="shop-quiet", constraints={"n_trials": 2})
    env = os.environ | {"SHIPML_HOME": str(home), "COLUMNS": "80"}
    trained = subprocess.run(
        [SHIPML, "train", str(spec)], capture_output=True, text=True, env=env, check=False
    )
    assert trained.returncode == 0, trained.stderr
    scored = subprocess.run(
        [SHIPML, "predict", "shop-quiet@champion", str(deep / "data.parquet"),
         "--out", str(deep / "scored.parquet")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    said = trained.stderr + trained.stdout + scored.stderr + scored.stdout
    foreign = [line for line in said.splitlines() if FOREIGN.search(line)]
    assert foreign == []
    bundle = trained.stdout.strip().splitlines()[-1]
    assert Path(bundle).is_dir()  # the bundle path, whole, on its own line
    assert any(line.startswith("report: ") and line.endswith("report.html")
               for line in trained.stderr.splitlines())  # fmt: skip
    assert f"into {deep / 'scored.parquet'}" in scored.stderr
