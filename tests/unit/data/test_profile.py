"""profile_table: column summaries, identifier/PII/future-datetime suspects, JSON and text."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import ColumnType
from shipml.data import (
    DatasetProfile,
    Suspect,
    apply_types,
    infer_column_types,
    profile_table,
    render_profile_text,
)

N = 50


@pytest.fixture
def df() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    start = pd.Timestamp("2024-01-01")
    ordered = start + pd.to_timedelta(np.arange(N), unit="D")
    return pd.DataFrame(
        {
            "y": rng.choice(["churn", "stay"], N),
            "row": np.arange(N),
            "ticket": [f"T{i:04d}" for i in range(N)],
            "customer": np.repeat([f"C{i}" for i in range(10)], N // 10),
            "amount": np.append(rng.normal(100, 10, N - 1), np.nan),
            "plan": rng.choice(["basic", "pro"], N),
            "email": [f"person{i}@mail.com" for i in range(N)],
            "ordered_at": ordered,
            "cancelled_at": ordered + pd.to_timedelta(rng.integers(1, 30, N), unit="D"),
            "signed_up": ordered - pd.to_timedelta(rng.integers(1, 300, N), unit="D"),
            "score": rng.permutation(N),
        }
    )


def _profile(df, *, time_column=None, cast=False) -> DatasetProfile:
    typing = infer_column_types(df, target="y", overrides={})
    frame = apply_types(df, typing, target="y") if cast else df
    return profile_table(frame, typing, target="y", time_column=time_column)


def test_shape_target_and_columns(df):
    profile = _profile(df)
    assert (profile.n_rows, profile.n_columns, profile.n_duplicate_rows) == (N, 11, 0)
    assert profile.target == "y"
    assert profile.target_summary["kind"] == "classes"
    assert sum(profile.target_summary["classes"].values()) == N
    by_name = {c.name: c for c in profile.columns}
    assert "y" not in by_name
    amount = by_name["amount"]
    assert amount.type is ColumnType.NUMERIC
    assert amount.n_missing == 1
    assert amount.missing_fraction == pytest.approx(1 / N)
    assert set(amount.summary) == {"min", "max", "mean", "std", "q05", "median", "q95"}
    assert by_name["plan"].summary["top"].keys() == {"basic", "pro"}
    assert by_name["ordered_at"].summary["min"] == "2024-01-01T00:00:00"


def test_identifier_suspects(df):
    kinds = {s.column: s.kind for s in _profile(df).suspects}
    assert kinds["ticket"] == "identifier"  # strings unique per row
    assert kinds["row"] == "identifier"  # integers unique per row and in order
    assert "customer" not in kinds  # repeats: a group, not an identifier
    assert "score" not in kinds  # unique integers but in no order
    assert "amount" not in kinds


def test_identifier_suspects_survive_casting(df):
    assert {"row", "ticket"} <= _profile(df, cast=True).suspect_columns()


def test_pii_suspect_hides_values(df):
    first = ["Alice", "Bob", "Carla", "Dan", "Eve", "Frank", "Grace", "Hank", "Ivy", "Jack"]
    last = ["Smith", "Jones", "Diaz", "Brown", "Adams"]
    df["contact"] = [f"{f} {s}" for f in first for s in last]
    profile = _profile(df)
    pii = {s.column for s in profile.suspects if s.kind == "pii"}
    assert pii == {"email", "contact"}
    contact = next(c for c in profile.columns if c.name == "contact")
    assert "Alice Smith" not in json.dumps(contact.to_dict())


def test_future_datetime_suspects(df):
    profile = _profile(df, time_column="ordered_at")
    future = [s for s in profile.suspects if s.kind == "future_datetime"]
    assert [s.column for s in future] == ["cancelled_at"]
    assert "'ordered_at'" in future[0].reason
    assert "100%" in future[0].reason
    assert not any(s.kind == "future_datetime" for s in _profile(df).suspects)


def test_future_datetimes_from_strings(df):
    for col in ("ordered_at", "cancelled_at", "signed_up"):
        df[col] = df[col].dt.strftime("%Y-%m-%d")
    found = {
        s.column
        for s in _profile(df, time_column="ordered_at").suspects
        if s.kind == "future_datetime"
    }
    assert found == {"cancelled_at"}


def test_to_dict_is_json_serializable(df):
    df["empty"] = np.nan
    df["flag"] = ["yes", "no"] * (N // 2)
    data = _profile(df, time_column="ordered_at", cast=True).to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["n_rows"] == N
    assert {"column": "cancelled_at", "kind": "future_datetime"}.items() <= next(
        s for s in data["suspects"] if s["column"] == "cancelled_at"
    ).items()
    flag = next(c for c in data["columns"] if c["name"] == "flag")
    assert flag["type"] == "boolean"
    assert flag["summary"]["top"] == {"true": N // 2, "false": N // 2}


def test_numeric_target_summary():
    df = pd.DataFrame({"y": np.linspace(0, 1, 30), "x": range(30)})
    typing = infer_column_types(df, target="y", overrides={})
    summary = profile_table(df, typing, target="y").target_summary
    assert summary["kind"] == "numeric"
    assert summary["max"] == 1.0


def test_render_text_lists_columns_and_suspects(df):
    profile = _profile(df, time_column="ordered_at")
    text = render_profile_text(profile)
    assert f"{N} rows, 11 columns" in text
    assert "amount [numeric]" in text
    assert "ticket (identifier)" in text
    assert "cancelled_at (future_datetime)" in text
    assert len(text.splitlines()) < 3 * len(profile.columns) + 20


def test_suspect_columns():
    profile = DatasetProfile(
        n_rows=1,
        n_columns=1,
        n_duplicate_rows=0,
        target="y",
        target_summary={},
        columns=(),
        suspects=(Suspect("a", "pii", "r"), Suspect("a", "identifier", "r")),
    )
    assert profile.suspect_columns() == {"a"}


def test_real_adult_profile(real_frame):
    df = real_frame("adult_census_income")
    typing = infer_column_types(df, target="income", overrides={})
    profile = profile_table(apply_types(df, typing, target="income"), typing, target="income")
    assert profile.target_summary["classes"].keys() == {"<=50K", ">50K"}
    assert profile.suspect_columns() == set()
    json.dumps(profile.to_dict(), allow_nan=False)
