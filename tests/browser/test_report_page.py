"""The report of a real training run, opened in Chromium: every section renders, the page logs
no console error, and it fetches nothing but the file itself."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import shipml
from shipml.pipeline.report import build_report
from tests.integration.conftest import make_table, write_spec

VIEWS = ("executive", "technical", "operations")
SECTIONS = (*VIEWS, "objective", "result", "policy", "risks", "readiness", "data-profile",
            "validation", "leaderboard", "generalization", "decision", "importance", "pdp",
            "shap", "fairness", "caveats", "latency", "schema", "usage", "monitoring")  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small model trained from the spec (no tracking), and its report."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHIPML_HOME", str(tmp_path_factory.mktemp("browser-home")))
        folder = tmp_path_factory.mktemp("browser-spec")
        spec = write_spec(folder, make_table(), fairness={"sensitive": ["colour"]},
                          constraints={"n_trials": 4})  # fmt: skip
        result = shipml.train(spec, track=False)
        yield build_report(result.bundle_dir, spec=spec)


def test_report_renders_offline_without_errors(report: Path, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(report.as_uri(), wait_until="load")

    for name in SECTIONS:
        section = page.locator(f'[data-section="{name}"]')
        assert section.count() == 1, name
        assert section.is_visible(), name
        box = section.bounding_box()
        assert box is not None
        assert box["height"] > 40, name
        assert section.locator("h2, h3").first.inner_text().strip(), name
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) >= 8
    assert min(widths) > 0  # every inline figure decodes
    links = page.eval_on_selector_all("#readiness a", "as => as.map(a => a.hash)")
    assert len(links) == 8
    assert all(page.locator(link).count() == 1 for link in links)
    assert "colour" in page.locator("#fairness").inner_text()

    shots = tmp_path / "screenshots"
    shots.mkdir()
    page.screenshot(path=str(shots / "report.png"), full_page=True)
    for view in VIEWS:
        page.locator(f"#{view}").screenshot(path=str(shots / f"{view}.png"))
    assert all((shots / f"{v}.png").stat().st_size > 10_000 for v in VIEWS)
    shutil.copy(shots / "report.png", Path(tempfile.gettempdir()) / "shipml-report.png")
    page.close()

    assert errors == []
    assert requests == [report.as_uri()]  # the file itself, nothing from the network
