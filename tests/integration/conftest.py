"""Shared fixtures: synthetic tables with known structure, and one small trained model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import shipml

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def make_table(n: int = 800, seed: int = 0) -> pd.DataFrame:
    """A binary problem with signal in x1, x2 and the colour; an id, a group and a time."""
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue", "black"], n)
    x1, x2, noise = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    logit = 1.5 * x1 - 1.0 * x2 + np.where(colour == "red", 1.0, 0.0) - 0.5
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "store": rng.integers(0, 40, n),
            "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n) // 4, unit="D"),
            "x1": x1,
            "x2": np.where(rng.random(n) < 0.05, np.nan, x2),
            "noise": noise,
            "colour": pd.array(colour, dtype="str"),
            "bought": np.where(y, "yes", "no"),
        }
    )


def write_spec(folder: Path, data: pd.DataFrame, /, **overrides: object) -> Path:
    data_path = folder / "data.parquet"
    data.to_parquet(data_path)
    spec: dict[str, object] = {
        "name": "shop",
        "data": {"train": "data.parquet"},
        "target": {"column": "bought", "positive": "yes"},
        "validation": {"folds": 3},
        "constraints": {"n_trials": 6},
        "seed": 7,
    }
    spec.update(overrides)
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One shipml home (MLflow SQLite store) for the session."""
    path = tmp_path_factory.mktemp("shipml-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("SHIPML_HOME", str(path))
    mp.delenv("MLFLOW_TRACKING_URI", raising=False)
    yield path
    mp.undo()


@pytest.fixture(scope="session")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_spec(tmp_path_factory.mktemp("spec"), make_table())


@pytest.fixture(scope="session")
def trained(home: Path, spec_path: Path) -> shipml.TrainingResult:
    """A model trained, tracked and registered once, shared by many tests."""
    return shipml.train(spec_path)
