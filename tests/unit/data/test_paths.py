"""Path targets: level columns and separated paths become canonical paths; a ragged taxonomy
and a gap in a level are refused by field; small classes fold into their parent, and a class
too small even at the first level is left out, each announced."""

from __future__ import annotations

import pandas as pd
import pytest

from shipml.core.errors import DataContractError
from shipml.data.paths import fold_paths, join_level_columns, min_class_rows, path_target
from shipml.spec.model import Target


def test_level_columns_join_into_one_canonical_path_column() -> None:
    raw = pd.DataFrame(
        {"x": [1, 2, 3], "l1": ["Home", "Home", None], "l2": [" Kitchen", "Bath", None],
         "l3": [1.0, 2.0, None]}
    )  # fmt: skip
    out = join_level_columns(raw, Target(column="path", columns=["l1", "l2", "l3"]))
    assert list(out.columns) == ["x", "path"]
    assert out["path"].tolist()[:2] == ["Home > Kitchen > 1", "Home > Bath > 2"]
    assert pd.isna(out["path"].iloc[2])  # no level at all: no target, dropped like any other


def test_a_separated_column_is_re_joined_and_a_ragged_one_is_refused() -> None:
    raw = pd.DataFrame({"cat": ["a/b/c", "a / b / d", None]})
    out = join_level_columns(raw, Target(column="cat", separator="/"))
    assert out["cat"].tolist()[:2] == ["a > b > c", "a > b > d"]
    assert pd.isna(out["cat"].iloc[2])
    ragged = pd.DataFrame({"cat": ["a/b/c", "a/b/d", "a/b"]})
    with pytest.raises(DataContractError) as err:
        join_level_columns(ragged, Target(column="cat", separator="/"))
    assert err.value.where == "target.separator"
    assert "most rows have 3, 1 rows do not" in str(err.value)
    with pytest.raises(DataContractError, match="does not split"):
        join_level_columns(pd.DataFrame({"cat": ["a", "b"]}), Target(column="cat", separator="/"))
    with pytest.raises(DataContractError, match="empty level"):
        join_level_columns(
            pd.DataFrame({"cat": ["a//c", "a/b/c"]}), Target(column="cat", separator="/")
        )


def test_a_gap_in_a_level_column_is_refused_naming_the_column_and_rows() -> None:
    raw = pd.DataFrame({"l1": ["a", "a", "b"], "l2": ["x", "", "y"]})
    with pytest.raises(DataContractError) as err:
        join_level_columns(raw, Target(column="path", columns=["l1", "l2"]))
    assert err.value.where == "target.columns"
    assert "'l2' is empty in 1 rows" in str(err.value)
    assert "rows [1]" in str(err.value)


def test_small_classes_fold_into_their_parent_and_a_lone_one_is_left_out() -> None:
    y = pd.Series(
        ["A > x > 1"] * 6 + ["A > x > 2"] * 6 + ["A > y > 1"] * 2 + ["A > y > 2"] * 2
        + ["A > y > 3"] * 2 + ["B > z > 1"] * 2 + [None]
    )  # fmt: skip
    paths = fold_paths(y, min_rows=5)
    values = paths.values
    assert (values == "A > x > 1").sum() == 6
    assert (values == "A > y").sum() == 6  # three 2-row children together make their parent's 6
    assert paths.folded == {f"A > y > {i}": "A > y" for i in (1, 2, 3)}
    assert paths.left_out == {"B > z > 1": 2}  # 2 rows, even folded up to 'B'
    assert values.iloc[-3:].isna().all()  # left out, and the row without a target


def test_the_data_stage_drops_left_out_rows_and_says_why() -> None:
    cats = ["a/b"] * 6 + ["a/c"] * 2 + ["a/d"] * 3 + ["e/f"]
    raw = pd.DataFrame({"x": range(12), "cat": cats})
    out, keep, warnings = path_target(raw, Target(column="cat", separator="/"), min_rows=5)
    assert keep.tolist() == [True] * 11 + [False]
    assert out["cat"].tolist() == ["a > b"] * 6 + ["a"] * 5
    assert "'a > c' into 'a'; 'a > d' into 'a'" in warnings[0]
    assert "'e > f': 1" in warnings[1]
    assert "left out of training and testing" in warnings[1]


def test_the_rows_a_class_needs_cover_the_folds_after_the_holdout() -> None:
    assert min_class_rows(5, 0.2) == 8  # ceil(5 / 0.8) + 1
    assert min_class_rows(3, None) == 4
