"""The CLI in-process (Typer's CliRunner): exit codes, messages, --json output."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import shipml
from shipml.cli import app

from .conftest import make_table, write_spec

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "validate", "schema", "profile", "train", "predict", "promote"):
        assert command in result.output


def test_validate_good_and_bad(tmp_path: Path, spec_path: Path) -> None:
    assert runner.invoke(app, ["validate", str(spec_path)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndata: {train: a.csv}\ntarget: {column: y}\nvalidation: {foldz: 3}\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "validation.foldz" in result.output
    assert "did you mean 'folds'" in result.output
    assert "Traceback" not in result.output


def test_validate_missing_file_and_broken_yaml(tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")]).exit_code == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ndata: [unclosed\n")
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 2
    assert "line" in result.output


def test_schema_is_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.output)
    assert {"name", "data", "target", "validation", "constraints"} <= set(schema["properties"])


def test_train_json_and_predict(tmp_path: Path, home: Path) -> None:
    spec = write_spec(tmp_path, make_table(500), name="cli-shop", constraints={"n_trials": 4})
    result = runner.invoke(app, ["train", str(spec), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["registered"]["alias"] == "champion"
    data = tmp_path / "score.csv"
    frame = make_table(50, seed=9)
    frame.loc[:4, "colour"] = "purple"
    frame.drop(columns=["bought"]).to_csv(data, index=False)
    out = tmp_path / "pred.parquet"
    result = runner.invoke(app, ["predict", "cli-shop", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 values of 'colour' were never seen" in result.output
    pred = pd.read_parquet(out)
    assert {"customer_id", "prediction", "proba_yes", "model_version"} <= set(pred.columns)
    assert len(pred) == 50
    assert set(pred["prediction"]) <= {"yes", "no"}
    strict = runner.invoke(app, ["predict", "cli-shop", str(data), "--out", str(out), "--strict"])
    assert strict.exit_code == 2
    assert "colour" in strict.output


def test_predict_missing_column_names_it(tmp_path: Path, trained: shipml.TrainingResult) -> None:
    data = tmp_path / "score.csv"
    make_table(20).drop(columns=["x1"]).to_csv(data, index=False)
    result = runner.invoke(app, ["predict", "shop", str(data), "--out", str(tmp_path / "p.csv")])
    assert result.exit_code == 2
    assert "x1" in result.output


def test_predict_unknown_model(tmp_path: Path, home: Path) -> None:
    data = tmp_path / "score.csv"
    make_table(5).to_csv(data, index=False)
    result = runner.invoke(
        app, ["predict", "no-such-model", str(data), "--out", str(tmp_path / "p.csv")]
    )
    assert result.exit_code == 2
    assert "no-such-model" in result.output
    bad = runner.invoke(
        app, ["predict", "../etc/passwd", str(data), "--out", str(tmp_path / "p.csv")]
    )
    assert bad.exit_code == 2
    assert "not a model reference" in bad.output


def test_profile_writes_json(tmp_path: Path, home: Path, spec_path: Path) -> None:
    out = tmp_path / "profile.json"
    result = runner.invoke(app, ["profile", str(spec_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    profile = json.loads(out.read_text())
    assert profile["n_rows"] == 800
    assert "customer_id" in {s["column"] for s in profile["suspects"]}
    assert "x1" in profile["single_feature_scores"]["scores"]


def test_promote_errors(home: Path, trained: shipml.TrainingResult) -> None:
    assert runner.invoke(app, ["promote", "shop", "99"]).exit_code == 2
    assert runner.invoke(app, ["promote", "shop", "one"]).exit_code == 2
    assert runner.invoke(app, ["promote", "shop", "1", "--alias", "boss"]).exit_code == 2


def test_unexpected_error_is_one_line_and_logged(
    tmp_path: Path, home: Path, spec_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("shipml.pipeline.profile.profile_spec", boom)
    result = runner.invoke(app, ["profile", str(spec_path)])
    assert result.exit_code == 1
    assert "disk on fire" in result.output
    assert "Traceback" not in result.output
    logs = list((home / "logs").glob("error-*.log"))
    assert logs
    assert "RuntimeError" in logs[-1].read_text()
