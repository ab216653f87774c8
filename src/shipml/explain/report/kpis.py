"""Explain: the spec's KPIs answered with the run's numbers, or marked "not measured".

What the spec asks for: the objective's KPIs (free text), the primary and secondary metrics,
the decision rule's target (recall, precision, cost, F-beta, class recall floors, interval
coverage) and the constraints. Each is answered from the rows the report's figures show
(`performance.ScoredRows`: the test rows through the model's own policy), or from the test
metrics training computed on those rows. A free-text KPI is answered only when it names a
measure in so many words (recall, precision, cost, accuracy, a metric's name, ...); anything
else is "not measured", saying why, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from shipml.explain.report.facts import ReportFacts
from shipml.explain.report.performance import (
    PATH_MEASURES,
    ScoredRows,
    default_decisions,
    path_measures,
)
from shipml.tasks import task_kind

Status = Literal["met", "not met", "measured", "not measured"]
TOLERANCE = 1e-9

# words in a free-text KPI -> the measure that answers it (longest phrases are tried first)
WORDS = {
    "true positive rate": "recall", "sensitivity": "recall", "recall": "recall",
    "positive predictive value": "precision", "precision": "precision",
    "expected cost": "cost", "cost": "cost", "coverage": "coverage", "latency": "latency",
    "model size": "size", "f1": "f1", "f-score": "f1", "f beta": "f_beta", "r²": "r2",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Measure:
    value: float | None
    text: str  # the number in words, with the rows it comes from
    interval: tuple[float, float] | None = None  # 95% Wilson interval of a share


@dataclass(frozen=True, slots=True)
class Kpi:
    name: str  # what the spec asks for
    source: str  # where in the spec
    target: str
    value: float | None
    text: str
    status: Status


def kpi_view(facts: ReportFacts, rows: ScoredRows | None) -> dict[str, Any]:
    m = measures(facts, rows)
    out = [*_objective(facts, m), *_metrics(facts, m), *_decision(facts, m), *_limits(facts, m)]
    return {"rows": out, "on": rows.described if rows is not None else "no scored rows"}


def measures(facts: ReportFacts, rows: ScoredRows | None) -> dict[str, Measure]:
    """Every number the run gives for a KPI, keyed by the measure's name."""
    out: dict[str, Measure] = {}
    for name, value in (facts.evaluation.get("test") or {}).items():
        if isinstance(value, int | float):
            out[name] = Measure(float(value), f"{value:.4g} on the test rows")
    if rows is not None and rows.label_sets:
        out |= _label_measures(facts, rows)
    elif rows is not None and rows.paths:
        out = _path_measures(facts, rows, out)
    elif rows is not None and rows.decided is not None:
        out |= _class_measures(facts, rows)
        c = rows.confusion()
        accuracy = float(np.trace(c) / max(float(c.sum()), 1e-300))
        out.setdefault("accuracy", Measure(accuracy, f"{accuracy:.4g} on {rows.described}"))
    if rows is not None and rows.values is not None:
        bounds = facts.model.policy.bounds(rows.values)
        if bounds is not None:
            inside = float(np.mean((rows.y >= bounds[0]) & (rows.y <= bounds[1])))
            out["coverage"] = Measure(
                inside, f"{inside:.4g} of {rows.described} inside their prediction interval"
            )
    row = facts.champion_row
    if row.get("latency_p95_ms") is not None:
        out["latency"] = Measure(float(row["latency_p95_ms"]),
                                 f"p95 {row['latency_p95_ms']:.3g} ms, one record at a time "
                                 "(measured at training)")  # fmt: skip
    if row.get("size_mb") is not None:
        out["size"] = Measure(float(row["size_mb"]), f"{row['size_mb']:.3g} MB on disk")
    return out


def _label_measures(facts: ReportFacts, rows: ScoredRows) -> dict[str, Measure]:
    """Micro recall and precision over every (row, label), and each label's recall."""
    assert rows.decided is not None
    Y, d, w = rows.y == 1, rows.decided == 1, rows.w[:, None]
    tp, fp, fn = (float((w * (a & b)).sum()) for a, b in ((Y, d), (~Y, d), (Y, ~d)))
    on = f"on {rows.described}, over every (row, label) decision"
    out: dict[str, Measure] = {}
    for name, (hits, total) in {"recall": (tp, tp + fn), "precision": (tp, tp + fp)}.items():
        if total > 0:  # no interval: a row's labels are not independent draws
            out[name] = Measure(hits / total, f"{hits / total:.4g} {on}")
    for j, label in enumerate(facts.model.classes):
        held = float((w[:, 0] * Y[:, j]).sum())
        if held > 0:
            r = float((w[:, 0] * (Y[:, j] & d[:, j])).sum()) / held
            out[f"recall:{label}"] = Measure(r, f"{r:.4g} for label {label} on {rows.described}")
    return out


def _path_measures(
    facts: ReportFacts, rows: ScoredRows, given: dict[str, Measure]
) -> dict[str, Measure]:
    """The hierarchical measures of the policy's decisions (a path stopped above its class is
    no decision of that class); recall, precision and F1 read as the hierarchical ones. The
    test metrics training computed walk the tree at the same stopping share, so a measure it
    already holds is kept as it is."""
    found = path_measures(facts, rows)
    on = f"at the policy's decisions on {rows.described}"
    out = dict(given)
    for key, label in PATH_MEASURES:
        if key not in out:
            out[key] = Measure(found[key], f"{found[key]:.4g} {on} ({label})")
    for word, key in (("recall", "hierarchical_recall"), ("precision", "hierarchical_precision"),
                      ("f1", "hierarchical_f1")):  # fmt: skip
        label = dict(PATH_MEASURES)[key]
        out[word] = Measure(found[key], f"{found[key]:.4g} {label} {on}")
    weight = " of the weight" if rows.weights is not None else ""
    out["stopped_early"] = Measure(
        found["stopped_early"],
        f"{found['stopped_rows']:,} of {rows.described} ({found['stopped_early']:.1%}{weight}) "
        "decided above their class",
    )
    return out


def _class_measures(facts: ReportFacts, rows: ScoredRows) -> dict[str, Measure]:
    model, kind = facts.model, task_kind(facts.model.task)
    c = rows.confusion()
    out: dict[str, Measure] = {}
    at = f"at the chosen threshold {model.policy.threshold:.3g}" if kind.has_positive else ""
    on = f"{at + ' ' if at else ''}on {rows.described}"
    fit_oof = (model.policy.summary.get("oof") or {}) if kind.has_positive else {}
    if kind.has_positive:
        tp, fp, fn = c[1, 1], c[0, 1], c[1, 0]
        beta = facts.spec.decision.beta if facts.spec.decision.metric == "f_beta" else 1.0
        shares = {"recall": (tp, tp + fn), "precision": (tp, tp + fp)}
        values = {
            "recall": tp / (tp + fn) if tp + fn > 0 else float("nan"),
            "precision": tp / (tp + fp) if tp + fp > 0 else float("nan"),
            "f_beta": (1 + beta**2) * tp / ((1 + beta**2) * tp + beta**2 * fn + fp)
            if tp + fp + fn > 0 else float("nan"),
        }  # fmt: skip
        for name, value in values.items():
            oof = fit_oof.get(name)
            also = f" (out-of-fold, where it was chosen: {oof:.4g})" if _finite(oof) else ""
            band = wilson(*shares[name], rows) if name in shares else None
            ci = f" (95% interval {band[0]:.4g}–{band[1]:.4g})" if band else ""
            out[name] = Measure(float(value), f"{value:.4g} {on}{ci}{also}", band)
    else:
        recall = np.diag(c) / np.maximum(c.sum(axis=1), 1e-300)
        each = ", ".join(f"{k} {r:.3g}" for k, r in zip(model.classes, recall, strict=True))
        out["recall"] = Measure(None, f"per class {on}: {each}")
        for k, r in zip(model.classes, recall, strict=True):
            out[f"recall:{k}"] = Measure(float(r), f"{r:.4g} {on}")
    costs = model.policy.costs
    if costs is not None:
        matrix, total_w = np.asarray(costs), max(float(c.sum()), 1e-300)
        total = float((c * matrix).sum())
        default = float((rows.confusion(default_decisions(facts, rows)) * matrix).sum())
        out["cost"] = Measure(
            total / total_w,
            f"{total / total_w:.4g} per row (total {total:,.4g}) {on}, in the spec's cost "
            f"units; the default rule ({'0.5' if kind.has_positive else 'argmax'}) would cost "
            f"{default / total_w:.4g} per row on the same rows",
        )
    return out


def _objective(facts: ReportFacts, m: dict[str, Measure]) -> list[Kpi]:
    out = []
    phrases = {**{k.replace("_", " "): k for k in m if ":" not in k}, **WORDS}
    for text in facts.spec.objective.kpis:
        key = _read(text, phrases)
        if key is None:
            known = ", ".join(sorted({k.replace("_", " ") for k in m if ":" not in k}))
            out.append(Kpi(text, "objective.kpis", "–", None,
                           f"not measured: it names no measure the run computes ({known})",
                           "not measured"))  # fmt: skip
        elif key not in m:
            out.append(Kpi(text, "objective.kpis", "–", None, _missing(key), "not measured"))
        else:
            read = f" (read as {key.replace('_', ' ')})"
            out.append(Kpi(text, "objective.kpis", "–", m[key].value, m[key].text + read,
                           "measured"))  # fmt: skip
    return out


def _metrics(facts: ReportFacts, m: dict[str, Measure]) -> list[Kpi]:
    primary = str(facts.evaluation.get("primary_metric") or facts.manifest.primary_metric)
    baseline = (facts.evaluation.get("baseline_test") or {}).get(primary)
    names = [(primary, "metrics.primary")]
    names += [(str(s), "metrics.secondary") for s in facts.spec.metrics.secondary
              if str(s) != primary]  # fmt: skip
    out = []
    for name, source in names:
        if name not in m:
            out.append(Kpi(name, source, "–", None, "not measured on the test rows",
                           "not measured"))  # fmt: skip
            continue
        text = m[name].text
        if name == primary and _finite(baseline):
            text += f" (baseline {baseline:.4g} on the same rows)"
        out.append(Kpi(name, source, "–", m[name].value, text, "measured"))
    return out


def _decision(facts: ReportFacts, m: dict[str, Measure]) -> list[Kpi]:
    d, kind = facts.spec.decision, task_kind(facts.model.task)
    out: list[Kpi] = []
    if kind.paths:  # the rule is the task section's stopping share; it takes no costs
        names = {
            "precision": "hierarchical precision",
            "recall": "hierarchical recall",
            "f1": "hierarchical F1",
            "stopped_early": "rows stopped above their class",
        }
        return [Kpi(label, "hierarchical.stop_below", "–", m[key].value, m[key].text, "measured")
                for key, label in names.items() if key in m]  # fmt: skip
    if kind.has_positive:
        out.append(_target("recall", "decision.recall_target", d.recall_target, m))
        out.append(_target("precision", "decision.precision_target", d.precision_target, m))
        if d.metric is not None:
            out.append(_target("f_beta", "decision.metric", None, m,
                               label=f"F{1.0 if d.metric == 'f1' else d.beta:g}"))  # fmt: skip
    elif kind.has_classes:
        if "recall" in m:
            out.append(Kpi("recall per class", "decision", "–", None, m["recall"].text,
                           "measured"))  # fmt: skip
        for label, floor in d.class_recall_floors.items():
            out.append(_target(f"recall:{label}", "decision.class_recall_floors", floor, m,
                               label=f"recall of {label}"))  # fmt: skip
    if kind.has_classes:
        name = "expected cost at the chosen threshold" if kind.has_positive else "expected cost"
        if "cost" in m:
            out.append(Kpi(name, "decision.costs", "as low as possible", m["cost"].value,
                           m["cost"].text, "measured"))  # fmt: skip
        else:
            out.append(Kpi(name, "decision.costs", "–", None, _missing("cost"), "not measured"))
    elif kind.gives_values:
        out.append(_target("coverage", "decision.coverage", d.coverage, m,
                           label="prediction interval coverage"))  # fmt: skip
    return out


def _limits(facts: ReportFacts, m: dict[str, Measure]) -> list[Kpi]:
    c, out = facts.spec.constraints, []
    for key, limit, label in (("latency", c.max_p95_latency_ms, "p95 latency (ms)"),
                              ("size", c.max_model_mb, "model size (MB)")):  # fmt: skip
        if limit is None:
            continue
        source = "constraints." + ("max_p95_latency_ms" if key == "latency" else "max_model_mb")
        if key not in m or m[key].value is None:
            out.append(Kpi(label, source, f"≤ {limit:g}", None, "not measured", "not measured"))
            continue
        value = m[key].value
        met = value is not None and value <= limit
        out.append(Kpi(label, source, f"≤ {limit:g}", value, m[key].text,
                       "met" if met else "not met"))  # fmt: skip
    return out


def _target(
    key: str, source: str, target: float | None, m: dict[str, Measure], *, label: str = ""
) -> Kpi:
    name = label or key
    if key not in m:
        return Kpi(name, source, _at_least(target), None, _missing(key), "not measured")
    value = m[key].value
    if target is None:  # no target in the spec: the number at the policy's own decisions
        return Kpi(name, "decision (no target)", "–", value, m[key].text, "measured")
    met = _finite(value) and value is not None and value >= target - TOLERANCE
    text, band = m[key].text, m[key].interval
    if not met and band is not None and band[1] >= target:
        text += "; the target lies inside the interval: the shortfall is within sampling error"
    return Kpi(name, source, _at_least(target), value, text, "met" if met else "not met")


def wilson(hits: float, total: float, rows: ScoredRows, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of the share hits/total; with weights, on Kish's
    effective number of rows (the weights scaled to it)."""
    w = rows.w
    scale = float(w.sum() / (w**2).sum()) if rows.weights is not None else 1.0
    n, k = total * scale, hits * scale
    if n <= 0:
        return float("nan"), float("nan")
    share = k / n
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return float(centre - half), float(centre + half)


def _read(text: str, phrases: dict[str, str]) -> str | None:
    lowered = text.lower()
    for phrase in sorted(phrases, key=len, reverse=True):
        if re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", lowered):
            return phrases[phrase]
    return None


def _missing(key: str) -> str:
    return {
        "cost": "not measured: the spec gives no decision.costs (the cost of each outcome)",
        "coverage": "not measured: the model has no prediction interval",
        "latency": "not measured: the leaderboard records no latency",
        "size": "not measured: the leaderboard records no size",
    }.get(key, f"not measured: the run computes no {key.replace('_', ' ')} for this task")


def _at_least(target: float | None) -> str:
    return "–" if target is None else f"≥ {target:g}"


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and np.isfinite(float(x))
