"""apply_types: each type's dtype, and the errors for values that cannot take their type."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import ColumnType
from shipml.core.errors import DataContractError
from shipml.data import ColumnTyping, apply_types


def _typing(**types: ColumnType) -> ColumnTyping:
    return ColumnTyping(types=dict(types), reasons=dict.fromkeys(types, "test"))


def test_casts_every_type_into_a_new_frame():
    df = pd.DataFrame(
        {
            "y": ["a", "b", "a"],
            "n": [1, 2, 3],
            "s": ["1.5", " 2 ", None],
            "b": ["Yes", "no", None],
            "c": [3, 4, None],
            "d": ["2024-01-01", "2024-01-02 10:00", None],
            "t": ["some words here", None, "more"],
            "i": [10, 11, 12],
        }
    )
    typing = _typing(
        n=ColumnType.NUMERIC,
        s=ColumnType.NUMERIC,
        b=ColumnType.BOOLEAN,
        c=ColumnType.CATEGORICAL,
        d=ColumnType.DATETIME,
        t=ColumnType.TEXT,
        i=ColumnType.ID,
    )
    out = apply_types(df, typing, target="y")
    assert out is not df
    assert df["n"].dtype == "int64"  # the input is untouched
    assert out["n"].dtype == "float64"
    assert out["s"].tolist()[:2] == [1.5, 2.0]
    assert np.isnan(out["s"].iloc[2])
    assert out["b"].tolist()[:2] == [1.0, 0.0]
    assert np.isnan(out["b"].iloc[2])
    assert out["c"].dtype == "str"
    assert out["c"].tolist()[:2] == ["3", "4"]
    assert out["c"].isna().iloc[2]
    assert out["d"].dtype == "datetime64[ns]"
    assert out["d"].iloc[1] == pd.Timestamp("2024-01-02 10:00")
    assert out["d"].isna().iloc[2]
    assert out["t"].dtype == "str"
    assert out["i"].tolist() == ["10", "11", "12"]
    assert out["y"].tolist() == ["a", "b", "a"]


def test_target_is_left_alone_even_if_typed():
    df = pd.DataFrame({"y": ["1", "2"], "x": [1, 2]})
    out = apply_types(df, _typing(y=ColumnType.NUMERIC, x=ColumnType.NUMERIC), target="y")
    assert out["y"].tolist() == ["1", "2"]


def test_bool_dtype_to_float():
    df = pd.DataFrame({"b": pd.array([True, False, None], dtype="boolean")})
    out = apply_types(df, _typing(b=ColumnType.BOOLEAN), target="y")
    assert out["b"].dtype == "float64"
    assert out["b"].tolist()[:2] == [1.0, 0.0]


def test_tz_aware_datetimes_become_naive_utc():
    when = pd.to_datetime(["2024-01-01 12:00"]).tz_localize("Europe/Paris")
    out = apply_types(pd.DataFrame({"w": when}), _typing(w=ColumnType.DATETIME), target="y")
    assert out["w"].dtype == "datetime64[ns]"
    assert out["w"].iloc[0] == pd.Timestamp("2024-01-01 11:00")


def test_blank_strings_are_missing_not_bad():
    df = pd.DataFrame({"n": ["1", " ", "3"]})
    out = apply_types(df, _typing(n=ColumnType.NUMERIC), target="y")
    assert out["n"].isna().tolist() == [False, True, False]


def test_non_numbers_in_numeric_column():
    df = pd.DataFrame({"price": ["1", "2", "n/a", "abc", "abc"]})
    with pytest.raises(DataContractError) as err:
        apply_types(df, _typing(price=ColumnType.NUMERIC), target="y")
    text = str(err.value)
    assert "'price'" in text
    assert "3 values" in text
    assert "'abc'" in text
    assert "'n/a'" in text
    assert err.value.fix == "fix the values or set features.types.price: categorical"


def test_unparseable_dates():
    df = pd.DataFrame({"when": ["2024-01-01", "someday", None]})
    with pytest.raises(DataContractError, match="'when'") as err:
        apply_types(df, _typing(when=ColumnType.DATETIME), target="y")
    assert "someday" in str(err.value)
    assert err.value.where == "when"


def test_non_boolean_values_in_boolean_column():
    df = pd.DataFrame({"b": ["yes", "maybe"]})
    with pytest.raises(DataContractError, match=r"'b'.*maybe"):
        apply_types(df, _typing(b=ColumnType.BOOLEAN), target="y")
