"""Hierarchical classification end to end: `shipml init --task hierarchical` over level
columns, `train`, `predict`, `serve` and the report, on a generated product taxonomy (36
classes on 3 levels, documented in `tests/taxonomy.py`); a separated path column trained with a
stopping rule; and the errors of a ragged taxonomy and of a class too small for the folds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import shipml
from shipml.batch import predict_file
from shipml.cli import app
from shipml.core.errors import ShipmlError
from shipml.data.taxonomy import taxonomy_of
from shipml.registry.loading import load_model
from tests.taxonomy import taxonomy_frame
from tests.unit.serve.conftest import client_for, snapshot_of

LEVELS = ["department", "category", "subcategory"]
MEASURES = [f"m{i}" for i in range(8)]
runner = CliRunner()


@pytest.fixture(scope="module")
def products(home: Path, tmp_path_factory: pytest.TempPathFactory) -> shipml.TrainingResult:
    """`shipml init --task hierarchical` writes the spec from the level columns; trained small."""
    folder = tmp_path_factory.mktemp("products")
    taxonomy_frame(rows=1800).drop(columns="path").to_parquet(folder / "products.parquet")
    spec = folder / "spec.yaml"
    flags = [a for level in LEVELS for a in ("--target", level)]
    done = runner.invoke(
        app,
        ["init", str(folder / "products.parquet"), "--task", "hierarchical", *flags,
         "--out", str(spec)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    values = yaml.safe_load(spec.read_text(encoding="utf-8"))
    assert values["task"] == "hierarchical"
    assert values["target"] == {"column": "path", "columns": LEVELS}
    assert values["metrics"]["primary"] == "hierarchical_f1"
    values["validation"]["folds"] = 3
    values["models"] = {"ladder": ["baseline", "linear"]}
    values["constraints"]["n_trials"] = 3  # baseline, linear, linear per node
    spec.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    return shipml.train(spec)


def test_products_train_flat_and_per_node_and_pick_by_cv(products: shipml.TrainingResult) -> None:
    assert products.task == "hierarchical"
    board = {r.family: r for r in products.leaderboard}
    assert set(board) == {"baseline", "linear", "linear_per_node"}
    best = max(("linear", "linear_per_node"), key=lambda f: board[f].cv_mean)
    assert products.selection.champion == best
    classes = products.model.classes
    assert len(classes) == 34  # 36, less the two 3-row classes left out (too small for 3 folds)
    assert all(len(c.split(" > ")) == 3 for c in classes)
    assert any("left out of training" in w for w in products.warnings)
    test = products.holdout.metrics
    assert set(test) >= {"hierarchical_f1", "leaf_f1_macro", "accuracy", "log_loss"}
    assert test["hierarchical_f1"] > products.holdout.baseline_metrics["hierarchical_f1"] + 0.3
    assert products.beats_baseline
    levels = products.holdout.decided["levels"]
    assert [v["level"] for v in levels] == [1, 2, 3]
    assert levels[0]["accuracy"] >= levels[1]["accuracy"] >= levels[2]["accuracy"]
    assert products.registered is not None


def test_products_predict_paths_with_their_levels(
    products: shipml.TrainingResult, tmp_path: Path
) -> None:
    rows = taxonomy_frame(rows=1800, seed=5).head(50)
    data = tmp_path / "in.parquet"
    rows[[*MEASURES, "channel"]].to_parquet(data)
    out = tmp_path / "out.parquet"
    predict_file(products.bundle_dir, data, out)
    scored = pd.read_parquet(out)
    classes = products.model.classes
    assert set(scored["prediction"]) <= set(classes)  # stop_below 0: always down to a class
    joined = scored[["level_1", "level_2", "level_3"]].agg(" > ".join, axis=1)
    assert joined.tolist() == scored["prediction"].tolist()
    proba = scored[[f"proba_{c}" for c in classes]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)

    records = json.loads(rows[[*MEASURES, "channel"]].head(3).to_json(orient="records"))
    loaded = load_model(products.bundle_dir)
    with client_for(snapshot_of(loaded.model), tmp_path / "log") as client:
        one = client.post("/v1/predict", json=records[0])
        many = client.post("/v1/predict/batch", json={"records": records})
    assert one.status_code == 200, one.text
    body = one.json()
    assert body["decision"] == scored["prediction"].iloc[0]
    assert body["probabilities"][body["decision"]] == pytest.approx(proba[0].max(), abs=1e-6)
    assert [p["decision"] for p in many.json()["predictions"]] == scored["prediction"][:3].tolist()


def test_the_products_report_shows_the_levels(products: shipml.TrainingResult) -> None:
    assert products.report is not None
    html = products.report.read_text(encoding="utf-8")
    table = html[html.index('<table id="levels-table">') :]
    table = table[: table.index("</table>")]
    levels = products.holdout.decided["levels"]
    for level in levels:  # each level's accuracy as the test rows give it
        assert f"{level['accuracy']:.1%}" in table or f"{level['accuracy']:.3f}" in table


def test_a_path_column_with_a_stopping_rule_stops_above_unsure_rows(
    home: Path, tmp_path: Path
) -> None:
    table = taxonomy_frame(rows=900, seed=3, noise=0.8)
    table[[*MEASURES, "channel", "path"]].to_parquet(tmp_path / "paths.parquet")
    spec = {
        "name": "paths",
        "data": {"train": "paths.parquet"},
        "task": "hierarchical",
        "target": {"column": "path", "separator": "/"},
        "validation": {"folds": 3},
        "models": {"ladder": ["linear"]},
        "hierarchical": {"stop_below": 0.8},
        "constraints": {"n_trials": 3},
        "explain": {"enabled": False},
        "seed": 3,
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    result = shipml.train(path, track=False)
    policy = result.model.policy
    assert (policy.rule, policy.stop_below) == ("path", 0.8)
    oof, no_stop = policy.summary["oof"], policy.summary["oof_no_stop"]
    assert oof["stopped_early"] > 0
    assert oof["stopped_early"] > no_stop["stopped_early"]
    assert oof["hierarchical_precision"] > no_stop["hierarchical_precision"]  # what stopping buys
    pred = result.model.predict_frame(table[[*MEASURES, "channel"]].head(200))
    inner = set(taxonomy_of(result.model.classes).nodes) - set(result.model.classes)
    stopped = pred[pred["prediction"].isin(inner)]
    assert len(stopped) > 0
    assert stopped["level_3"].isna().all()
    again = shipml.train(path, track=False)  # determinism: the same seed, the same model
    assert again.selection.champion == result.selection.champion
    pd.testing.assert_frame_equal(again.model.predict_frame(table.head(50)), pred.head(50))


def test_a_ragged_path_and_a_missing_level_are_refused_by_field(home: Path, tmp_path: Path) -> None:
    table = taxonomy_frame(rows=600, seed=1)[[*MEASURES, *LEVELS, "path"]]
    table.loc[5, "path"] = "Home/Kitchen"
    table.to_parquet(tmp_path / "ragged.parquet")
    spec = {
        "name": "ragged",
        "data": {"train": "ragged.parquet"},
        "task": "hierarchical",
        "target": {"column": "path", "separator": "/"},
        "features": {"exclude": LEVELS},
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(ShipmlError) as ragged:
        shipml.train(path, track=False)
    assert ragged.value.where == "target.separator"
    assert "different numbers of levels" in str(ragged.value)
    assert "Home/Kitchen" in str(ragged.value)
    table.loc[7, "subcategory"] = None
    table.drop(columns="path").to_parquet(tmp_path / "ragged.parquet")
    spec["target"] = {"columns": LEVELS}
    spec.pop("features")
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(ShipmlError) as gap:
        shipml.train(path, track=False)
    assert gap.value.where == "target.columns"
    assert "'subcategory' is empty in 1 rows" in str(gap.value)


def test_decide_re_derives_the_stopping_share_without_retraining(
    products: shipml.TrainingResult,
) -> None:
    done = runner.invoke(
        app,
        ["decide", str(products.bundle_dir), "--stop-below", "0.9", "--no-register", "--json"],
    )
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["new_policy"]["stop_below"] == 0.9
    decided = summary["test_decision"]
    assert decided["stopped_early"] > products.holdout.decided["stopped_early"]
    assert decided["hierarchical_precision"] >= products.holdout.decided["hierarchical_precision"]
    refused = runner.invoke(app, ["decide", str(products.bundle_dir), "--stop-below", "1.5"])
    assert refused.exit_code == 2
    assert "--stop-below" in refused.output
