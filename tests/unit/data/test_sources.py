"""Loading CSV and Parquet files and globs, the period filter and the fingerprint."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from shipml.core.errors import DataContractError
from shipml.data import fingerprint, load_frame
from shipml.spec.model import Period


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", None], "c": [0.5, 1.5, 2.5]})


def test_reads_csv(tmp_path, frame):
    frame.to_csv(tmp_path / "t.csv", index=False)
    got = load_frame(str(tmp_path / "t.csv"))
    assert list(got.columns) == ["a", "b", "c"]
    assert got["a"].tolist() == [1, 2, 3]
    assert got["b"].isna().tolist() == [False, False, True]


def test_reads_gzipped_csv_and_tsv(tmp_path, frame):
    frame.to_csv(tmp_path / "t.csv.gz", index=False)
    frame.to_csv(tmp_path / "t.tsv", index=False, sep="\t")
    assert load_frame(str(tmp_path / "t.csv.gz"))["c"].tolist() == [0.5, 1.5, 2.5]
    assert list(load_frame(str(tmp_path / "t.tsv")).columns) == ["a", "b", "c"]


def test_reads_parquet(tmp_path, frame):
    frame.to_parquet(tmp_path / "t.parquet")
    frame.to_parquet(tmp_path / "t.pq")
    pd.testing.assert_frame_equal(load_frame(str(tmp_path / "t.parquet")), frame)
    assert len(load_frame(str(tmp_path / "t.pq"))) == 3


def test_glob_concatenates_in_sorted_name_order(tmp_path):
    pd.DataFrame({"a": [3], "b": ["z"]}).to_csv(tmp_path / "part-2.csv", index=False)
    pd.DataFrame({"a": [1], "b": ["x"]}).to_csv(tmp_path / "part-0.csv", index=False)
    pd.DataFrame({"b": ["y"], "a": [2]}).to_csv(tmp_path / "part-1.csv", index=False)
    got = load_frame(str(tmp_path / "part-*.csv"))
    assert got["a"].tolist() == [1, 2, 3]
    assert list(got.columns) == ["a", "b"]
    assert got.index.tolist() == [0, 1, 2]


def test_glob_with_disagreeing_columns_names_the_file(tmp_path):
    pd.DataFrame({"a": [1], "b": [2]}).to_parquet(tmp_path / "p0.parquet")
    pd.DataFrame({"a": [1], "zzz": [2]}).to_parquet(tmp_path / "p1.parquet")
    with pytest.raises(DataContractError) as err:
        load_frame(str(tmp_path / "*.parquet"))
    assert "p1.parquet" in str(err.value)
    assert "zzz" in str(err.value)
    assert "'b'" in str(err.value)


def test_glob_matching_nothing(tmp_path):
    with pytest.raises(DataContractError, match="no file matches") as err:
        load_frame(str(tmp_path / "*.csv"))
    assert err.value.where == "data.train"


def test_missing_file_names_the_path_and_field(tmp_path):
    path = str(tmp_path / "nope.csv")
    with pytest.raises(DataContractError) as err:
        load_frame(path, where="data.test")
    assert path in str(err.value)
    assert err.value.where == "data.test"
    assert err.value.fix


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(DataContractError, match="is a folder"):
        load_frame(str(tmp_path))


@pytest.mark.parametrize("content", ["", "a,b\n"])
def test_empty_file_or_header_only_has_no_rows(tmp_path, content):
    (tmp_path / "e.csv").write_text(content)
    with pytest.raises(DataContractError, match="has no rows") as err:
        load_frame(str(tmp_path / "e.csv"))
    assert "e.csv" in str(err.value)


def test_corrupt_parquet_names_the_file(tmp_path):
    (tmp_path / "bad.parquet").write_bytes(b"this is not parquet at all")
    with pytest.raises(DataContractError, match="could not be read") as err:
        load_frame(str(tmp_path / "bad.parquet"))
    assert "bad.parquet" in str(err.value)
    assert err.value.__cause__ is not None


def test_unknown_suffix(tmp_path):
    (tmp_path / "t.xlsx").write_text("x")
    with pytest.raises(DataContractError, match="neither CSV nor Parquet"):
        load_frame(str(tmp_path / "t.xlsx"))


@pytest.fixture
def dated(tmp_path):
    df = pd.DataFrame(
        {
            "when": ["2023-12-31", "2024-01-01", "2024-01-31 23:59:00", "2024-02-01", None],
            "v": [1, 2, 3, 4, 5],
        }
    )
    df.to_csv(tmp_path / "d.csv", index=False)
    return str(tmp_path / "d.csv")


def test_period_keeps_start_to_end_inclusive_of_the_whole_end_day(dated):
    period = Period(column="when", start=date(2024, 1, 1), end=date(2024, 1, 31))
    got = load_frame(dated, period=period)
    assert got["v"].tolist() == [2, 3]
    assert got.index.tolist() == [0, 1]


def test_period_with_open_start(dated):
    got = load_frame(dated, period=Period(column="when", end=date(2024, 1, 1)))
    assert got["v"].tolist() == [1, 2]


def test_period_on_tz_aware_parquet(tmp_path):
    when = pd.to_datetime(["2024-01-01 23:30", "2024-01-02 01:00"]).tz_localize("UTC")
    pd.DataFrame({"when": when, "v": [1, 2]}).to_parquet(tmp_path / "tz.parquet")
    period = Period(column="when", start=date(2024, 1, 1), end=date(2024, 1, 1))
    assert load_frame(str(tmp_path / "tz.parquet"), period=period)["v"].tolist() == [1]


def test_period_column_missing(dated):
    with pytest.raises(DataContractError) as err:
        load_frame(dated, period=Period(column="wehn", start=date(2024, 1, 1)))
    assert err.value.where == "data.period.column"
    assert "'wehn'" in str(err.value)
    assert "'when'" in str(err.value)  # the close match


def test_period_leaving_no_rows_names_the_period(dated):
    period = Period(column="when", start=date(2030, 1, 1), end=date(2030, 12, 31))
    with pytest.raises(DataContractError, match="2030-01-01 to 2030-12-31") as err:
        load_frame(dated, period=period)
    assert err.value.where == "data.period"


def test_fingerprint_is_stable_and_sensitive(frame):
    same = frame.copy()
    assert fingerprint(frame) == fingerprint(same)
    assert len(fingerprint(frame)) == 64
    changed = frame.copy()
    changed.loc[0, "c"] = 9.0
    assert fingerprint(changed) != fingerprint(frame)
    assert fingerprint(frame.rename(columns={"a": "z"})) != fingerprint(frame)
    assert fingerprint(frame.astype({"a": "float64"})) != fingerprint(frame)


def test_fingerprint_is_stable_across_processes(tmp_path, frame):
    """String hashing must not depend on the interpreter's per-process hash seed."""
    frame.to_parquet(tmp_path / "f.parquet")
    here = fingerprint(load_frame(str(tmp_path / "f.parquet")))
    code = (
        "import sys; from shipml.data import fingerprint, load_frame; "
        "print(fingerprint(load_frame(sys.argv[1])))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "f.parquet")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert out.stdout.strip() == here
