"""Data that validates as a spec but used to crash `train` or `predict`: each is now an error
that names the field or column (or, for infinite features, a counted warning)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import shipml
from shipml.core.errors import DataContractError
from shipml.data.sources import iter_chunks
from shipml.pipeline.prepare import prepare_data
from shipml.tasks import load_spec

from .conftest import make_table, write_spec


def _train(tmp_path: Path, table: pd.DataFrame, /, **spec: object) -> None:
    shipml.train(write_spec(tmp_path, table, **spec), track=False)


def _profiled(prepared: object, name: str) -> object:
    return next(c for c in prepared.profile.columns if c.name == name)  # type: ignore[attr-defined]


@pytest.mark.parametrize("fraction", [0.99, 0.001])
def test_holdout_fraction_that_leaves_too_few_rows(tmp_path: Path, fraction: float) -> None:
    validation = {"folds": 3, "holdout": {"fraction": fraction}}
    with pytest.raises(DataContractError, match=r"too few|training rows") as err:
        _train(tmp_path, make_table(200), validation=validation)
    assert err.value.where.startswith("validation.holdout")


@pytest.mark.parametrize(
    ("weights", "words"), [(0.0, "every weight"), (np.inf, "infinite"), (-np.inf, "negative")]
)
def test_bad_weights(tmp_path: Path, weights: float, words: str) -> None:
    df = make_table(200).assign(w=1.0)
    df.loc[: (199 if words == "every weight" else 3), "w"] = weights
    with pytest.raises(DataContractError, match=words) as err:
        _train(tmp_path, df, data={"train": "data.parquet", "weight": "w"})
    assert "'w'" in str(err.value)
    assert err.value.where == "data.weight"


def test_infinite_regression_target(tmp_path: Path) -> None:
    df = make_table(200).assign(spend=lambda d: d["x1"] * 3)
    df.loc[[4, 9], "spend"] = np.inf
    with pytest.raises(DataContractError, match=r"'spend' is infinite in 2 rows \(rows \[4, 9\]"):
        _train(tmp_path, df.drop(columns="bought"), target={"column": "spend"})


def test_infinite_feature_counts_as_missing(tmp_path: Path) -> None:
    df = make_table(300)
    df.loc[:9, "x1"] = np.inf
    df.loc[10:11, "noise"] = -np.inf
    prepared = prepare_data(load_spec(write_spec(tmp_path, df)))
    assert any("'x1' holds 10 infinite" in w for w in prepared.warnings)
    assert _profiled(prepared, "x1").n_infinite == 10  # type: ignore[attr-defined]
    assert _profiled(prepared, "noise").n_infinite == 2  # type: ignore[attr-defined]
    assert prepared.table["x1"].head(10).isna().all()


def test_infinite_feature_trains(tmp_path: Path) -> None:
    df = make_table(300)
    df.loc[:29, "x1"] = np.inf
    result = shipml.train(write_spec(tmp_path, df, constraints={"n_trials": 2}), track=False)
    assert np.isfinite(result.model.predict_frame(df.head(40))["proba_yes"]).all()


@pytest.mark.parametrize(
    "kind",
    [pa.list_(pa.int64()), pa.struct([("a", pa.int64())]), pa.map_(pa.string(), pa.int64())],
    ids=["list", "struct", "map"],
)
def test_nested_parquet_column_is_refused_by_name(tmp_path: Path, kind: pa.DataType) -> None:
    df = make_table(200)
    table = pa.Table.from_pandas(df, preserve_index=False)
    if pa.types.is_list(kind):
        values = pa.array([[1, 2]] * 200, type=kind)
    elif pa.types.is_struct(kind):
        values = pa.array([{"a": 1}] * 200, type=kind)
    else:
        values = pa.array([[("k", 1)]] * 200, type=kind)
    table = table.append_column("tags", values)
    write_spec(tmp_path, df)
    pq.write_table(table, tmp_path / "data.parquet")
    with pytest.raises(DataContractError, match="nested") as err:
        shipml.train(tmp_path / "spec.yaml", track=False)
    assert err.value.where == "tags"


def test_test_file_errors_name_data_test(tmp_path: Path) -> None:
    write_spec(tmp_path, make_table(200))
    (tmp_path / "test.csv").write_bytes(b"\x00\x01junk")
    spec = (
        (tmp_path / "spec.yaml")
        .read_text()
        .replace("train: data.parquet", "train: data.parquet\n  test: test.parquet")
    )
    (tmp_path / "test.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "spec.yaml").write_text(spec)
    with pytest.raises(DataContractError) as err:
        shipml.train(tmp_path / "spec.yaml", track=False)
    assert err.value.where == "data.test"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("junk.parquet", b"PAR1\x00\x00garbage"),
        ("junk.csv", b'a,b\n"1,2\n\x00\xff\xfe'),
    ],
)
def test_unreadable_files_to_score(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DataContractError) as err:
        list(iter_chunks(str(tmp_path / name), 100))
    assert name in str(err.value) or "no rows" in str(err.value)


@pytest.mark.parametrize("name", ["UPPER.CSV", "rows.tsv.gz", "rows.TSV", "rows.PQ"])
def test_files_to_score_read_like_training(tmp_path: Path, name: str) -> None:
    df = make_table(50)
    path = tmp_path / name
    if name.lower().endswith(".pq"):
        df.to_parquet(path)
    else:
        df.to_csv(path, sep="\t" if ".tsv" in name.lower() else ",", index=False)
    chunks = list(iter_chunks(str(path), 20))
    assert [len(c) for c in chunks] == [20, 20, 10]
    assert list(chunks[0].columns) == list(df.columns)
