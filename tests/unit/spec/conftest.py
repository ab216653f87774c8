"""Shared fixtures for the spec layer's tests: a minimal raw spec and a YAML file writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

MINIMAL_YAML = "name: churn\ndata: {train: data/train.csv}\ntarget: {column: churned}\n"


def raw_spec(**sections: Any) -> dict[str, Any]:
    """A minimal valid raw spec (as YAML would give it) with the given sections replaced."""
    raw: dict[str, Any] = {"name": "t", "data": {"train": "train.csv"}, "target": {"column": "y"}}
    raw.update(sections)
    return raw


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML text to `spec.yaml` in a fresh folder and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "spec.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
