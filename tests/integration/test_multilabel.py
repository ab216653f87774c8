"""Multilabel end to end: `shipml init` with several targets, `train`, `predict`, `serve` and the
report, on the shared yeast data (2,417 genes, 103 expression features, 14 function classes as
0/1 flag columns); and a separated tag column trained with a classifier chain and top-k sets.
"""

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
from shipml.batch import predict_file
from shipml.cli import app
from shipml.registry.loading import load_model
from tests.unit.serve.conftest import client_for, snapshot_of

from .conftest import SHARED_DATA

YEAST = SHARED_DATA / "yeast_multilabel.parquet"
LABELS = [f"Class{i}" for i in range(1, 15)]
runner = CliRunner()


@pytest.fixture(scope="module")
def yeast(home: Path, tmp_path_factory: pytest.TempPathFactory) -> shipml.TrainingResult:
    """`shipml init` writes the spec from several --target flags; trained small and fast."""
    folder = tmp_path_factory.mktemp("yeast")
    spec = folder / "spec.yaml"
    flags = [a for label in LABELS for a in ("--target", label)]
    done = runner.invoke(app, ["init", str(YEAST), *flags, "--out", str(spec)])
    assert done.exit_code == 0, done.output
    values = yaml.safe_load(spec.read_text(encoding="utf-8"))
    assert values["task"] == "multilabel"
    assert values["target"] == {"columns": LABELS}
    assert values["metrics"]["primary"] == "f1_micro"
    values["validation"]["folds"] = 3
    values["models"] = {"ladder": ["baseline", "linear"]}
    values["constraints"]["n_trials"] = 2
    spec.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    return shipml.train(spec)


def test_yeast_trains_beats_its_baseline_and_decides_per_label(
    yeast: shipml.TrainingResult,
) -> None:
    assert yeast.task == "multilabel"
    assert list(yeast.model.classes) == LABELS
    test = yeast.holdout.metrics
    assert set(test) >= {"f1_micro", "f1_macro", "hamming_loss", "subset_accuracy",
                         "label_ranking_average_precision"}  # fmt: skip
    assert test["f1_micro"] > yeast.holdout.baseline_metrics["f1_micro"] + 0.05
    policy = yeast.model.policy
    assert policy.rule == "per_label"
    assert len(policy.thresholds) == len(LABELS)
    oof = policy.summary["oof_metrics"]
    assert oof["f1_micro"] >= policy.summary["oof_metrics_at_half"]["f1_micro"]
    assert yeast.registered is not None


def test_yeast_predicts_label_sets_with_flags_and_probabilities(
    yeast: shipml.TrainingResult, tmp_path: Path
) -> None:
    rows = pd.read_parquet(YEAST).head(40)
    data = tmp_path / "in.parquet"
    rows.drop(columns=LABELS).to_parquet(data)
    out = tmp_path / "out.parquet"
    predict_file(yeast.bundle_dir, data, out)
    scored = pd.read_parquet(out)
    flags = scored[[f"label_{c}" for c in LABELS]].to_numpy()
    proba = scored[[f"proba_{c}" for c in LABELS]].to_numpy()
    assert set(np.unique(flags)) <= {0, 1}
    assert ((proba >= 0) & (proba <= 1)).all()
    cut = np.asarray(yeast.model.policy.thresholds)
    np.testing.assert_array_equal(flags, (proba >= cut).astype(np.int64))
    joined = ["|".join(c for c, f in zip(LABELS, row, strict=True) if f) for row in flags]
    assert scored["prediction"].fillna("").tolist() == joined

    records = json.loads(rows.drop(columns=LABELS).head(3).to_json(orient="records"))
    loaded = load_model(yeast.bundle_dir)
    with client_for(snapshot_of(loaded.model), tmp_path / "log") as client:
        one = client.post("/v1/predict", json=records[0])
        many = client.post("/v1/predict/batch", json={"records": records})
        schema = client.get("/openapi.json").json()["components"]["schemas"]["Prediction"]
    assert one.status_code == 200, one.text
    body = one.json()
    assert body["labels"] == joined[0].split("|") if joined[0] else body["labels"] == []
    assert body["decision"] == body["labels"]
    assert sorted(body["probabilities"]) == sorted(LABELS)
    assert body["probabilities"]["Class1"] == pytest.approx(proba[0, 0], abs=1e-9)
    assert [p["labels"] for p in many.json()["predictions"]] == [
        s.split("|") if s else [] for s in joined[:3]
    ]
    assert schema["properties"]["labels"]["items"]["enum"] == LABELS


def test_the_yeast_report_shows_each_label_and_the_labels_per_row(
    yeast: shipml.TrainingResult,
) -> None:
    assert yeast.report is not None
    html = yeast.report.read_text(encoding="utf-8")
    table = html[html.index('<table id="labels">') :]
    table = table[: table.index("</table>")]
    assert all(f"<td>{c}</td>" in table for c in LABELS)
    assert "Labels per row on the 492 test rows" in html
    assert "rows per label" in html
    assert "most frequent pairs" in html
    # the mean labels per row quoted in the caption is the test rows'
    true_mean = float(re.search(r"true sets hold ([0-9.]+) labels", html).group(1))  # type: ignore[union-attr]
    frame = pd.read_parquet(yeast.bundle_dir / "evaluation" / "test_predictions.parquet")
    held = np.stack([np.asarray(v) for v in frame["label"]]).sum(axis=1).mean()
    assert true_mean == pytest.approx(held, rel=1e-2)


def _tags(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2, x3 = rng.normal(size=(3, n))
    tags = []
    for a, b, c in zip(x1, x2, x3, strict=True):
        row = [t for t, on in (("news", a > 0), ("tech", b > 0.3), ("money", a + c > 1)) if on]
        tags.append(" | ".join(row) if row else "")
    return pd.DataFrame({"x1": x1, "x2": x2, "x3": x3, "tags": tags})


def test_a_separated_tag_column_trains_a_chain_and_decides_the_top_k(
    home: Path, tmp_path: Path
) -> None:
    _tags(600, seed=2).to_parquet(tmp_path / "tags.parquet")
    spec = {
        "name": "tags",
        "data": {"train": "tags.parquet"},
        "task": "multilabel",
        "target": {"column": "tags", "separator": "|"},
        "validation": {"folds": 3},
        "models": {"ladder": ["lightgbm"]},
        "decision": {"labels": "top_k", "k": 2},
        "constraints": {"n_trials": 3},  # one trial for each rung: baseline, lightgbm, chain
        "explain": {"enabled": False},
        "seed": 3,
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    result = shipml.train(path)
    assert {r.family for r in result.leaderboard} >= {"lightgbm", "lightgbm_chain"}
    assert sorted(result.model.classes) == ["money", "news", "tech"]
    assert result.model.policy.rule == "top_k"
    loaded = load_model(result.bundle_dir)
    rows = _tags(30, seed=9).drop(columns="tags")
    pred = loaded.model.predict_frame(rows)
    flags = pred[[f"label_{c}" for c in result.model.classes]].to_numpy()
    assert (flags.sum(axis=1) == 2).all()  # exactly k labels per row
    again = shipml.train(path, track=False)  # determinism: the same seed, the same model
    assert again.selection.champion == result.selection.champion
    pd.testing.assert_frame_equal(again.model.predict_frame(rows), pred)


def test_decide_rederives_a_label_set_rule_without_retraining(
    yeast: shipml.TrainingResult,
) -> None:
    done = runner.invoke(
        app, ["decide", str(yeast.bundle_dir), "--labels", "top_k", "--k", "3", "--no-register"]
    )
    assert done.exit_code == 0, done.output
    assert "the 3 most probable labels of each row" in done.output
    assert "test rows: 3.00 labels per row decided" in done.output
    refused = runner.invoke(app, ["decide", str(yeast.bundle_dir), "--labels", "top_k"])
    assert refused.exit_code == 2
    assert "decision.k: labels: top_k needs k" in refused.output
