"""The decision layer through the whole flow: a spec with a recall target trains a calibrated,
thresholded champion; `shipml decide` derives a new policy from the stored out-of-fold scores
and registers it as a new version, without retraining."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import shipml
from shipml.cli import app
from shipml.core.enums import Task
from shipml.decision import fit_decision_policy
from shipml.pipeline.decide import stored_oof
from shipml.registry.bundle import load_bundle, read_manifest, write_manifest
from shipml.registry.models import ModelRef, load_registered
from shipml.runtime.reference import ReferenceSummary
from shipml.spec.model import Decision

from .conftest import SHARED_DATA, make_table, write_spec

runner = CliRunner()
NAME = "shop-decide"


@pytest.fixture(scope="module")
def decided(home: Path, tmp_path_factory: pytest.TempPathFactory) -> shipml.TrainingResult:
    folder = tmp_path_factory.mktemp("decide")
    spec = write_spec(
        folder,
        make_table(800),
        name=NAME,
        constraints={"n_trials": 4},
        decision={"recall_target": 0.8},
    )
    return shipml.train(spec)


def _copy(bundle: Path, to: Path) -> Path:
    copy = to / "bundle"
    shutil.copytree(bundle, copy)
    return copy


def _reseal(folder: Path) -> None:
    write_manifest(folder, read_manifest(folder).body())


def test_the_champion_carries_a_recall_target_policy(decided: shipml.TrainingResult) -> None:
    policy = decided.model.policy
    assert policy.rule == "threshold"
    assert policy.calibrators[0].kind in {"none", "sigmoid", "isotonic"}
    summary = policy.summary
    assert summary["rule"] == "recall_target"
    assert summary["oof"]["recall"] >= 0.8
    assert summary["threshold"] == policy.threshold != 0.5
    assert decided.manifest.decision["threshold"] == policy.threshold
    assert decided.manifest.derived_from is None  # trained, not derived
    out = decided.summary()["decision"]
    assert out["policy"]["threshold"] == policy.threshold
    assert 0 <= out["test"]["recall"] <= 1
    assert np.sum(out["test"]["confusion"]) == pytest.approx(160)


def test_predictions_decide_at_the_threshold_on_calibrated_probabilities(
    decided: shipml.TrainingResult,
) -> None:
    data, model = make_table(800), decided.model
    pred = model.predict_frame(data.head(200))
    expected = np.where(pred["proba_yes"] >= model.policy.threshold, "yes", "no")
    np.testing.assert_array_equal(pred["prediction"].to_numpy(), expected)
    raw = model.estimator.predict_raw(model.matrix({c: data[c].to_numpy() for c in data})[0])
    calibrated = model.policy.calibrate(raw[:200])
    np.testing.assert_allclose(pred["proba_yes"], calibrated[:, 1])
    np.testing.assert_allclose(pred.filter(like="proba_").sum(axis=1), 1.0)


def test_the_bundle_keeps_the_curves_and_raw_scores(decided: shipml.TrainingResult) -> None:
    ev = decided.bundle_dir / "evaluation"
    record = json.loads((ev / "decision.json").read_text())
    fit = record["fit"]
    assert fit["policy"]["threshold"] == decided.model.policy.threshold
    curve = fit["curve"]
    assert {"threshold", "precision", "recall", "f_beta", "cost_per_row"} <= set(curve)
    assert len(curve["threshold"]) == len(curve["recall"]) > 10
    assert fit["calibration"]["before"]["bins"]
    assert fit["calibration"]["after"]["bins"]
    assert fit["bootstrap"]["resamples"] == 200
    assert record["test"]["threshold"] == decided.model.policy.threshold
    assert "test" in json.loads((ev / "evaluation.json").read_text())
    # the stored out-of-fold scores are raw: refitting on them reproduces the policy exactly
    loaded = shipml.load_model(decided.bundle_dir)
    again = fit_decision_policy(
        stored_oof(loaded),
        task=Task.BINARY,
        classes=loaded.model.classes,
        decision=Decision(recall_target=0.8),
        seed=7,
    )
    assert again.policy == decided.model.policy
    assert again.policy.summary == decided.model.policy.summary


def test_decide_registers_a_new_version_without_retraining(
    decided: shipml.TrainingResult,
) -> None:
    result = runner.invoke(app, ["decide", NAME, "--costs", "fp=1,fn=5", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["old_policy"]["rule"] == "recall_target"
    assert out["new_policy"]["rule"] == "costs"
    assert out["new_policy"]["threshold"] < out["old_policy"]["threshold"]
    assert out["test_decision"]["cost_saved"] is not None
    registered = out["registered"]
    assert registered["version"] == "2"
    assert registered["alias"] == "challenger"
    bundle, version = load_registered(ModelRef.parse(f"{NAME}/2"))
    assert version == "2"
    assert bundle.model.policy.threshold == out["new_policy"]["threshold"]
    derived = bundle.manifest.derived_from
    assert derived is not None
    assert derived.version == decided.registered.version  # type: ignore[union-attr]
    assert json.loads(bundle.evaluation_file("decision.json").read_text())["fit"]["policy"]
    assert load_bundle(decided.bundle_dir).model.policy == decided.model.policy  # untouched
    reference = ReferenceSummary.from_dict(
        json.loads(bundle.evaluation_file("reference.json").read_text())
    )
    oof = pd.read_parquet(bundle.evaluation_file("oof.parquet"))
    raw = oof[[f"proba_{c}" for c in bundle.model.classes]].to_numpy()
    served = bundle.model.policy.calibrate(raw[np.isfinite(raw).all(axis=1)])  # the new policy
    np.testing.assert_allclose(
        reference.scores[1].quantiles, np.quantile(served[:, 1], np.linspace(0, 1, 101))
    )

    human = runner.invoke(app, ["decide", NAME, "--recall-target", "0.9", "--no-register"])
    assert human.exit_code == 0, human.output
    assert "old policy: recall >= 0.8" in human.output
    assert "recall >= 0.9" in human.output
    assert "test:" in human.output


def test_test_rows_never_choose_the_policy(decided: shipml.TrainingResult, tmp_path: Path) -> None:
    """Scramble the stored test labels and scores: the policy `decide` fits is identical,
    only the test metrics it reports move."""
    copy = _copy(decided.bundle_dir, tmp_path)
    path = copy / "evaluation" / "test_predictions.parquet"
    test = pd.read_parquet(path)
    rng = np.random.default_rng(0)
    test["label"] = rng.integers(0, 2, len(test))
    test["proba_yes"] = rng.random(len(test))
    test["proba_no"] = 1 - test["proba_yes"]
    test.to_parquet(path)
    _reseal(copy)
    args = ["decide", str(copy), "--recall-target", "0.8", "--no-register", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["new_policy"] == decided.model.policy.summary
    assert out["test"]["roc_auc"] != pytest.approx(decided.holdout.metrics["roc_auc"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--recall-target", "1.5"], "decision.recall_target"),
        (["--costs", "[[0, 1, 2], [1, 0, 2], [1, 1, 0]]"], "the cost matrix is 3x3"),
        (["--costs", "fp=one"], "--costs: 'fp=one' is not KEY=NUMBER"),
        (["--fixed", "0.3", "--fbeta", "2"], "give one rule"),
    ],
)
def test_decide_errors_exit_2_naming_the_field(
    decided: shipml.TrainingResult, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["decide", str(decided.bundle_dir), *args, "--no-register"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_model_without_stored_oof_cannot_decide(
    decided: shipml.TrainingResult, tmp_path: Path
) -> None:
    copy = _copy(decided.bundle_dir, tmp_path)
    (copy / "evaluation" / "oof.parquet").unlink()
    _reseal(copy)
    result = runner.invoke(app, ["decide", str(copy), "--recall-target", "0.9"])
    assert result.exit_code == 2
    assert "no stored evaluation/oof.parquet" in result.output


def test_regression_intervals_and_costs_refused(home: Path, tmp_path: Path) -> None:
    df = pd.read_parquet(SHARED_DATA / "cps1988_wages.parquet").sample(1500, random_state=0)
    spec = write_spec(
        tmp_path,
        df,
        name="wages-decide",
        target={"column": "wage"},
        constraints={"n_trials": 3},
        models={"ladder": ["baseline", "linear"]},
        decision={"coverage": 0.8},
    )
    result = shipml.train(spec, track=False)
    coverage = result.holdout.decided["coverage"]
    assert coverage == pytest.approx(0.8, abs=0.08)
    assert result.model.policy.interval is not None
    wide = runner.invoke(app, ["decide", str(result.bundle_dir), "--coverage", "0.95",
                               "--no-register", "--json"])  # fmt: skip
    assert wide.exit_code == 0, wide.output
    out = json.loads(wide.stdout)
    low, high = out["new_policy"]["interval"]
    assert high - low > np.subtract(*result.model.policy.interval[::-1])
    assert out["test_decision"]["coverage"] > coverage
    refused = runner.invoke(app, ["decide", str(result.bundle_dir), "--costs", "fp=1,fn=2"])
    assert refused.exit_code == 2
    assert "decision.costs: a regression task has no threshold" in refused.output


def test_a_threshold_based_primary_metric_is_the_one_the_threshold_maximizes(
    home: Path, tmp_path: Path
) -> None:
    from sklearn.metrics import balanced_accuracy_score

    table = make_table(800)
    table["bought"] = np.where(table["x1"] + 0.3 * table["x2"] > 1.1, "yes", "no")  # ~15% yes
    spec = write_spec(
        tmp_path, table, name="shop-goal", metrics={"primary": "balanced_accuracy"},
        models={"ladder": ["baseline", "linear"]}, constraints={"n_trials": 2},
        explain={"enabled": False},
    )  # fmt: skip
    result = shipml.train(spec, track=False)
    policy = result.model.policy
    assert "maximizes balanced_accuracy, the primary metric" in policy.summary["source"]
    assert policy.threshold < 0.5
    frame = pd.read_parquet(result.bundle_dir / "evaluation" / "test_predictions.parquet")
    y = frame["label"].to_numpy()
    decided = result.model.predict_frame(table.iloc[frame["row_id"]])["prediction"] == "yes"
    assert result.holdout.metrics["balanced_accuracy"] == pytest.approx(
        balanced_accuracy_score(y, decided.astype(int)), abs=1e-9
    )  # the test metric is read at the threshold that was chosen for it


def test_decide_maximizes_a_named_class_metric(decided: shipml.TrainingResult) -> None:
    done = runner.invoke(
        app,
        ["decide", str(decided.bundle_dir), "--metric", "balanced_accuracy", "--no-register",
         "--json"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["new_policy"]["source"].startswith("maximum balanced accuracy")
    assert summary["new_policy"]["metric"] == "balanced_accuracy"
