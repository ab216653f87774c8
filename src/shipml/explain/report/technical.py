"""Explain: the technical deep-dive's run facts: the data profile with its leakage and PII
findings, the validation scheme, the leaderboard with fold spread, and
the generalization gap (the decision policy's curves are in `decision.py`, the test rows'
figures in `performance.py`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from shipml.explain.report import plots
from shipml.explain.report.facts import ReportFacts

BASELINE = "baseline"
VALIDATION_CHOICES = ("task", "positive_class", "validation_strategy", "holdout", "primary_metric")


def data_view(facts: ReportFacts) -> dict[str, Any]:
    p = facts.profile
    roles = {c.name: (c.role, c.reason) for c in facts.model.schema.columns}
    columns = []
    for c in p.get("columns", []):
        role, why = (
            ("target", "") if c["name"] == p.get("target") else roles.get(c["name"], ("-", ""))
        )
        columns.append({
            "name": c["name"], "type": c["type"], "missing": c.get("missing_fraction", 0.0),
            "unique": c.get("n_unique"), "role": role, "why": why or c.get("type_reason", ""),
        })  # fmt: skip
    excluded = [c for c in facts.choices if c.get("name") == "excluded_feature"]
    return {
        "rows": p.get("n_rows"),
        "n_columns": p.get("n_columns"),
        "duplicates": p.get("n_duplicate_rows"),
        "target": p.get("target"),
        "target_text": _summary_text(p.get("target_summary", {})),
        "columns": columns,
        "suspects": p.get("suspects", []),
        "excluded": excluded,
    }


def validation_view(facts: ReportFacts) -> dict[str, Any]:
    chosen = [c for c in facts.choices if c.get("name") in VALIDATION_CHOICES]
    others = [c for c in facts.choices if c.get("name") not in VALIDATION_CHOICES]
    folds = len(facts.champion_row.get("fold_scores") or [])
    return {"choices": chosen, "other_choices": others, "folds": folds, "seed": facts.spec.seed}


def leaderboard_view(facts: ReportFacts) -> dict[str, Any]:
    metric = str(facts.evaluation.get("primary_metric", ""))
    rows: list[dict[str, Any]] = []
    for r in facts.leaderboard:
        rows.append(
            {
                "family": r.get("family"),
                "champion": r.get("family") == facts.evaluation.get("champion"),
                "cv_mean": r.get("cv_mean"),
                "cv_std": r.get("cv_std"),
                "folds": r.get("fold_scores") or [],
                "train": r.get("train_score"),
                "latency": r.get("latency_p95_ms"),
                "size": r.get("size_mb"),
                "trials": r.get("n_trials"),
                "params": ", ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items()),
                "violations": r.get("violations") or [],
            }
        )
    folds = {str(r["family"]): [_f(s) for s in r["folds"]] for r in rows if r["folds"]}
    return {
        "metric": metric,
        "rows": rows,
        "plot": plots.spread_plot(folds, metric) if folds else None,
        "plot_note": _off_scale_note(folds, metric),
    }


def _off_scale_note(folds: dict[str, list[float]], metric: str) -> str:
    """The caption's account of a baseline drawn off the models' scale."""
    limits = plots.spread_limits(folds, BASELINE)
    if limits is None or limits[2] == 0:
        return ""
    scores = [s for s in folds[BASELINE] if s == s]
    side = "below" if limits[2] < 0 else "above"
    spread = (
        f"at {min(scores):.4g}" if min(scores) == max(scores)
        else f"{min(scores):.4g} to {max(scores):.4g}"
    )  # fmt: skip
    return (
        f"The baseline's folds ({spread} {metric}) lie far {side} "
        "the models', so the axis keeps the models' range and the baseline is an arrow at "
        "its edge, labelled with its mean."
    )


def gap_view(facts: ReportFacts) -> dict[str, Any]:
    ev = facts.evaluation
    metric = str(ev.get("primary_metric", ""))
    return {
        "metric": metric,
        "train": ev.get("train"),
        "cv": ev.get("cv"),
        "test": (ev.get("test") or {}).get(metric),
        "baseline": (ev.get("baseline_test") or {}).get(metric),
        "diagnosis": ev.get("diagnosis", ""),
        "secondary": {k: v for k, v in (ev.get("test") or {}).items() if k != metric},
    }


def _summary_text(summary: dict[str, Any]) -> str:
    parts = []
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v:,}" if isinstance(v, int) else f"{k}: {v}"
                              for k, v in value.items())  # fmt: skip
        elif isinstance(value, float):
            value = f"{value:.4g}"
        parts.append(f"{key.replace('_', ' ')} {value}")
    return "; ".join(parts) or "no summary"


def _f(x: Any) -> float:
    return float("nan") if x is None or pd.isna(x) else float(x)
