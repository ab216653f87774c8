"""Shared fixtures for framing's tests: a spec builder, a synthetic table, a frame builder."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import ColumnType
from shipml.framing import ProblemFrame, frame_problem
from shipml.spec.model import ModelSpec

DATA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def make_spec(target: str | dict[str, Any] = "y", **sections: Any) -> ModelSpec:
    """A minimal valid spec with the given sections (as plain dicts); target: a column or a dict."""
    target_section = target if isinstance(target, dict) else {"column": target}
    raw: dict[str, Any] = {"name": "t", "data": {"train": "train.csv"}, "target": target_section}
    raw.update(sections)
    return ModelSpec.model_validate(raw)


def synthetic_table(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Numbers as float64, categories as pandas str; a binary target (~30% 'yes'),
    a user id (groups of ~8 rows) and a day number (event time)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    color = rng.choice(["red", "green", "blue"], n)
    signal = x + (color == "red") + rng.normal(0, 1, n)
    return pd.DataFrame(
        {
            "x": x.astype("float64"),
            "z": rng.normal(5, 2, n).astype("float64"),
            "color": pd.Series(color, dtype="str"),
            "user": pd.Series([f"u{i}" for i in rng.integers(0, n // 8, n)], dtype="str"),
            "day": rng.integers(0, 365, n).astype("float64"),
            "y": pd.Series(np.where(signal > 1.0, "yes", "no"), dtype="str"),
        }
    )


TYPES = {
    "x": ColumnType.NUMERIC,
    "z": ColumnType.NUMERIC,
    "color": ColumnType.CATEGORICAL,
    "user": ColumnType.CATEGORICAL,
    "day": ColumnType.NUMERIC,
}  # like the data layer's typing, without the target


def build_frame(
    table: pd.DataFrame, types: Mapping[str, ColumnType] | None = None, **spec_sections: Any
) -> ProblemFrame:
    types = dict(TYPES if types is None else types)
    return frame_problem(make_spec(**spec_sections), table, types, dict.fromkeys(types, "test"))


@pytest.fixture
def table() -> pd.DataFrame:
    return synthetic_table()


@pytest.fixture
def frame_of() -> Callable[..., ProblemFrame]:
    return build_frame


@pytest.fixture
def real_frame() -> Callable[[str], pd.DataFrame]:
    """Read a real dataset by name, skipping when the shared data folder is absent."""

    def read(name: str) -> pd.DataFrame:
        path = DATA_DIR / f"{name}.parquet"
        if not path.is_file():
            pytest.skip(f"{path} is not available")
        return pd.read_parquet(path)

    return read
