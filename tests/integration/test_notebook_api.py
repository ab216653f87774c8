"""The Python API as a notebook meets it, and the CLI's version and unused-input lines."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

import shipml
from shipml.cli import app

from .conftest import make_table


def test_version_prints_the_package_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"shipml {shipml.__version__}"


def test_load_model_predicts_a_frame_like_the_trained_model(
    trained: shipml.TrainingResult,
) -> None:
    loaded = shipml.load_model(trained.bundle_dir)
    table = make_table(40, seed=21).drop(columns="bought")
    pd.testing.assert_frame_equal(loaded.predict_frame(table), trained.model.predict_frame(table))
    html = loaded._repr_html_()
    assert html.startswith("<table>")
    assert "binary" in html


def test_every_unused_input_is_announced_with_its_code(trained: shipml.TrainingResult) -> None:
    unused = {u["column"]: u for u in trained.summary()["unused_inputs"]}
    assert set(unused) == set(trained.model.schema.passthrough)
    assert unused["customer_id"]["reason_code"] == "identifier"
    assert unused["customer_id"]["reason"]


def test_the_leaderboard_is_a_table_and_results_render_in_a_notebook(
    trained: shipml.TrainingResult,
) -> None:
    board = trained.leaderboard
    frame = board.to_frame()
    assert list(frame["family"]) == [r.family for r in board]
    assert frame["cv_mean"].tolist() == [r.cv_mean for r in board]
    assert board[0].family == "baseline"  # still a tuple of rows
    html = trained._repr_html_()
    assert "<table>" in html
    assert trained.selection.champion in html
    assert "verdict" in html
