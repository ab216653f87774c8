"""frame_problem: the holdout and folds follow the chosen structure; every choice is kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import ColumnType, Metric, SplitKind, Task
from shipml.core.errors import DataContractError, SpecError
from shipml.framing import frame_problem

from .conftest import TYPES, build_frame, make_spec


def _choices(frame) -> dict[str, str]:
    return {c.name: c.value for c in frame.choices}


def test_a_plain_spec_gives_a_stratified_frame(table):
    frame = build_frame(table)
    assert frame.task is Task.BINARY
    assert frame.classes == ("no", "yes")  # the minority class is positive
    assert frame.strategy is SplitKind.STRATIFIED
    assert list(frame.features) == ["x", "z", "color", "user", "day"]
    assert len(frame.test_rows) == 80
    assert not set(frame.test_rows.tolist()) & set(frame.train_rows.tolist())
    assert len(frame.folds) == 5
    for fold in frame.folds:
        assert set(fold.train.tolist()) | set(fold.valid.tolist()) == set(frame.train_rows.tolist())
    assert _choices(frame)["validation_strategy"] == "stratified"
    assert frame.schema.features == list(frame.features)


def test_the_group_strategy_keeps_users_whole_in_holdout_and_folds(table):
    frame = build_frame(table, validation={"group_column": "user"})
    assert frame.strategy is SplitKind.GROUP
    assert "user" not in frame.features
    users = table["user"].to_numpy()
    assert not set(users[frame.train_rows]) & set(users[frame.test_rows])
    for fold in frame.folds:
        assert not set(users[fold.train]) & set(users[fold.valid])


def test_the_time_strategy_with_a_latest_holdout_trains_on_the_past(table):
    frame = build_frame(
        table, validation={"time_column": "day", "holdout": {"latest": "30d"}, "gap": "2d"}
    )
    assert frame.strategy is SplitKind.TIME
    day = table["day"].to_numpy()
    assert day[frame.test_rows].min() > day.max() - 30
    assert day[frame.train_rows].max() <= day.max() - 30
    for fold in frame.folds:
        assert day[fold.train].max() <= day[fold.valid].min() - 2


def test_a_datetime_time_column_is_read_in_days():
    n = 200
    table = pd.DataFrame(
        {
            "x": np.arange(n, dtype="float64"),
            "when": pd.date_range("2024-01-01", periods=n, freq="D"),
            "y": np.arange(n, dtype="float64") * 0.5,
        }
    )
    types = {"x": ColumnType.NUMERIC, "when": ColumnType.DATETIME}
    frame = build_frame(
        table, types, validation={"time_column": "when", "holdout": {"latest": "20d"}}
    )
    assert frame.task is Task.REGRESSION
    assert len(frame.test_rows) == 20
    np.testing.assert_array_equal(frame.test_rows, np.arange(180, 200))
    assert frame.split.times[1] - frame.split.times[0] == pytest.approx(1.0)


def test_rows_without_a_target_are_dropped(table):
    table.loc[:9, "y"] = None
    frame = build_frame(table)
    assert len(frame.y) == len(table) - 10


def test_excluded_and_non_included_columns_are_passthrough_with_a_reason(table):
    frame = build_frame(table, features={"include": ["x", "color", "z"], "exclude": ["z"]})
    assert list(frame.features) == ["x", "color"]
    reasons = {c.name: c.reason for c in frame.schema.columns}
    assert "features.exclude" in reasons["z"]
    assert reasons["day"] == "not in features.include"
    assert "y" not in reasons


def test_no_feature_left_is_a_contract_error(table):
    with pytest.raises(DataContractError) as info:
        build_frame(table, features={"include": ["nothing"]})
    assert info.value.where == "features"


def test_a_metric_that_does_not_fit_the_inferred_task_is_refused(table):
    with pytest.raises(SpecError) as info:
        build_frame(table, metrics={"primary": "rmse"})
    assert info.value.where == "metrics.primary"


def test_a_predefined_holdout_column_splits_on_its_value(table):
    table["part"] = pd.Series(
        np.where(np.arange(len(table)) % 4 == 0, "test", "train"), dtype="str"
    )
    types = {**TYPES, "part": ColumnType.CATEGORICAL}
    frame = build_frame(table, types, validation={"holdout": {"column": "part", "value": "test"}})
    np.testing.assert_array_equal(frame.test_rows, np.arange(0, len(table), 4))
    assert "part" not in frame.features


def test_the_primary_metric_follows_the_positive_share(table):
    rare = table.copy()
    rare["y"] = pd.Series(np.where(np.arange(len(rare)) % 10 == 0, "yes", "no"), dtype="str")
    assert build_frame(rare).primary is Metric.AVERAGE_PRECISION
    assert build_frame(table).primary is Metric.ROC_AUC


def test_real_penguins_frame_as_multiclass(real_frame):
    penguins = real_frame("palmer_penguins")
    types = {
        "island": ColumnType.CATEGORICAL,
        "bill_length_mm": ColumnType.NUMERIC,
        "flipper_length_mm": ColumnType.NUMERIC,
        "sex": ColumnType.CATEGORICAL,
    }
    frame = frame_problem(make_spec("species"), penguins, types, {})
    assert frame.task is Task.MULTICLASS
    assert frame.classes == ("Adelie", "Chinstrap", "Gentoo")
    assert frame.primary is Metric.LOG_LOSS
    for fold in frame.folds:
        shares = np.bincount(frame.y[fold.valid], minlength=3) / len(fold.valid)
        overall = np.bincount(frame.y[frame.train_rows], minlength=3) / len(frame.train_rows)
        np.testing.assert_allclose(shares, overall, atol=0.03)


def test_the_target_is_never_a_feature_even_when_typed(table):
    frame = build_frame(table, {**TYPES, "y": ColumnType.CATEGORICAL})
    assert "y" not in frame.features
    assert "y" not in frame.columns


@pytest.mark.parametrize("holdout", [{"fraction": 0.2}, {"latest": "60d"}])
def test_the_time_holdout_leaves_the_gap_before_the_test_rows(table, holdout):
    frame = build_frame(table, validation={"time_column": "day", "gap": "5d", "holdout": holdout})
    day = table["day"].to_numpy()
    assert day[frame.train_rows].max() <= day[frame.test_rows].min() - 5
