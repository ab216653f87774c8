"""Explain: the HTML report, one self-contained file with three views (executive, technical,
operations), rendered from the Jinja2 templates in `templates/`."""

from shipml.explain.report.facts import CheckItem, ReportFacts, readiness
from shipml.explain.report.render import render_report

__all__ = ["CheckItem", "ReportFacts", "readiness", "render_report"]
