"""Explain: the decision policy in the report, read from `evaluation/decision.json` when the
decision layer wrote it (fit on out-of-fold scores: policy, calibration, threshold and cost
curves), else computed here from the stored out-of-fold and test scores at the 0.5 default.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shipml.data.taxonomy import path_parts, taxonomy_of
from shipml.explain.report import curves, plots
from shipml.explain.report.facts import ReportFacts
from shipml.explain.report.performance import ScoredRows, figure, ranking_figures
from shipml.tasks import PolicyKind, ReportSection, task_kind

NO_POLICY = "No decision policy: 0.5 threshold"
UNIT_COSTS = {"tp": 0.0, "fp": 1.0, "fn": 1.0, "tn": 0.0}
Series = dict[str, tuple[np.ndarray, np.ndarray]]


def policy(facts: ReportFacts) -> dict[str, Any]:
    """The fitted policy summary (decision.json's fit.policy), or {}."""
    d = facts.decision or {}
    return dict((d.get("fit") or {}).get("policy") or {})


UNFIT_POLICY = {  # what the executive view says when no policy was fit, by policy kind
    PolicyKind.VALUE: "Regression: the model returns a value; no decision threshold applies.",
    PolicyKind.THRESHOLD: f"{NO_POLICY}.",
    PolicyKind.ARGMAX: "No decision policy: most probable class.",
    PolicyKind.LABELS: "No decision policy: each label at 0.5.",
    PolicyKind.PATH: "No decision policy: down to a class, the likeliest child at each level.",
}


def policy_lines(facts: ReportFacts) -> list[str]:
    """The executive's plain-words account of how decisions are made."""
    p, kind = policy(facts), task_kind(facts.model.task)
    if not p:
        return [UNFIT_POLICY[kind.policy]]
    lines = [f"Rule: {p.get('source', p.get('rule', ''))}."]
    if "threshold" in p:
        low, high = (p.get("threshold_interval") or [None, None])[:2]
        moved = low is not None and high is not None and low != high
        band = f" (90% bootstrap interval {_n(low)}–{_n(high)})" if moved else ""
        lines.append(
            f"Decide positive when the calibrated probability is ≥ {_n(p['threshold'])}{band}."
        )
    if "interval" in p:
        lines.append(
            f"Prediction interval offsets {_n(p['interval'][0])} to {_n(p['interval'][1])}."
        )
    f1 = ((facts.decision or {}).get("fit", {}).get("reference") or {}).get("f1_optimal") or {}
    if f1.get("threshold") is not None:
        lines.append(
            f"For reference, the F1-optimal threshold on out-of-fold scores is "
            f"{_n(f1['threshold'])} (precision {_n(f1.get('precision'))}, "
            f"recall {_n(f1.get('recall'))})."
        )
    cal = (facts.decision or {}).get("fit", {}).get("calibration") or {}
    if cal.get("reason"):
        lines.append(f"Calibration {p.get('calibration', cal.get('kind'))}: {cal['reason']}.")
    test = (facts.decision or {}).get("test") or {}
    shown = {k: v for k, v in test.items() if _scalar_metric(k, v)}
    if shown:
        lines.append(
            "On the test rows: " + ", ".join(f"{k} {_n(v)}" for k, v in shown.items()) + "."
        )
    return lines + [f"Warning: {w}" for w in p.get("warnings", [])]


def cost_lines(facts: ReportFacts) -> list[str]:
    """Expected cost per row at the chosen threshold, against the default and flagging no one."""
    p, fit = policy(facts), (facts.decision or {}).get("fit") or {}
    oof, curve = p.get("oof") or {}, fit.get("curve") or {}
    if "cost_per_row" not in oof:
        return []
    low, high = ((p.get("oof_intervals") or {}).get("cost_per_row") or [None, None])[:2]
    units = "the spec's costs" if spec_costs(facts) else "unit costs (each error costs 1)"
    text = f"Expected cost per row on out-of-fold data: {_n(oof['cost_per_row'])}"
    text += f" (90% interval {_n(low)}–{_n(high)}), under {units}."
    lines = [text]
    at_default = _cost_at(curve, 0.5)
    nobody = _cost_at(curve, np.inf)
    if at_default is not None and abs(float(p.get("threshold", 0.5)) - 0.5) > 1e-9:
        lines.append(f"At the default 0.5 threshold it would be {_n(at_default)} per row.")
    if nobody is not None:
        lines.append(f"Deciding no row positive would cost {_n(nobody)} per row.")
    test = (facts.decision or {}).get("test") or {}
    if test.get("cost_total") is not None and test.get("cost_total_default_rule") is not None:
        lines.append(
            f"On the test rows the policy's decisions cost {_n(test['cost_total'])} in total, "
            f"against {_n(test['cost_total_default_rule'])} at the default rule "
            f"({_n(test.get('cost_saved'))} saved)."
        )
    return lines


def decision_view(facts: ReportFacts, rows: ScoredRows | None = None) -> dict[str, Any]:
    """The technical view's policy table; for a thresholded task the ROC and precision-recall
    curves of the scored rows beside the calibration, threshold and cost curves."""
    model, p = facts.model, policy(facts)
    reference = ((facts.decision or {}).get("fit") or {}).get("reference") or {}
    rows_table = _flat(p) + _flat(reference, "reference · ")
    out: dict[str, Any] = {"rows": rows_table, "note": "", "figures": [], "none": NO_POLICY,
                           "title": "Calibration, threshold and cost"}  # fmt: skip
    if ReportSection.LEVELS in task_kind(model.task).report_sections:
        out["title"], out["note"] = "Calibration and the path rule", path_note(facts)
        return out
    if ReportSection.LABELS in task_kind(model.task).report_sections:
        out["note"] = (
            "Each label's threshold and its test-row precision and recall are in the "
            "labels table under Performance."
        )
        return out
    if ReportSection.THRESHOLD not in task_kind(model.task).report_sections:
        out["note"] = "Threshold and cost curves apply to binary tasks."
        return out
    threshold = float(p.get("threshold", model.policy.threshold))
    positive = f"proba_{model.classes[-1]}"
    figures, fit = out["figures"], (facts.decision or {}).get("fit") or {}
    figures += ranking_figures(facts, rows)
    series = _reliability(fit.get("calibration") or {})
    if rows is not None and rows.proba is not None:
        series[f"{rows.rows}, as decided"] = _xy(
            curves.calibration_curve(rows.y == 1, rows.proba[:, 1])
        )
    if series:
        figures.append(figure(
            plots.lines_plot(series, "Calibration", "mean predicted probability (0–1)",
                             "observed positive rate (0–1)", diagonal=True),
            "Calibration curves",
            "Observed positive rate against the mean calibrated probability, in bins; on the "
            "dashed line the probabilities mean what they say.",
        ))  # fmt: skip
    lines, cost = _curves(facts, fit.get("curve") or {}, positive)
    if lines:
        figures.append(figure(
            plots.lines_plot(
                lines, "Precision, recall and F by threshold (out-of-fold)",
                "decision threshold on the calibrated P(positive)", "share (0–1)",
                marker=threshold,
            ),
            "Precision, recall and F by threshold",
            f"Out-of-fold rows, where the threshold is chosen; the dotted line is the chosen "
            f"threshold {threshold:.3g}.",
        ))  # fmt: skip
    if cost is not None:
        unit = "cost per row (spec's units)" if spec_costs(facts) else "errors per row"
        figures.append(figure(
            plots.lines_plot(
                {"expected cost": cost}, "Expected cost by threshold (out-of-fold)",
                "decision threshold on the calibrated P(positive)", unit, marker=threshold,
            ),
            "Expected cost by threshold",
            "Out-of-fold rows, " + ("under the spec's costs." if spec_costs(facts)
                                    else "under unit costs (each error costs 1)."),
        ))  # fmt: skip
    return out


def path_note(facts: ReportFacts) -> str:
    """The path rule in words, from the policy's own summary and stopping share."""
    policy = facts.model.policy
    rule = str(policy.summary.get("source") or "down to a class, the likeliest child each step")
    tax = taxonomy_of(tuple(str(c) for c in facts.model.classes))
    inner = tax.nodes[tax.n_classes :]  # the nodes that are not classes
    itself = any(k in tax.children for k in range(tax.n_classes))  # a class with children
    text = (
        "Each row's decision walks the taxonomy from the top, taking at each node the child "
        + ("(or the node itself, where it is also a class) " if itself else "")
        + f"with the most calibrated probability; the rule: {rule}."
    )
    if policy.stop_below > 0:
        deepest = max(inner, key=lambda n: len(path_parts(n)), default=None)
        example = f" (for example {deepest})" if deepest else ""
        text += (
            f" Below the top level, a row whose best child holds under "
            f"{policy.stop_below:.0%} of its current node's probability stops there: it gets "
            f"that node{example} as its answer, with the node's probability (its classes' "
            "summed) as the answer's score."
        )
    return text + (
        " The accuracy at each level, the rows stopped above their class and, when the rule "
        "stops early, the out-of-fold comparison with deciding down to a class are under "
        "Performance."
    )


def _curves(
    facts: ReportFacts, curve: dict[str, Any], positive: str
) -> tuple[Series, tuple[np.ndarray, np.ndarray] | None]:
    """Threshold and cost curves from decision.json, else from the out-of-fold scores (unit
    costs: errors per row)."""
    if curve.get("threshold"):
        x = _arr(curve["threshold"])
        keys = [k for k in ("precision", "recall", "f_beta") if k in curve]
        lines: Series = {k: (x, _arr(curve[k])) for k in keys}
        cost = (x, _arr(curve["cost_per_row"])) if "cost_per_row" in curve else None
        return lines, cost
    oof = facts.oof
    if oof is None or positive not in oof:
        return {}, None
    p, y = oof[positive].to_numpy(float), oof["label"].to_numpy() == 1
    lines = {str(k): _xy(c) for k, c in curves.threshold_curves(y, p).items()}
    return lines, _xy(curves.cost_curve(y, p, UNIT_COSTS))


def spec_costs(facts: ReportFacts) -> bool:
    """Whether the costs behind the curves are the spec's (else unit costs)."""
    return bool(facts.spec.decision.costs) and facts.decision is not None


def _reliability(cal: dict[str, Any]) -> Series:
    out: Series = {}
    for when in ("before", "after"):
        bins = (cal.get(when) or {}).get("bins") or []
        pts = [(b["mean_predicted"], b["observed"]) for b in bins if b.get("weight")]
        if pts and not (when == "after" and cal.get("kind") == "none"):
            x, y = np.array(pts, dtype=float).T
            out[f"out-of-fold, {when} calibration"] = (x, y)
    return out


def _scalar_metric(key: str, value: object) -> bool:
    return (
        isinstance(value, float | int)
        and key not in ("threshold", "classes")  # a count of classes is no measure
        and "cost" not in key
    )


def _cost_at(curve: dict[str, Any], threshold: float) -> float | None:
    xs, costs = curve.get("threshold"), curve.get("cost_per_row")
    if not xs or not costs:
        return None
    x, c = _arr(xs), _arr(costs)
    if np.isinf(threshold):
        return float(c[np.nanargmax(x)])
    return float(c[np.nanargmin(np.abs(x - threshold))])


def _flat(d: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in d.items():
        name = f"{prefix}{key}".replace("_", " ")
        if isinstance(value, dict):
            rows += _flat(value, f"{prefix}{key} · ")
        elif (
            isinstance(value, list) and value and all(not isinstance(v, list | dict) for v in value)
        ):
            rows.append((name, ", ".join(_n(v) for v in value)))
        elif not isinstance(value, list):
            rows.append((name, _n(value)))
    return rows


def _arr(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _xy(c: curves.Curve) -> tuple[np.ndarray, np.ndarray]:
    return c.x, c.y


def _n(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "–" if v is None else str(v)
