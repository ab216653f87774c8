"""Explain: render the report, one self-contained HTML file from the package's Jinja2 templates.

Everything is inline (CSS, PNG figures as data URIs); no script, font or image is fetched, so
the file opens offline and makes no network request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shipml.explain.explanation import Explanation
from shipml.explain.report.decision import decision_view
from shipml.explain.report.executive import executive_view
from shipml.explain.report.facts import ReportFacts, readiness
from shipml.explain.report.insight import (
    fairness_view,
    importance_view,
    pdp_view,
    shap_missing,
    shap_view,
)
from shipml.explain.report.kpis import kpi_view
from shipml.explain.report.operational import operational_view
from shipml.explain.report.performance import performance_view, scored_rows
from shipml.explain.report.technical import (
    data_view,
    gap_view,
    leaderboard_view,
    validation_view,
)

SECTIONS = (
    ("executive", "Executive summary"),
    ("technical", "Technical deep-dive"),
    ("operations", "Operations"),
)


def render_report(facts: ReportFacts, explanation: Explanation | None) -> str:
    """The report's HTML text."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("shipml.explain.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    return env.get_template("report.html.j2").render(**context(facts, explanation))


def context(facts: ReportFacts, e: Explanation | None) -> dict[str, Any]:
    top = facts.spec.explain.top_features
    rows = scored_rows(facts)  # every test-row figure and KPI reads these same rows
    return {
        "title": f"{facts.spec.name}: model report",
        "name": facts.spec.name,
        "bundle": facts.bundle_name,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "sections": SECTIONS,
        "exec": executive_view(facts, e),
        "checklist": readiness(facts, e),
        "data": data_view(facts),
        "validation": validation_view(facts),
        "board": leaderboard_view(facts),
        "gap": gap_view(facts),
        "performance": performance_view(facts, rows),
        "kpis": kpi_view(facts, rows),
        "decision": decision_view(facts, rows),
        "importance": importance_view(e, top) if e is not None else {},
        "pdp": pdp_view(e) if e is not None else {},
        "shap": shap_view(e, top) if e is not None else {},
        "shap_missing": shap_missing(facts, e),
        "fairness": fairness_view(e),
        "sensitive": list(facts.spec.fairness.sensitive),
        "explain_enabled": facts.spec.explain.enabled,
        "caveats": list(e.caveats) if e is not None else [],
        "timings": {k: round(v, 2) for k, v in (e.seconds if e is not None else {}).items()},
        "ops": operational_view(facts),
    }


def _num(x: Any, digits: int = 4) -> str:
    if x is None:
        return "–"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if v != v:
        return "–"
    return f"{v:.{digits}g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"


def _pct(x: Any) -> str:
    return "–" if x is None or x != x else f"{float(x):.1%}"
