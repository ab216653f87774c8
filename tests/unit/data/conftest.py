"""Shared fixtures for the data layer's tests: the real datasets folder and a spec builder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from shipml.spec.model import ModelSpec

DATA_DIR = Path(__file__).parents[3].parent / "shared" / "data"


def make_spec(target: str | dict[str, Any] = "y", **sections: Any) -> ModelSpec:
    """A minimal valid spec with the given sections (as plain dicts); target: a column or a dict."""
    target_section = target if isinstance(target, dict) else {"column": target}
    raw: dict[str, Any] = {"name": "t", "data": {"train": "train.csv"}, "target": target_section}
    raw.update(sections)
    return ModelSpec.model_validate(raw)


@pytest.fixture
def real_frame() -> Any:
    """Read a real dataset by name, skipping when the shared data folder is absent."""

    def read(name: str) -> pd.DataFrame:
        path = DATA_DIR / f"{name}.parquet"
        if not path.is_file():
            pytest.skip(f"{path} is not available")
        return pd.read_parquet(path)

    return read
