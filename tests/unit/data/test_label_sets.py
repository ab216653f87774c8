"""Multilabel targets: flag columns joined into label sets, labels read back, every error path
named by its field and label."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shipml.core.errors import DataContractError
from shipml.data.label_sets import (
    JOIN,
    join_label_columns,
    read_label_sets,
    summarize_label_sets,
)
from shipml.spec.model import Target


def _flags() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0, 4.0],
            "tech": [1, 0, 1, np.nan],
            "finance": [True, True, False, True],
            "sport": ["yes", "no", "no", "no"],
        }
    )


def test_flag_columns_become_one_column_of_label_sets_and_a_missing_flag_an_unknown_set() -> None:
    target = Target(columns=["tech", "finance", "sport"])
    out = join_label_columns(_flags(), target)
    assert list(out.columns) == ["x", "labels"]
    assert out["labels"].tolist()[:3] == ["tech|finance|sport", "finance", "tech"]
    assert out["labels"].isna().tolist() == [False, False, False, True]


def test_a_flag_column_with_other_values_is_named_with_examples() -> None:
    table = _flags().assign(sport=["yes", "maybe", "no", "no"])
    with pytest.raises(DataContractError, match=r"'sport' holds values other than 0/1") as info:
        join_label_columns(table, Target(columns=["tech", "sport"]))
    assert info.value.where == "target.columns"
    assert "maybe" in info.value.detail


def test_absent_flag_columns_and_a_taken_name_are_refused_by_field() -> None:
    with pytest.raises(DataContractError, match=r"\['golf'\] are not in the data") as info:
        join_label_columns(_flags(), Target(columns=["tech", "golf"]))
    assert info.value.where == "target.columns"
    taken = _flags().assign(labels=1)
    with pytest.raises(DataContractError, match="already has a column 'labels'") as info:
        join_label_columns(taken, Target(columns=["tech", "finance"]))
    assert info.value.where == "target.column"


def test_labels_too_rare_for_the_folds_are_set_aside_and_named() -> None:
    values = pd.Series(["a|b"] * 6 + ["a"] * 6 + ["b"] * 4 + ["b|rare"] * 2 + ["c"] * 4)
    sets = read_label_sets(values, separator=JOIN, order=None, folds=3)
    assert sets.labels == ("a", "b", "c")  # most frequent first
    assert sets.set_aside == {"rare": "2 positive rows, fewer than the 3 validation folds"}
    assert sets.Y.sum(axis=0).tolist() == [12, 12, 4]
    assert sets.Y.shape == (22, 3)


def test_fewer_than_two_usable_labels_is_a_clear_error() -> None:
    values = pd.Series(["a"] * 10 + ["a|b"])
    with pytest.raises(DataContractError, match="at least two labels") as info:
        read_label_sets(values, separator=JOIN, order=None, folds=5)
    assert "b: 1 positive rows" in info.value.detail
    assert info.value.where == "target.column"


def test_a_separated_column_is_read_with_its_own_separator_and_spaces_trimmed() -> None:
    values = pd.Series(["drama, comedy", "comedy", "drama", "comedy , drama", "drama"] * 2)
    sets = read_label_sets(values, separator=",", order=None, folds=2)
    assert sets.labels == ("drama", "comedy")
    assert sets.Y[0].tolist() == [1, 1]


def test_the_profile_counts_labels_and_pairs_not_every_distinct_set() -> None:
    summary = summarize_label_sets(pd.Series(["a|b", "a|b|c", "a", None]), JOIN)
    assert summary["kind"] == "label_sets"
    assert summary["rows_per_label"] == {"a": 3, "b": 2, "c": 1}
    assert summary["labels_per_row"] == {"mean": 2.0, "min": 1, "max": 3}
    assert summary["most_frequent_pairs"]["a+b"] == 2
    assert summary["n_missing"] == 1


def test_the_spec_takes_one_label_form_and_no_repeated_column() -> None:
    assert Target(columns=["a", "b"]).column == "labels"
    assert Target(column="tags", separator="|").label_sets
    with pytest.raises(ValueError, match="not both"):
        Target(columns=["a", "b"], separator="|")
    with pytest.raises(ValueError, match="names a column twice"):
        Target(columns=["a", "a"])
