"""scaffold_spec (`shipml init`): inferred choices, their comments, and the YAML loading back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from shipml.core.errors import DataContractError
from shipml.scaffold import ScaffoldResult, scaffold_spec
from shipml.spec.load import validate_raw
from shipml.spec.model import ModelSpec
from shipml.tasks import load_spec
from shipml.tasks.spec_checks import task_problems

DATA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data"
N = 200
SPLIT = {"column": "split", "value": "test"}
RANDOM = {"fraction": 0.2}


def _dataset(name: str) -> Path:
    path = DATA_DIR / f"{name}.parquet"
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path


def _loads_back(result: ScaffoldResult) -> ModelSpec:
    raw = yaml.safe_load(result.text)
    assert raw == result.spec
    return validate_raw(raw, (task_problems,))  # every check, the task's included


def _write(tmp_path: Path, df: pd.DataFrame, name: str = "table.csv") -> Path:
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("name", "target", "task", "positive", "primary", "holdout"),
    [
        ("adult_census_income", "income", "binary", ">50K", "roc_auc", SPLIT),
        ("telco_churn", "churn", "binary", "Yes", "roc_auc", RANDOM),
        ("diamonds_cut", "cut", "multiclass", None, "log_loss", RANDOM),
        ("diamonds_cut", "price", "regression", None, "rmse", RANDOM),
        ("cps1988_wages", "wage", "regression", None, "rmse", RANDOM),
        ("digits_8x8", "target", "multiclass", None, "log_loss", RANDOM),
        ("fine_food_reviews", "score", "binary", "other", "roc_auc", SPLIT),
        ("shuttle_anomaly", "anomaly", "binary", "1", "average_precision", RANDOM),
    ],
)
def test_real_datasets(
    name: str,
    target: str,
    task: str,
    positive: str | None,
    primary: str,
    holdout: dict[str, Any],
    tmp_path: Path,
) -> None:
    result = scaffold_spec(_dataset(name), target, out_path=tmp_path / "spec.yaml")
    spec = _loads_back(result)
    assert (spec.task, spec.target.column, spec.target.positive) == (task, target, positive)
    assert spec.metrics.primary == primary
    assert result.spec["validation"]["holdout"] == holdout
    assert result.spec["validation"]["strategy"] == "stratified"
    assert spec.name == name
    assert Path(spec.data.train).name == f"{name}.parquet"
    assert "say what the model is for" in result.text
    assert any(note.startswith("metrics.primary: ") for note in result.notes)
    if positive is not None:
        assert f"positive: {positive!r}".replace("'", '"') in result.text  # always quoted
        assert "minority" in result.text
    else:
        assert "positive" not in result.spec["target"]


def test_integer_target_read_as_classes_says_so(tmp_path: Path) -> None:
    result = scaffold_spec(_dataset("digits_8x8"), "target", out_path=tmp_path / "spec.yaml")
    task_comment = result.text.split("\ntask: multiclass")[0].rsplit("\n\n", 1)[1]
    assert "read as classes" in task_comment
    assert "task: regression" in task_comment


def test_rare_positives_explain_average_precision(tmp_path: Path) -> None:
    result = scaffold_spec(_dataset("shuttle_anomaly"), "anomaly", out_path=tmp_path / "s.yaml")
    assert "positives are rare (7.2%)" in result.text
    assert result.spec["metrics"]["secondary"] == ["roc_auc", "log_loss", "brier"]


def test_text_and_identifier_columns(tmp_path: Path) -> None:
    result = scaffold_spec(_dataset("fine_food_reviews"), "score", out_path=tmp_path / "s.yaml")
    features = result.spec["features"]
    assert features["types"] == {"review": "text"}
    assert features["exclude"] == ["product"]
    assert '"review": text  # free text' in result.text
    assert "'split' is the holdout marker" in result.text


def test_column_types_listed_in_a_comment(tmp_path: Path) -> None:
    result = scaffold_spec(_dataset("adult_census_income"), "income", out_path=tmp_path / "s.yaml")
    comments = " ".join(line.strip("# ") for line in result.text.splitlines() if "#" in line)
    assert "age: numeric" in comments
    assert "workclass: categorical" in comments


def _frame(extra: dict[str, Any]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    base = {"amount": rng.normal(100, 10, N), "y": rng.choice(["churn", "stay"], N, p=[0.3, 0.7])}
    return pd.DataFrame({**base, **extra})


def test_repeating_customer_id_gives_group_strategy(tmp_path: Path) -> None:
    customers = np.repeat([f"C{i:03d}" for i in range(40)], N // 40)
    path = _write(tmp_path, _frame({"customer_id": customers}))
    result = scaffold_spec(path, "y", out_path=tmp_path / "spec.yaml")
    spec = _loads_back(result)
    assert (spec.validation.strategy, spec.validation.group_column) == ("group", "customer_id")
    assert "customer_id" not in spec.features.exclude
    assert "40 entities" in result.text


def test_event_datetime_gives_time_strategy(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    events = pd.date_range("2024-01-01", periods=N, freq="D")
    shipped = events + pd.to_timedelta(rng.integers(1, 20, N), unit="D")
    path = _write(tmp_path, _frame({"event_time": events, "shipped_at": shipped}))
    result = scaffold_spec(path, "y", out_path=tmp_path / "spec.yaml")
    spec = _loads_back(result)
    assert (spec.validation.strategy, spec.validation.time_column) == ("time", "event_time")
    assert spec.features.types["event_time"] == "datetime"
    assert "shipped_at" in spec.features.exclude  # known only after the event
    assert "event time" in result.text


def test_email_column_is_excluded_as_a_suspect(tmp_path: Path) -> None:
    path = _write(tmp_path, _frame({"email": [f"person{i}@mail.com" for i in range(N)]}))
    result = scaffold_spec(path, "y", out_path=tmp_path / "spec.yaml")
    assert _loads_back(result).features.exclude == ["email"]
    assert "pii:" in result.text
    assert any(n.startswith("features.exclude: email") for n in result.notes)


def test_yes_no_labels_and_capitalised_test_value(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=N),
            "Churned": rng.choice(["Yes", "No"], N, p=[0.2, 0.8]),
            "data_set": rng.choice(["Train", "Test"], N),
        }
    )
    result = scaffold_spec(_write(tmp_path, df), "Churned", out_path=tmp_path / "spec.yaml")
    spec = _loads_back(result)
    assert spec.target.positive == "Yes"
    assert spec.validation.holdout.column == "data_set"
    assert spec.validation.holdout.value == "Test"


def test_tied_boolean_target_takes_true_as_positive(tmp_path: Path) -> None:
    path = _write(tmp_path, _frame({"label": [True, False] * (N // 2)}))
    result = scaffold_spec(path, "label", out_path=tmp_path / "spec.yaml")
    assert _loads_back(result).target.positive == "True"
    assert "tied" in result.text


def test_data_path_relative_to_the_spec_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    path = _write(tmp_path / "data", _frame({}), "My Table (v2).csv")
    out = tmp_path / "specs" / "spec.yaml"
    result = scaffold_spec(path, "y", out_path=out)
    assert result.spec["data"]["train"] == "../data/My Table (v2).csv"
    assert result.spec["name"] == "My-Table-v2"
    out.parent.mkdir()
    out.write_text(result.text, encoding="utf-8")
    loaded = load_spec(out)
    assert Path(loaded.resolve(loaded.spec.data.train)).is_file()


def test_given_name_is_made_valid(tmp_path: Path) -> None:
    result = scaffold_spec(_write(tmp_path, _frame({})), "y", name="churn model!")
    assert _loads_back(result).name == "churn-model"


def test_missing_file_names_close_matches(tmp_path: Path) -> None:
    _write(tmp_path, _frame({}), "churn.csv")
    with pytest.raises(DataContractError, match=r"no data file .*churn\.csv"):
        scaffold_spec(tmp_path / "chrun.csv", "y")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataContractError, match="no rows"):
        scaffold_spec(path, "y")


def test_target_not_in_columns_names_it_and_a_close_match(tmp_path: Path) -> None:
    path = _write(tmp_path, _frame({"income": np.arange(N)}))
    with pytest.raises(DataContractError) as info:
        scaffold_spec(path, "incom")
    message = str(info.value)
    assert "'incom'" in message
    assert "'income'" in message
    assert "--target" in message


def test_single_class_target(tmp_path: Path) -> None:
    path = _write(tmp_path, _frame({"label": ["same"] * N}))
    with pytest.raises(DataContractError, match="'label' holds the single value 'same'"):
        scaffold_spec(path, "label")
