"""Time- and group-aware validation through the whole flow, and other task types."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import shipml

from .conftest import SHARED_DATA, make_table, write_spec


def test_time_strategy_trains_on_the_past(tmp_path: Path, home: Path) -> None:
    spec = write_spec(
        tmp_path,
        make_table(800),
        validation={
            "strategy": "time",
            "time_column": "day",
            "folds": 3,
            "holdout": {"latest": "30d"},
            "gap": "2d",
        },
    )
    result = shipml.train(spec, track=False)
    oof = pd.read_parquet(result.bundle_dir / "evaluation" / "oof.parquet")
    test = pd.read_parquet(result.bundle_dir / "evaluation" / "test_predictions.parquet")
    assert oof["time"].max() < test["time"].min()
    validated = oof[oof["fold"] >= 0]
    for k in sorted(validated["fold"].unique()):
        assert (
            validated.loc[validated["fold"] == k, "time"].min()
            > oof.loc[oof["fold"] < k, "time"].max()
            if k > 0
            else True
        )
    first_block = oof[oof["fold"] < 0]
    assert len(first_block) > 0  # the earliest block only ever trains
    assert any(c.value == "time" for c in result.choices if c.name == "validation_strategy")


def test_group_strategy_keeps_entities_whole(tmp_path: Path, home: Path) -> None:
    spec = write_spec(tmp_path, make_table(800), validation={"group_column": "store", "folds": 4})
    result = shipml.train(spec, track=False)
    oof = pd.read_parquet(result.bundle_dir / "evaluation" / "oof.parquet")
    test = pd.read_parquet(result.bundle_dir / "evaluation" / "test_predictions.parquet")
    assert set(oof["group"]).isdisjoint(set(test["group"]))
    assert oof.groupby("group")["fold"].nunique().max() == 1
    assert "store" not in result.model.schema.features


def test_multiclass_on_real_data(tmp_path: Path, home: Path) -> None:
    df = pd.read_parquet(SHARED_DATA / "diamonds_cut.parquet").sample(3000, random_state=0)
    spec = write_spec(tmp_path, df, target={"column": "cut"}, constraints={"n_trials": 5})
    result = shipml.train(spec, track=False)
    assert result.task == "multiclass"
    assert result.primary_metric == "log_loss"
    assert result.selection.beats_baseline
    proba = result.model.predict_frame(df.head(20)).filter(like="proba_")
    assert proba.shape[1] == 5
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)


def test_regression_on_real_data(tmp_path: Path, home: Path) -> None:
    df = pd.read_parquet(SHARED_DATA / "cps1988_wages.parquet").sample(3000, random_state=0)
    spec = write_spec(tmp_path, df, target={"column": "wage"}, constraints={"n_trials": 5})
    result = shipml.train(spec, track=False)
    assert result.task == "regression"
    assert result.primary_metric == "rmse"
    assert result.holdout.test_score < result.holdout.baseline_metrics["rmse"]
    pred = result.model.predict_frame(df.head(10))
    assert list(pred.columns) == ["prediction", "lower", "upper"]  # the 90% interval
    assert (pred["lower"] <= pred["prediction"]).all()
    assert (pred["prediction"] <= pred["upper"]).all()


def test_time_budget_bounds_training(tmp_path: Path, home: Path) -> None:
    spec = write_spec(tmp_path, make_table(800), constraints={"time_budget_s": 8})
    result = shipml.train(spec, track=False)
    families = [r.family for r in result.leaderboard]
    assert families[:2] == ["baseline", "lightgbm"]  # the strongest rung right after the baseline
    assert result.selection.champion != "baseline"  # a tight budget still yields a real model
    over = [w for w in result.warnings if "time budget" in w]
    assert result.seconds <= 8 * 1.1 or over  # held, or the run says by how much and why
    assert set(result.stages) >= {"search (tuning and refits)", "bundle and report"}


def test_a_skewed_positive_target_also_climbs_the_log_rung(tmp_path: Path, home: Path) -> None:
    rng = np.random.default_rng(5)
    n = 1500
    x = rng.normal(size=(n, 3))
    price = np.exp(2.0 + 0.9 * x[:, 0] - 0.6 * x[:, 1] * x[:, 2] + rng.normal(0, 0.5, n))
    table = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "price": price})
    spec = write_spec(
        tmp_path, table, target={"column": "price"}, models={"ladder": ["baseline", "lightgbm"]},
        constraints={"n_trials": 4}, explain={"enabled": False},
    )  # fmt: skip
    result = shipml.train(spec, track=False)
    board = {r.family: r for r in result.leaderboard}
    assert set(board) == {"baseline", "lightgbm", "lightgbm_log"}
    assert board["lightgbm_log"].cv_mean < board["lightgbm"].cv_mean  # RMSE, original scale
    assert result.selection.champion == "lightgbm_log"
    again = shipml.load_model(result.bundle_dir).predict_frame(table.head(20))
    assert (again["prediction"] > 0).all()


def test_a_trend_in_time_is_followed_by_the_detrended_tree_in_time_ordered_cv(
    tmp_path: Path, home: Path
) -> None:
    rng = np.random.default_rng(11)
    n = 1200
    day = pd.Timestamp("2022-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 900, n)), "D")
    x = rng.normal(size=n)
    days = (day - day.min()).days.to_numpy()
    sales = 50.0 + 0.08 * days + 3.0 * np.sin(x) + rng.normal(0, 1.0, n)  # grows every day
    table = pd.DataFrame({"day": day, "x": x, "sales": sales})
    spec = write_spec(
        tmp_path, table, target={"column": "sales"},
        validation={"folds": 3, "time_column": "day", "holdout": {"fraction": 0.2}},
        models={"ladder": ["baseline", "lightgbm"]}, constraints={"n_trials": 4},
        explain={"enabled": False},
    )  # fmt: skip
    result = shipml.train(spec, track=False)
    board = {r.family: r for r in result.leaderboard}
    assert set(board) == {"baseline", "lightgbm", "lightgbm_detrended"}
    # time-ordered CV: each fold validates later days than it trained on
    assert board["lightgbm_detrended"].cv_mean < 0.5 * board["lightgbm"].cv_mean  # RMSE
    assert result.selection.champion == "lightgbm_detrended"
    later = table.tail(5).assign(
        day=table["day"].max() + pd.to_timedelta(np.arange(1, 6) * 60, "D")
    )
    pred = shipml.load_model(result.bundle_dir).predict_frame(later)["prediction"].to_numpy()
    assert (np.diff(pred - 3.0 * np.sin(later["x"].to_numpy())) > 0).all()  # still rising
