"""Determinism: the same spec, data, seed and trial budget give identical metrics, predictions
and model files (model text and preprocessing JSON; timings differ)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

import shipml

from .conftest import make_table, write_spec


def _model_files(result: shipml.TrainingResult) -> tuple[dict, str | None]:
    model_dir = result.bundle_dir / "model"
    meta = json.loads((model_dir / "inference.json").read_text())
    text_file = model_dir / "model.lgb.txt"
    return meta["preprocessor"], text_file.read_text() if text_file.exists() else None


def test_same_inputs_give_identical_models(tmp_path: Path, home: Path) -> None:
    spec = write_spec(tmp_path, make_table(600, seed=3), constraints={"n_trials": 7})
    first = shipml.train(spec, track=False)
    second = shipml.train(spec, track=False)
    assert [r.cv_mean for r in first.leaderboard] == [r.cv_mean for r in second.leaderboard]
    assert [r.params for r in first.leaderboard] == [r.params for r in second.leaderboard]
    assert first.holdout.metrics == second.holdout.metrics
    df = pd.read_parquet(tmp_path / "data.parquet")
    np.testing.assert_array_equal(
        first.model.predict_frame(df).to_numpy(), second.model.predict_frame(df).to_numpy()
    )
    pre_a, text_a = _model_files(first)
    pre_b, text_b = _model_files(second)
    assert pre_a == pre_b
    assert text_a == text_b
    oof_a = pd.read_parquet(first.bundle_dir / "evaluation" / "oof_candidates.parquet")
    oof_b = pd.read_parquet(second.bundle_dir / "evaluation" / "oof_candidates.parquet")
    pd.testing.assert_frame_equal(oof_a, oof_b)


def test_lightgbm_champion_model_text_is_identical(tmp_path: Path, home: Path) -> None:
    spec = write_spec(
        tmp_path,
        make_table(600, seed=4),
        models={"ladder": ["lightgbm"]},
        constraints={"n_trials": 4},
    )
    a, b = shipml.train(spec, track=False), shipml.train(spec, track=False)
    assert a.selection.champion == "lightgbm"
    assert _model_files(a) == _model_files(b)
