"""check_contract: every error path names the column and the spec path; warnings for soft issues."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import Task
from shipml.core.errors import DataContractError
from shipml.data import check_contract, infer_column_types

from .conftest import make_spec

N = 40


@pytest.fixture
def df() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "y": np.tile(["yes", "no"], N // 2),
            "age": rng.integers(18, 80, N),
            "city": rng.choice(["Oslo", "Rome", "Lima"], N),
            "store": np.repeat(np.arange(8), N // 8),
            "when": pd.date_range("2024-01-01", periods=N, freq="D"),
            "w": rng.uniform(0.5, 2.0, N),
            "part": np.where(np.arange(N) < 30, "train", "test"),
        }
    )


def _check(df, spec, task=Task.BINARY, folds=5):
    typing = infer_column_types(df, target=spec.target.column, overrides=spec.features.types)
    return check_contract(df, spec, typing, task=task, folds=folds)


def _raises(df, spec, *, where, names, **kwargs) -> DataContractError:
    with pytest.raises(DataContractError) as err:
        _check(df, spec, **kwargs)
    assert err.value.where == where
    for name in names:
        assert name in str(err.value)
    assert err.value.fix
    return err.value


def test_a_clean_frame_passes_without_warnings(df):
    spec = make_spec(
        data={"train": "t.csv", "weight": "w"},
        validation={
            "group_column": "store",
            "time_column": "when",
            "holdout": {"column": "part", "value": "test"},
        },
        features={"include": ["age", "city"], "types": {"age": "numeric"}},
        fairness={"sensitive": ["city"]},
        target={"column": "y", "positive": "yes"},
    )
    assert _check(df, spec) == []


def test_empty_frame(df):
    _raises(df.iloc[:0], make_spec(), where="data.train", names=["no rows"])


def test_missing_target_lists_close_matches(df):
    _raises(df, make_spec(target="Y"), where="target.column", names=["'Y'", "'y'"])


@pytest.mark.parametrize(
    ("sections", "where"),
    [
        ({"features": {"include": ["age", "agee"]}}, "features.include"),
        ({"features": {"exclude": ["agee"]}}, "features.exclude"),
        ({"features": {"types": {"agee": "numeric"}}}, "features.types.agee"),
        ({"features": {"keep_suspects": ["agee"]}}, "features.keep_suspects"),
        ({"data": {"train": "t.csv", "weight": "agee"}}, "data.weight"),
        ({"validation": {"group_column": "agee"}}, "validation.group_column"),
        ({"validation": {"time_column": "agee"}}, "validation.time_column"),
        (
            {"validation": {"holdout": {"column": "agee", "value": "x"}}},
            "validation.holdout.column",
        ),
        ({"fairness": {"sensitive": ["agee"]}}, "fairness.sensitive"),
    ],
)
def test_columns_named_in_the_spec_must_exist(df, sections, where):
    err = _raises(df, make_spec(**sections), where=where, names=["'agee'", where, "'age'"])
    assert "close matches" in str(err)


def test_all_missing_columns_are_listed_together(df):
    spec = make_spec(validation={"group_column": "shop"}, fairness={"sensitive": ["gender"]})
    _raises(
        df,
        spec,
        where="validation.group_column",
        names=["'shop'", "'gender'", "fairness.sensitive"],
    )


def test_target_all_null(df):
    df["y"] = None
    _raises(df, make_spec(), where="target.column", names=["'y'", "all"])


def test_missing_target_values_are_a_warning(df):
    df.loc[:3, "y"] = None
    df = pd.concat([df, df.iloc[4:8]], ignore_index=True)  # keep class counts >= folds
    warnings = _check(df, make_spec())
    assert any("4 of" in w and "'y'" in w and "dropped" in w for w in warnings)


def test_single_class(df):
    df["y"] = "yes"
    _raises(df, make_spec(), where="target.column", names=["'y'", "single class", "'yes'"])


def test_single_class_is_not_checked_before_the_task_is_known(df):
    df["y"] = "yes"
    assert isinstance(_check(df, make_spec(), task=None), list)


def test_positive_class_not_among_labels(df):
    spec = make_spec(target={"column": "y", "positive": "Yes"})
    err = _raises(
        df, spec, where="target.positive", names=["'Yes'", "'y'", "['no', 'yes']"], task=None
    )
    assert "did you mean 'yes'" in str(err)


@pytest.mark.parametrize("labels", [[0, 1], [0.0, 1.0], [False, True]])
def test_positive_class_compared_as_strings(labels):
    df = pd.DataFrame({"y": labels * 10, "x": range(20)})
    positive = str(labels[1]) if isinstance(labels[1], bool) else "1"
    assert _check(df, make_spec(target={"column": "y", "positive": positive})) == []


def test_rare_class_fewer_rows_than_folds(df):
    df["y"] = ["a"] * 30 + ["b"] * 7 + ["c"] * 3
    err = _raises(
        df,
        make_spec(),
        where="validation.folds",
        names=["'y'", "'c': 3", "5"],
        task=Task.MULTICLASS,
    )
    assert "'b'" not in str(err)


def test_binary_task_with_three_classes(df):
    df["y"] = ["a", "b", "c", "d"] * 10
    _raises(df, make_spec(), where="task", names=["'y'", "4 classes"])


def test_regression_target_must_be_numeric(df):
    _raises(
        df,
        make_spec(),
        where="target.column",
        names=["'y'", "numeric", "'yes'"],
        task=Task.REGRESSION,
    )


def test_regression_target_of_number_strings_is_fine(df):
    df["y"] = [str(v) for v in range(N)]
    assert _check(df, make_spec(), task=Task.REGRESSION) == []


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        (["heavy"] * 5 + ["1"] * (N - 5), "not numeric"),
        ([-1.0] * 2 + [1.0] * (N - 2), "2 negative"),
        ([None] * 3 + [1.0] * (N - 3), "3 missing"),
    ],
)
def test_weight_column_must_be_non_negative_numbers(df, values, fragment):
    df["w"] = values
    spec = make_spec(data={"train": "t.csv", "weight": "w"})
    _raises(df, spec, where="data.weight", names=["'w'", fragment])


@pytest.mark.parametrize(
    ("sections", "where"),
    [
        ({"features": {"include": ["empty"]}}, "features.include"),
        ({"features": {"types": {"empty": "categorical"}}}, "features.types.empty"),
        ({"data": {"train": "t.csv", "weight": "empty"}}, "data.weight"),
        ({"validation": {"group_column": "empty"}}, "validation.group_column"),
        ({"validation": {"time_column": "empty"}}, "validation.time_column"),
    ],
)
def test_all_null_column_named_by_the_spec(df, sections, where):
    df["empty"] = np.nan
    _raises(df, make_spec(**sections), where=where, names=["'empty'", where, "no values"])


def test_holdout_value_not_in_column(df):
    spec = make_spec(validation={"holdout": {"column": "part", "value": "Test"}})
    _raises(df, spec, where="validation.holdout.value", names=["'part'", "'Test'", "'test'"])


def test_soft_issues_are_warnings(df):
    df["empty"] = np.nan
    df = pd.concat([df, df.iloc[:3]], ignore_index=True)
    warnings = _check(df, make_spec())
    assert any("'empty'" in w and "left out" in w for w in warnings)
    assert any("3 rows are exact duplicates" in w for w in warnings)
    assert len(warnings) == 2
