"""The core flow end to end: spec -> data -> framing -> ladder -> champion -> bundle -> registry."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shipml
from shipml.core.errors import ArtifactError
from shipml.registry.bundle import load_bundle
from shipml.registry.models import (
    ModelRef,
    PromotionRefusedError,
    load_registered,
    promote,
    rollback,
)


def test_champion_beats_baseline_on_test(trained: shipml.TrainingResult) -> None:
    assert trained.selection.beats_baseline
    assert trained.holdout.test_score > trained.holdout.baseline_metrics["roc_auc"] + 0.15
    families = [r.family for r in trained.leaderboard]
    assert families[0] == "baseline"
    assert set(families) == {"baseline", "linear", "random_forest", "lightgbm"}
    assert sum(r.n_trials for r in trained.leaderboard) == 6


def test_identifier_is_excluded_and_recorded(trained: shipml.TrainingResult) -> None:
    schema = {c.name: c for c in trained.model.schema.columns}
    assert schema["customer_id"].role == "passthrough"
    assert "x1" in trained.model.schema.features
    excluded = {c.value for c in trained.choices if c.name == "excluded_feature"}
    assert "customer_id" in excluded
    names = {c.name for c in trained.choices}
    assert {"positive_class", "validation_strategy", "holdout", "primary_metric"} <= names


def test_bundle_holds_what_later_steps_need(trained: shipml.TrainingResult) -> None:
    ev = trained.bundle_dir / "evaluation"
    oof = pd.read_parquet(ev / "oof.parquet")
    assert {"row_id", "fold", "label", "proba_no", "proba_yes"} <= set(oof.columns)
    assert oof["fold"].between(0, 2).all()
    test = pd.read_parquet(ev / "test_predictions.parquet")
    assert set(test["row_id"]).isdisjoint(set(oof["row_id"]))
    board = json.loads((ev / "leaderboard.json").read_text())
    assert {row["family"] for row in board} >= {"baseline", "lightgbm"}
    manifest = trained.manifest
    assert manifest.spec_hash
    assert manifest.data_fingerprint
    assert "lightgbm" in manifest.libraries
    assert all(len(h) == 64 for h in manifest.files.values())


def test_tampered_bundle_is_refused(trained: shipml.TrainingResult, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "bundle"
    shutil.copytree(trained.bundle_dir, copy)
    assert load_bundle(copy).model.family == trained.model.family
    target = copy / "model" / "inference.json"
    target.write_text(target.read_text().replace('"threshold": 0.5', '"threshold": 0.1'))
    assert '"threshold": 0.1' in target.read_text()
    with pytest.raises(ArtifactError, match=r"SHA-256"):
        load_bundle(copy)


def test_registered_version_predicts_like_the_result(
    trained: shipml.TrainingResult, spec_path: Path
) -> None:
    assert trained.registered is not None
    assert trained.registered.alias == "champion"
    bundle, version = load_registered(ModelRef.parse("shop"))
    assert version == trained.registered.version
    df = pd.read_parquet(spec_path.parent / "data.parquet").head(50)
    a = bundle.model.predict_frame(df)
    b = trained.model.predict_frame(df)
    np.testing.assert_allclose(a["proba_yes"], b["proba_yes"], atol=1e-12)


def test_mlflow_pyfunc_loads_from_code(trained: shipml.TrainingResult, spec_path: Path) -> None:
    import mlflow

    from shipml.registry.home import configure_mlflow

    configure_mlflow()
    model = mlflow.pyfunc.load_model("models:/shop@champion")
    df = pd.read_parquet(spec_path.parent / "data.parquet").head(5)
    out = model.predict(df)
    assert list(out.columns) == ["prediction", "proba_no", "proba_yes"]


def test_tracking_has_parent_and_child_runs(trained: shipml.TrainingResult) -> None:
    from mlflow.tracking import MlflowClient

    from shipml.registry.home import configure_mlflow

    configure_mlflow()
    client = MlflowClient()
    run = client.get_run(trained.run_id)
    assert run.data.metrics["test_score"] == pytest.approx(trained.holdout.test_score)
    children = client.search_runs(
        [run.info.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{trained.run_id}'"
    )
    assert len(children) == 6
    assert {c.data.tags["shipml.family"] for c in children} == {
        "baseline",
        "linear",
        "random_forest",
        "lightgbm",
    }
    assert all("cv_score" in c.data.metrics for c in children)


def test_second_version_is_challenger_then_promoted(
    trained: shipml.TrainingResult, spec_path: Path
) -> None:
    second = shipml.train(spec_path)
    assert second.registered is not None
    assert second.registered.alias == "challenger"
    assert "champion v" in second.registered.alias_reason
    if "does not beat" in second.registered.alias_reason:  # the same spec and seed: a tie
        with pytest.raises(PromotionRefusedError, match="does not beat"):
            promote("shop", second.registered.version)
    previous = promote("shop", second.registered.version, force=True, reason="retrained")
    assert previous == trained.registered.version  # type: ignore[union-attr]
    _, version = load_registered(ModelRef.parse("shop"))
    assert version == second.registered.version
    was, now = rollback("shop", reason="back to the first")
    assert (was, now) == (second.registered.version, trained.registered.version)  # type: ignore[union-attr]
