"""The report stage on a real training run: build_report, `shipml report` and its errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, average_precision_score, roc_auc_score
from typer.testing import CliRunner

import shipml
from shipml.cli import app
from shipml.core.errors import ArtifactError
from shipml.explain.report.kpis import Kpi, kpi_view
from shipml.explain.report.performance import scored_rows
from shipml.pipeline.report import build_report, report_facts
from shipml.registry.bundle import load_bundle, read_manifest, write_manifest
from shipml.tasks.load import load_spec

from .conftest import SHARED_DATA, make_table, write_spec

runner = CliRunner()
SECTIONS = ("executive", "objective", "result", "policy", "risks", "technical", "readiness",
            "data-profile", "validation", "leaderboard", "generalization", "decision",
            "importance", "pdp", "shap", "fairness", "caveats", "operations", "latency",
            "schema", "usage", "monitoring")  # fmt: skip


@pytest.fixture(scope="module")
def report_html(trained: shipml.TrainingResult, spec_path: Path) -> str:
    path = build_report(trained.bundle_dir, spec=spec_path)
    assert path == trained.bundle_dir / "report" / "report.html"
    return path.read_text(encoding="utf-8")


def test_report_has_every_section_and_nothing_external(report_html: str) -> None:
    ids = set(re.findall(r'data-section="([a-z-]+)"', report_html))
    assert set(SECTIONS) <= ids
    assert not re.search(r"(src|href)=\"(https?:)?//", report_html)
    assert "<script" not in report_html
    assert "@import" not in report_html
    assert report_html.count("data:image/png;base64,") >= 8


def test_report_states_the_run_facts(report_html: str, trained: shipml.TrainingResult) -> None:
    assert f"{trained.holdout.test_score:.3g}" in report_html
    policy = ("No decision policy: 0.5 threshold", "on calibrated out-of-fold probabilities")
    assert any(text in report_html for text in policy)
    assert "exact TreeSHAP" in report_html or "exact linear SHAP" in report_html
    assert "the spec names no sensitive columns" in report_html.lower()
    for anchor in ("#leaderboard", "#validation", "#decision", "#importance", "#operations"):
        assert f'href="{anchor}"' in report_html  # the checklist links to its evidence


@pytest.mark.parametrize("how", ["bundle", "run", "model"])
def test_cli_report_from_bundle_run_or_model(
    how: str,
    trained: shipml.TrainingResult,
    spec_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "r.html"
    if how == "bundle":  # the bundle's own spec copy, its data read from the current folder
        monkeypatch.chdir(spec_path.parent)
        args = ["report", str(trained.bundle_dir), "--out", str(out)]
    else:
        assert trained.registered is not None
        source = trained.run_id if how == "run" else f"shop/{trained.registered.version}"
        args = ["report", str(source), "--spec", str(spec_path), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert str(out) in result.output


def test_report_refuses_changed_data(trained: shipml.TrainingResult, tmp_path: Path) -> None:
    table = make_table()
    table.loc[0, "x1"] = 99.0
    other = write_spec(tmp_path, table)
    with pytest.raises(ArtifactError, match="data fingerprints do not match"):
        build_report(trained.bundle_dir, spec=other, out=tmp_path / "r.html")


def test_report_without_the_data_says_how_to_fix(
    trained: shipml.TrainingResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    bundle = tmp_path / "bundle"
    shutil.copytree(trained.bundle_dir, bundle)
    moved = read_manifest(bundle).body(spec_dir=str(tmp_path / "moved"))
    write_manifest(bundle, moved)  # the data is no longer where it was
    result = runner.invoke(app, ["report", str(bundle), "--out", "r.html"])
    assert result.exit_code == 2
    assert "--spec" in result.output
    assert "Traceback" not in result.output


def _test_scores(result: shipml.TrainingResult) -> tuple[pd.DataFrame, np.ndarray]:
    """The bundle's stored test scores and, recomputed here, what the model answers for them."""
    test = pd.read_parquet(result.bundle_dir / "evaluation" / "test_predictions.parquet")
    if not result.model.classes:
        return test, test["prediction"].to_numpy()
    raw = test[[f"proba_{c}" for c in result.model.classes]].to_numpy(float)
    return test, result.model.policy.calibrate(raw)


def _kpis(result: shipml.TrainingResult, spec: Path) -> dict[str, Kpi]:
    facts = report_facts(load_bundle(result.bundle_dir), load_spec(spec))
    return {k.name: k for k in kpi_view(facts, scored_rows(facts))["rows"]}


def _figures(html: str) -> dict[str, str]:
    """Figure alt text -> caption."""
    found = re.findall(r'<img class="fig" alt="([^"]+)" src="[^"]+"><figcaption[^>]*>(.*?)<', html)
    return dict(found)


def test_binary_report_has_roc_and_pr_curves_and_kpis_from_the_test_rows(
    report_html: str, trained: shipml.TrainingResult, spec_path: Path
) -> None:
    test, proba = _test_scores(trained)
    y, p = test["label"].to_numpy() == 1, proba[:, 1]
    auc = roc_auc_score(y, p)
    assert auc == pytest.approx(trained.holdout.metrics["roc_auc"])  # what training measured
    figures = _figures(report_html)
    assert f"ROC AUC {auc:.4g}" in figures["ROC curve on the test rows"]
    ap = average_precision_score(y, p)
    assert f"average precision {ap:.4g}" in figures["Precision-recall curve on the test rows"]
    assert "Confusion matrix of the decisions on the test rows" in figures
    decided = p >= trained.model.policy.threshold
    recall, precision = np.mean(decided[y]), np.mean(y[decided])
    kpis = _kpis(trained, spec_path)
    assert kpis["recall"].value == pytest.approx(recall)
    assert kpis["recall"].value == pytest.approx(trained.holdout.decided["recall"])
    assert kpis["precision"].value == pytest.approx(precision)
    assert kpis["expected cost at the chosen threshold"].status == "not measured"  # no costs
    assert '<tr data-kpi="recall">' in report_html
    assert "evaluation/reference.json" in report_html  # stored with this version
    assert "no shipml command runs them on live traffic" in report_html


@pytest.fixture(scope="module")
def wages(
    home: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[shipml.TrainingResult, Path]:
    df = pd.read_parquet(SHARED_DATA / "cps1988_wages.parquet").sample(1200, random_state=0)
    spec = write_spec(tmp_path_factory.mktemp("wages"), df, name="wages-report",
                      target={"column": "wage"}, constraints={"n_trials": 2},
                      models={"ladder": ["baseline", "linear"]})  # fmt: skip
    return shipml.train(spec, track=False), spec


def test_regression_report_plots_predicted_against_actual_on_the_test_rows(
    wages: tuple[shipml.TrainingResult, Path],
) -> None:
    result, spec = wages
    assert result.report is not None
    figures = _figures(result.report.read_text(encoding="utf-8"))
    test, pred = _test_scores(result)
    y = test["label"].to_numpy()
    rmse = float(np.sqrt(np.mean((y - pred) ** 2)))
    assert rmse == pytest.approx(result.holdout.metrics["rmse"])
    assert f"RMSE {rmse:.4g}" in figures["Predicted against actual wage on the test rows"]
    residuals = figures["Residuals against predicted wage on the test rows"]
    assert f"Mean residual {np.mean(y - pred):.4g}" in residuals
    assert not any(name.startswith(("ROC", "Confusion")) for name in figures)
    kpis = _kpis(result, spec)
    assert kpis["rmse"].value == pytest.approx(rmse)
    coverage = kpis["prediction interval coverage"]
    assert coverage.value == pytest.approx(result.holdout.decided["coverage"])
    assert coverage.status == ("met" if coverage.value >= 0.9 else "not met")


@pytest.fixture(scope="module")
def cuts(
    home: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[shipml.TrainingResult, Path]:
    df = pd.read_parquet(SHARED_DATA / "diamonds_cut.parquet").sample(1500, random_state=0)
    spec = write_spec(tmp_path_factory.mktemp("cuts"), df, name="cut-report",
                      target={"column": "cut"}, constraints={"n_trials": 2},
                      models={"ladder": ["baseline", "linear"]},
                      decision={"costs": {"Ideal": {"Fair": 5.0}}})  # fmt: skip
    return shipml.train(spec, track=False), spec


def test_multiclass_report_shows_the_confusion_matrix_of_the_test_rows(
    cuts: tuple[shipml.TrainingResult, Path],
) -> None:
    result, spec = cuts
    assert result.report is not None
    figures = _figures(result.report.read_text(encoding="utf-8"))
    test, proba = _test_scores(result)
    y, decided = test["label"].to_numpy(), result.model.policy.decide(proba)
    caption = figures["Confusion matrix of the decisions on the test rows"]
    assert f"Accuracy {accuracy_score(y, decided):.4g}" in caption
    assert not any(name.startswith(("ROC", "Predicted")) for name in figures)
    costs = np.asarray(result.model.policy.costs)
    cost = float(costs[y, decided].mean())
    kpis = _kpis(result, spec)
    assert kpis["expected cost"].value == pytest.approx(cost)
    assert kpis["expected cost"].value == pytest.approx(result.holdout.decided["cost_per_row"])
    classes = [str(c) for c in result.model.classes]
    recall = {c: np.mean(decided[y == j] == j) for j, c in enumerate(classes)}
    assert all(f"{c} {r:.3g}" in kpis["recall per class"].text for c, r in recall.items())
