"""The report stage on a real training run: build_report, `shipml report` and its errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import shipml
from shipml.cli import app
from shipml.core.errors import ArtifactError
from shipml.pipeline.report import build_report
from shipml.registry.bundle import read_manifest, write_manifest

from .conftest import make_table, write_spec

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
