"""Verdicts on the numbers they quote: a model that cannot beat the baseline (a pure-noise
target) is said to be no better by the CLI, the report and the registry, and never becomes
@champion by itself; a shifted test period is warned about, naming the rates and the columns."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from shipml.cli import app
from shipml.registry.client import mlflow_client, version_by_alias

from .conftest import write_spec

runner = CliRunner()


def _noise(n: int = 600, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": rng.choice(["x", "y", "z"], n),
            "bought": np.where(rng.random(n) < 0.4, "yes", "no"),
        }
    )


@pytest.fixture(scope="module")
def noise_run(home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    folder = tmp_path_factory.mktemp("noise")
    spec = write_spec(folder, _noise(), name="noise", constraints={"n_trials": 4})
    text = runner.invoke(app, ["train", str(spec), "--quiet"])
    assert text.exit_code == 0, text.output
    data = runner.invoke(app, ["train", str(spec), "--json"])
    assert data.exit_code == 0, data.output
    return text.output, json.loads(data.stdout)


def test_the_cli_says_the_model_does_not_beat_the_baseline(noise_run: tuple[str, dict]) -> None:
    output, summary = noise_run
    assert "verdict: the champion does not beat the baseline on roc_auc" in output
    assert "95% interval of the improvement" in output
    assert "registered noise version 1 as @challenger" in output
    assert summary["beats_baseline"] is False
    assert summary["against_baseline"]["verdict"] != "better"
    assert summary["registered"]["alias"] == "challenger"


def test_the_registry_has_no_champion(noise_run: tuple[str, dict]) -> None:
    assert version_by_alias(mlflow_client(), "noise", "champion") is None


def test_the_report_says_so_in_its_first_line(noise_run: tuple[str, dict]) -> None:
    report = Path(noise_run[1]["report"]).read_text(encoding="utf-8")
    assert "Not made @champion: the model does not beat the constant baseline" in report
    assert "the model beats it" not in report


def _shifted(n: int = 900, seed: int = 5) -> pd.DataFrame:
    """90 days; in the last 30 the positive rate jumps and `load` moves up."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n) * 90 // n, unit="D")
    late = np.arange(n) >= n * 2 // 3
    x = rng.normal(size=n)
    load = rng.normal(size=n) + np.where(late, 2.0, 0.0)
    p = 1 / (1 + np.exp(-(1.5 * x + np.where(late, 2.0, -0.5))))
    y = rng.random(n) < p
    return pd.DataFrame({"day": day, "x": x, "load": load, "bought": np.where(y, "yes", "no")})


def test_a_shifted_test_period_is_warned_in_the_cli_and_the_report(
    home: Path, tmp_path: Path
) -> None:
    spec = write_spec(tmp_path, _shifted(), name="shifted", constraints={"n_trials": 4},
                      validation={"folds": 3, "time_column": "day",
                                  "holdout": {"latest": "30d"}})  # fmt: skip
    result = runner.invoke(app, ["train", str(spec), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    shift = [w for w in summary["warnings"] if w.startswith("the target shifts")]
    assert len(shift) == 1
    assert "rate of yes" in shift[0]
    assert "in training" in shift[0]
    drift = [w for w in summary["warnings"] if w.startswith("features drift")]
    assert len(drift) == 1
    assert "load: PSI" in drift[0]
    assert "x: PSI" not in drift[0]
    assert "the target shifts between training and the test rows" in result.output
    report = Path(summary["report"]).read_text(encoding="utf-8")
    assert "the target shifts between training and the test rows" in report
    assert "load: PSI" in report
