"""Explain: the explanation sections of the deep-dive: importance beside grouped importance,
PDP/ICE with the interaction flags, SHAP (global and local) and fairness, figures included.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shipml.explain.explanation import Explanation
from shipml.explain.report import plots

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
        return {}
    return {
        "curves": e.pdp,
        "n": e.rows.get("pdp", 0),
        "output": e.output_label,
        "interactions": e.interactions,
        "plot": plots.pdp_plot(e.pdp, e.output_label),
    }


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
    }


def fairness_view(e: Explanation | None) -> dict[str, Any]:
    if e is None or e.fairness is None:
        return {"notes": list(e.notes) if e is not None else []}
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
