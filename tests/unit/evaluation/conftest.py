"""Shared fixtures for evaluation's tests: small framed problems and leaderboard rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import ColumnType
from shipml.evaluation import LeaderboardRow
from shipml.framing import ProblemFrame, frame_problem
from shipml.spec.model import ModelSpec

TYPES = {
    "x": ColumnType.NUMERIC,
    "z": ColumnType.NUMERIC,
    "city": ColumnType.CATEGORICAL,
    "day": ColumnType.NUMERIC,
}


def make_table(n: int = 400, seed: int = 0, *, regression: bool = False) -> pd.DataFrame:
    """Float64 numbers and pandas str categories; each user (group) lives in one city of its
    own, so a city is seen only where its user is; `day` is event time."""
    rng = np.random.default_rng(seed)
    user = rng.integers(0, 40, n)
    x = rng.normal(3.0, 2.0, n)
    signal = x - 3.0 + rng.normal(0, 1.0, n)
    y = signal if regression else np.where(signal > 0.5, "yes", "no")
    return pd.DataFrame(
        {
            "x": x.astype("float64"),
            "z": rng.normal(0, 1, n).astype("float64"),
            "city": pd.Series([f"city{u}" for u in user], dtype="str"),
            "user": pd.Series([f"u{u}" for u in user], dtype="str"),
            "day": rng.integers(0, 500, n).astype("float64"),
            "y": pd.Series(y, dtype="float64" if regression else "str"),
        }
    )


def make_frame(table: pd.DataFrame | None = None, **sections: Any) -> ProblemFrame:
    table = make_table() if table is None else table
    raw: dict[str, Any] = {"name": "t", "data": {"train": "a.csv"}, "target": {"column": "y"}}
    raw.update(sections)
    return frame_problem(ModelSpec.model_validate(raw), table, TYPES, dict.fromkeys(TYPES, ""))


def make_row(family: str, cv_mean: float, *violations: str) -> LeaderboardRow:
    return LeaderboardRow(
        family=family,
        cv_mean=cv_mean,
        cv_std=0.01,
        fold_scores=(cv_mean,) * 3,
        secondary={},
        train_score=cv_mean,
        fit_seconds=0.1,
        tuning_seconds=1.0,
        n_trials=3,
        n_pruned=0,
        latency_p95_ms=1.0,
        size_mb=0.1,
        params={},
        violations=tuple(violations),
    )


@pytest.fixture
def frame_factory() -> Callable[..., ProblemFrame]:
    return make_frame


@pytest.fixture
def frame() -> ProblemFrame:
    return make_frame()
