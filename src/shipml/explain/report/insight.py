"""Explain: the explanation sections of the deep-dive: importance beside grouped importance,
PDP/ICE with the interaction flags and their numbers (one figure per explained class), SHAP
(global and local) and fairness beside each sensitive column's use as a feature, figures
included.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shipml.explain.explanation import Explanation
from shipml.explain.pdp import RULE, PartialDependence
from shipml.explain.report import plots
from shipml.explain.report.facts import ReportFacts
from shipml.explain.shap_values import Contributions
from shipml.runtime.estimators import ConstantEstimator, LabelwiseEstimator, NodewiseEstimator

LOCAL_NAMES = ("highest output", "median output", "lowest output")


def importance_view(e: Explanation, top: int) -> dict[str, Any]:
    if not e.importance:
        return {}
    return {
        "rows": e.importance,
        "groups": e.groups,
        "n": e.rows.get("permutation", 0),
        "repeats": len(e.importance[0].repeats),
        "metric": e.metric,
        "plot": plots.importance_plot(e.importance, e.groups, e.metric, top),
    }


def pdp_view(e: Explanation) -> dict[str, Any]:
    if not e.pdp:
        return {"notes": list(e.class_notes)} if e.class_notes else {}
    by_output: dict[str, list[PartialDependence]] = {}
    for p in e.pdp:
        by_output.setdefault(p.output or e.output_label, []).append(p)
    return {
        "n": e.rows.get("pdp", 0),
        "output": e.output_label,
        "outputs": [
            {"output": out, "plot": plots.pdp_plot(curves, out)}
            for out, curves in by_output.items()
        ],
        "several": len(by_output) > 1,
        "panels": [_panel(p, e.output_label) for p in e.pdp],
        "interactions": [p.evidence for p in e.flagged],
        "rule": RULE,
        "notes": list(e.class_notes),
    }


def _panel(p: PartialDependence, default: str) -> dict[str, Any]:
    return {
        "feature": p.feature,
        "output": p.output or default,
        "heterogeneity": p.heterogeneity,
        "spread": p.spread_share,
        "flagged": p.interaction,
    }


def shap_missing(facts: ReportFacts, e: Explanation | None) -> str:
    """Why the report has no SHAP contributions, in words, when it has none."""
    est = facts.model.estimator
    if e is None or not facts.spec.explain.enabled:
        return "Not computed: explanations are off (explain.enabled: false)."
    if isinstance(est, ConstantEstimator):
        return "Not computed: the baseline has no features to explain."
    if isinstance(est, NodewiseEstimator):
        return (
            "Not computed: a classifier per parent node gives each class the product of the "
            "probabilities down its path, which has no exact split into feature contributions "
            "here."
        )
    if isinstance(est, LabelwiseEstimator) and est.chain is not None:
        return (
            "Not computed: in a classifier chain each label's model also reads the labels "
            "before it, which has no exact split into feature contributions here."
        )
    return f"Not computed for the {facts.model.family} family."


def shap_view(e: Explanation, top: int) -> dict[str, Any]:
    s = e.shap
    if s is None:
        return {}
    mean = s.mean_abs()
    order = np.argsort(mean)[::-1][:top]
    local = []
    for name, row in zip(LOCAL_NAMES, e.local, strict=False):
        contrib = s.values[row]
        keep = np.argsort(np.abs(contrib))[::-1][:8]
        local.append(
            {
                "name": name,
                "output_text": _output_text(float(s.output[row]), s.scale),
                "rows": [
                    (s.features[i], _value(e.shap_rows.get(s.features[i]), row), float(contrib[i]))
                    for i in keep
                ],
                "plot": plots.local_plot(s, row),
            }
        )
    return {
        "method": s.method,
        "scale": s.scale,
        "base": s.base,
        "n": len(s.values),
        "global": [(s.features[i], float(mean[i])) for i in order],
        "bar": plots.shap_bar_plot(s, top),
        "beeswarm": plots.beeswarm_plot(s, e.shap_rows, top),
        "local": local,
        "others": [_other_class(c, top) for c in e.shap_by_class[1:]],
    }


def _other_class(s: Contributions, top: int) -> dict[str, Any]:
    """A further explained class: its mean absolute contributions."""
    mean = s.mean_abs()
    order = np.argsort(mean)[::-1][:top]
    return {
        "scale": s.scale,
        "global": [(s.features[i], float(mean[i])) for i in order],
        "bar": plots.shap_bar_plot(s, top),
    }


def fairness_view(e: Explanation | None) -> dict[str, Any]:
    uses = [] if e is None else [{"column": u.column, "used": u.used, "text": u.text}
                                 for u in e.sensitive]  # fmt: skip
    if e is None or e.fairness is None:
        return {"notes": list(e.notes) if e is not None else [], "uses": uses}
    f = e.fairness
    slices = []
    for s in f.slices:
        by = " & ".join(s.by)
        shown = _largest(s.groups, set(s.small_groups), 24)
        slices.append(
            {
                "by": by,
                "groups": s.groups,
                "disparities": s.disparities,
                "small": s.small_groups,
                "plot": plots.fairness_plot(shown, by) if shown else None,
            }
        )
    return {
        "decision": f.decision,
        "slices": slices,
        "notes": list(f.notes) + list(e.notes),
        "flagged": f.flagged,
        "uses": uses,
    }


def _largest(groups: tuple[Any, ...], small: set[str], k: int) -> tuple[Any, ...]:
    """Up to `k` groups large enough for the differences, the biggest, in their own order."""
    big = [g for g in groups if g.group not in small]
    keep = {g.group for g in sorted(big, key=lambda g: -g.count)[:k]}
    return tuple(g for g in big if g.group in keep)


def _output_text(value: float, scale: str) -> str:
    text = f"{value:.3f} in {scale}" if scale.startswith("prob") else f"{value:.4g} in {scale}"
    if scale.startswith("log-odds"):
        text += f" (model probability {1.0 / (1.0 + np.exp(-value)):.3f}, before calibration)"
    return text


def _value(values: np.ndarray | None, row: int) -> str:
    if values is None:
        return ""
    v = values[row]
    if isinstance(v, np.datetime64):
        return "missing" if np.isnat(v) else str(v.astype("datetime64[s]")).replace("T00:00:00", "")
    if isinstance(v, float | np.floating):
        return "missing" if np.isnan(v) else f"{v:.4g}"
    return "missing" if v is None else str(v)
