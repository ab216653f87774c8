"""What the model will not use is announced at `init`, `profile` and `train`; shapes shipml does
not handle (several targets, none, a panel of series) are refused or warned about in words;
DataFrames in memory train like files; the README's Python snippets run as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import shipml
from shipml.cli import app

from .conftest import SHARED_DATA, make_table, write_spec

runner = CliRunner()
README = Path(__file__).resolve().parents[2] / "README.md"
WORDS = ("late", "delivery", "great", "price", "broken", "box", "support", "refund", "fast")


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def with_notes(n: int = 800, seed: int = 0) -> pd.DataFrame:
    """The shop table with a free-text column the model cannot use."""
    rng = np.random.default_rng(seed)
    table = make_table(n, seed)
    table["note"] = [" ".join(rng.choice(WORDS, 9)) + f" order {i}" for i in range(n)]
    return table


def test_init_lists_every_unused_input_with_its_reason(home: Path, tmp_path: Path) -> None:
    data = tmp_path / "shop.parquet"
    with_notes().to_parquet(data)
    spec = tmp_path / "spec.yaml"
    code, out = cli("init", str(data), "--target", "bought", "--out", str(spec), "--json")
    assert code == 0, out
    unused = {u["column"]: u for u in json.loads(out)["unused_inputs"]}
    assert unused["note"]["reason_code"] == "text"
    assert "text features are not built" in unused["note"]["reason"]
    assert unused["customer_id"]["reason_code"] in {"identifier", "excluded"}
    code, said = cli("init", str(data), "--target", "bought", "--out", str(spec), "--force")
    assert code == 0, said
    assert f"not used by the model ({len(unused)} of the input columns):" in said
    assert "  note: free text: text features are not built in this version [text]" in said

    code, profiled = cli("profile", str(spec), "--out", str(tmp_path / "profile.json"))
    assert code == 0, profiled
    assert "  note: free text: text features are not built in this version [text]" in profiled
    stored = json.loads((tmp_path / "profile.json").read_text())
    assert {u["column"] for u in stored["unused_inputs"]} >= {"note", "customer_id"}


@pytest.mark.parametrize(
    ("targets", "said"),
    [
        (["--target", "bought", "--target", "colour"], "several targets are read as the 0/1 flag"),
        (["--target", "bought,colour"], "several targets are read as the 0/1 flag"),
        ([], "no target given"),
    ],
)
def test_targets_that_are_no_flag_columns_or_none_are_refused_in_words(
    home: Path, tmp_path: Path, targets: list[str], said: str
) -> None:
    data = tmp_path / "shop.parquet"
    make_table(200).to_parquet(data)
    code, out = cli("init", str(data), *targets, "--out", str(tmp_path / "spec.yaml"))
    assert code == 2, out
    assert said in out
    assert "not supported yet" in out if not targets else "'colour' holds values" in out
    assert "Traceback" not in out
    assert not (tmp_path / "spec.yaml").exists()  # nothing written on a refusal


def test_a_panel_of_series_is_announced_as_not_forecast(home: Path, tmp_path: Path) -> None:
    panel = pd.read_parquet(SHARED_DATA / "us_employment.parquet")
    keep = panel["Series_ID"].isin(panel["Series_ID"].unique()[:6])
    data = tmp_path / "employment.parquet"
    panel[keep].to_parquet(data)
    code, out = cli("init", str(data), "--target", "Employed", "--out", str(tmp_path / "s.yaml"))
    assert code == 0, out
    assert "panel of 6 time series ('Series_ID' x 'month'" in out
    assert "forecasting many series is not supported yet" in out


@pytest.mark.slow
def test_dataframes_train_like_files(home: Path, tmp_path: Path) -> None:
    table = make_table(600)
    train_rows, test_rows = table.iloc[:450], table.iloc[450:]
    spec = {
        "name": "shop-frames",
        "data": {"train": train_rows},
        "target": {"column": "bought", "positive": "yes"},
        "validation": {"folds": 3},
        "constraints": {"n_trials": 2},
        "explain": {"enabled": False},
    }
    from_dict = shipml.train(spec, track=False)
    assert from_dict.registered is None
    stored = yaml.safe_load((from_dict.bundle_dir / "evaluation" / "spec.yaml").read_text())
    kept = Path(stored["data"]["train"])
    assert kept.is_file()
    assert kept.is_relative_to(home)
    pd.testing.assert_frame_equal(
        pd.read_parquet(kept), train_rows.reset_index(drop=True), check_dtype=False
    )
    path = write_spec(tmp_path, table, name="shop-frames", constraints={"n_trials": 2},
                      explain={"enabled": False})  # fmt: skip
    given = shipml.train(path, train=train_rows, test=test_rows, track=False)
    assert given.holdout.against_baseline is not None
    assert given.holdout.against_baseline.n_rows == len(test_rows)
    with pytest.raises(shipml.ShipmlError, match="must be a pandas DataFrame"):
        shipml.train(path, train=[1, 2, 3], track=False)  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_readme_python_snippets_run_as_written(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks
    write_spec(tmp_path, make_table(600), name="churn", constraints={"n_trials": 2},
               explain={"enabled": False})  # fmt: skip
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"df": make_table(50, seed=3)}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert isinstance(namespace["result"], shipml.TrainingResult)
