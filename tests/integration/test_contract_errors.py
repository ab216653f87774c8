"""Bad input through `train`: each error names the column or field and what to do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shipml
from shipml.core.errors import DataContractError, ShipmlError, SpecError

from .conftest import make_table, write_spec


def _train(tmp_path: Path, data: pd.DataFrame, **spec: object) -> None:
    shipml.train(write_spec(tmp_path, data, **spec), track=False)


def test_missing_target_column(tmp_path: Path) -> None:
    with pytest.raises(DataContractError, match="boughtt") as err:
        _train(tmp_path, make_table(200), target={"column": "boughtt"})
    assert "bought" in str(err.value)


def test_missing_spec_column(tmp_path: Path) -> None:
    with pytest.raises(DataContractError, match=r"validation\.group_column"):
        _train(tmp_path, make_table(200), validation={"group_column": "shop"})


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DataContractError, match="no rows"):
        _train(tmp_path, make_table(200).head(0))


def test_single_class(tmp_path: Path) -> None:
    df = make_table(200).assign(bought="yes")
    with pytest.raises(ShipmlError, match="bought"):
        _train(tmp_path, df, target={"column": "bought"})


def test_too_few_rows_of_a_class(tmp_path: Path) -> None:
    df = make_table(200)
    df["bought"] = np.where(np.arange(200) < 2, "yes", "no")
    with pytest.raises(DataContractError, match="folds"):
        _train(tmp_path, df)


def test_absent_positive_class(tmp_path: Path) -> None:
    with pytest.raises(DataContractError, match="YES"):
        _train(tmp_path, make_table(200), target={"column": "bought", "positive": "YES"})


def test_wrong_type_override(tmp_path: Path) -> None:
    with pytest.raises(DataContractError, match="colour"):
        _train(tmp_path, make_table(200), features={"types": {"colour": "numeric"}})


def test_all_null_named_column(tmp_path: Path) -> None:
    df = make_table(200).assign(empty=np.nan)
    with pytest.raises(DataContractError, match="empty"):
        _train(tmp_path, df, features={"include": ["x1", "empty"]})


def test_metric_that_does_not_fit_the_inferred_task(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"metrics\.primary"):
        _train(tmp_path, make_table(200), metrics={"primary": "rmse"}, target={"column": "bought"})


def test_unseen_category_goes_to_the_unknown_bucket(
    trained: shipml.TrainingResult, spec_path: Path
) -> None:
    df = pd.read_parquet(spec_path.parent / "data.parquet").head(10).copy()
    df["colour"] = ["purple"] * 5 + list(df["colour"][5:])
    out = trained.model.predict_frame(df)
    assert out.attrs["unseen"] == {"colour": 5}
    assert out["proba_yes"].between(0, 1).all()
