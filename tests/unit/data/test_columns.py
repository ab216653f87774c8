"""Column typing: inference rules on pandas 3 `str` columns, overrides, and real datasets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import ColumnType
from shipml.data import ColumnTyping, infer_column_types

N = 60


def _typed(df: pd.DataFrame, **kwargs) -> ColumnTyping:
    return infer_column_types(df, target=kwargs.pop("target", "y"), overrides={}, **kwargs)


@pytest.fixture
def mixed() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta"]
    return pd.DataFrame(
        {
            "y": rng.integers(0, 2, N),
            "colour": rng.choice(["red", "green", "blue"], N),
            "member": rng.choice(["Yes", "no", "Y", "N"], N),
            "flag": rng.choice([True, False], N),
            "age": rng.integers(18, 90, N),
            "amount": rng.normal(size=N),
            "signup": [
                f"2024-{m:02d}-{d:02d}"
                for m, d in zip(rng.integers(1, 13, N), rng.integers(1, 28, N), strict=True)
            ],
            "customer_id": np.arange(1000, 1000 + N),
            "code": [f"C-{i:05d}" for i in range(N)],
            "note": [" ".join(rng.choice(words, 12)) + f" {i}" for i in range(N)],
            "year_text": [str(y) for y in rng.integers(1990, 2020, N)],
            "zip": [f"0{z}" for z in rng.integers(1000, 1010, N)],
        }
    )


def test_types_and_order(mixed):
    typing = _typed(mixed)
    assert list(typing.types) == [c for c in mixed.columns if c != "y"]
    assert mixed["colour"].dtype == "str"
    expected = {
        "colour": ColumnType.CATEGORICAL,
        "member": ColumnType.BOOLEAN,
        "flag": ColumnType.BOOLEAN,
        "age": ColumnType.NUMERIC,
        "amount": ColumnType.NUMERIC,
        "signup": ColumnType.DATETIME,
        "customer_id": ColumnType.ID,
        "code": ColumnType.ID,
        "note": ColumnType.TEXT,
        "year_text": ColumnType.NUMERIC,
        "zip": ColumnType.CATEGORICAL,
    }
    assert typing.types == expected
    assert set(typing.reasons) == set(expected)
    assert typing.reasons["colour"] == "text column with 3 distinct values"
    assert "identifier" in typing.reasons["code"]


def test_plain_numbers_as_strings_are_not_dates():
    df = pd.DataFrame({"y": range(30), "n": [str(20240101 + i) for i in range(30)]})
    assert _typed(df).types["n"] is ColumnType.NUMERIC


def test_month_names_are_not_dates():
    df = pd.DataFrame({"y": range(24), "m": ["May", "June", "July"] * 8})
    assert _typed(df).types["m"] is ColumnType.CATEGORICAL


def test_timestamps_with_zones_are_dates_even_if_unique():
    stamps = [f"2024-03-{d:02d}T10:{d:02d}:00+02:00" for d in range(1, 29)]
    df = pd.DataFrame({"y": range(28), "at": stamps})
    assert _typed(df).types["at"] is ColumnType.DATETIME


def test_a_few_unparseable_values_keep_a_column_categorical():
    values = [f"2024-01-{d:02d}" for d in range(1, 11)] + ["soon", "later"] * 5
    df = pd.DataFrame({"y": range(20), "d": values})
    assert _typed(df).types["d"] is ColumnType.CATEGORICAL


def test_unique_integers_without_an_id_name_stay_numeric():
    df = pd.DataFrame({"y": range(50), "income": np.arange(50) * 1000 + 7})
    assert _typed(df).types["income"] is ColumnType.NUMERIC


@pytest.mark.parametrize(
    "name",
    ["id", "order_id", "id_order", "CustomerID", "uuid", "key", "account_number", "invoice_no"],
)
def test_identifier_names_on_unique_integers(name):
    df = pd.DataFrame({"y": range(40), name: np.arange(40)[::-1]})
    assert _typed(df).types[name] is ColumnType.ID


def test_unique_number_strings_with_an_id_name_are_ids():
    df = pd.DataFrame({"y": range(30), "order_id": [str(5000 + i) for i in range(30)]})
    typing = _typed(df)
    assert typing.types["order_id"] is ColumnType.ID
    assert "identifier-like name" in typing.reasons["order_id"]


def test_repeating_integer_id_is_numeric_not_id():
    df = pd.DataFrame({"y": range(40), "user_id": np.repeat(np.arange(10), 4)})
    assert _typed(df).types["user_id"] is ColumnType.NUMERIC


def test_short_columns_are_never_ids():
    df = pd.DataFrame({"y": range(5), "code": list("abcde")})
    assert _typed(df).types["code"] is ColumnType.CATEGORICAL


def test_override_wins_and_is_recorded(mixed):
    typing = infer_column_types(
        mixed, target="y", overrides={"age": ColumnType.CATEGORICAL, "y": ColumnType.TEXT}
    )
    assert typing.types["age"] is ColumnType.CATEGORICAL
    assert typing.reasons["age"] == "spec override"
    assert "y" not in typing.types


def test_exclude_skips_columns(mixed):
    typing = _typed(mixed, exclude=["note", "code"])
    assert "note" not in typing.types
    assert "code" not in typing.types
    assert "colour" in typing.types


def test_all_null_column_is_numeric_with_a_reason():
    df = pd.DataFrame({"y": [1, 2, 3], "empty": [None, None, None]})
    typing = _typed(df)
    assert typing.types["empty"] is ColumnType.NUMERIC
    assert "all values missing" in typing.reasons["empty"]


def test_adult_census_income(real_frame):
    typing = _typed(real_frame("adult_census_income"), target="income")
    assert typing.types["fnlwgt"] is ColumnType.NUMERIC
    assert typing.types["age"] is ColumnType.NUMERIC
    assert typing.types["sex"] is ColumnType.CATEGORICAL
    assert typing.types["native_country"] is ColumnType.CATEGORICAL
    assert "income" not in typing.types


def test_telco_churn_total_charges_numeric_with_missing(real_frame):
    df = real_frame("telco_churn")
    typing = _typed(df, target="churn")
    assert df["total_charges"].isna().sum() == 11
    assert typing.types["total_charges"] is ColumnType.NUMERIC
    assert typing.types["contract"] is ColumnType.CATEGORICAL


def test_diamonds_cut(real_frame):
    typing = _typed(real_frame("diamonds_cut"), target="cut")
    assert typing.types["price"] is ColumnType.NUMERIC
    assert typing.types["carat"] is ColumnType.NUMERIC
    assert typing.types["clarity"] is ColumnType.CATEGORICAL
    assert len(typing.types) == 9


def test_fine_food_review_is_text(real_frame):
    typing = _typed(real_frame("fine_food_reviews"), target="score")
    assert typing.types["review"] is ColumnType.TEXT


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([f"{d} Jan 2024" for d in range(1, 29)], ColumnType.DATETIME),
        ([f"01/{d:02d}/2023" for d in range(1, 29)], ColumnType.DATETIME),
        ([f"T{i:04d}" for i in range(28)], ColumnType.ID),
        ([f"{i}-{i + 1}" for i in range(4)] * 7, ColumnType.CATEGORICAL),
    ],
)
def test_only_date_shaped_strings_are_dates(values, expected):
    df = pd.DataFrame({"y": range(len(values)), "v": values})
    assert _typed(df).types["v"] is expected
