"""Explain: the executive summary, in plain words: objective, KPIs, the champion against the
baseline, the decision policy and its cost impact, and the risks worth a decision-maker's time.
"""

from __future__ import annotations

import math
from typing import Any

from shipml.explain.explanation import Explanation
from shipml.explain.pdp import INTERACTION_HETEROGENEITY, INTERACTION_SPREAD_SHARE
from shipml.explain.report import decision
from shipml.explain.report.facts import ReportFacts
from shipml.tasks import task_kind

PHRASES = {
    "roc_auc": "ranks a randomly chosen {pos} case above a randomly chosen other case {pct} "
    "of the time (0.5 is a coin toss)",
    "roc_auc_ovr": "separates each class from the rest with an average ROC AUC of {v}",
    "average_precision": "reaches an average precision of {v}: among the cases it ranks "
    "highest, that share are {pos} on average",
    "accuracy": "is right on {pct} of the test rows",
    "balanced_accuracy": "finds {pct} of each class on average (balanced accuracy)",
    "log_loss": "has a log loss of {v} (lower is better: its probabilities are sharper)",
    "brier": "has a Brier score of {v} (squared error of its probabilities; lower is better)",
    "f1": "balances precision and recall at an F1 of {v}",
    "macro_f1": "reaches a macro-averaged F1 of {v} over the classes",
    "rmse": "misses by {v} {target} on a typical row (root mean squared error)",
    "mae": "misses by {v} {target} on average (mean absolute error)",
    "r2": "explains {pct} of the variation in {target} (R²)",
}


def executive_view(facts: ReportFacts, explanation: Explanation | None) -> dict[str, Any]:
    spec, ev = facts.spec, facts.evaluation
    metric = str(ev.get("primary_metric", facts.manifest.primary_metric))
    test = (ev.get("test") or {}).get(metric)
    base = (ev.get("baseline_test") or {}).get(metric)
    return {
        "objective": spec.objective.description or "No objective was written in the spec.",
        "kpis": list(spec.objective.kpis),
        "champion": ev.get("champion", facts.manifest.family),
        "reason": ev.get("reason", ""),
        "metric": metric,
        "test": test,
        "baseline": base,
        "headline": headline(facts, metric, test, base),
        "test_rows": facts.choice("holdout") or "the test rows",
        "policy": decision.policy_lines(facts),
        "cost": decision.cost_lines(facts),
        "risks": risks(facts, explanation),
    }


def headline(facts: ReportFacts, metric: str, test: float | None, base: float | None) -> str:
    if test is None or (isinstance(test, float) and math.isnan(test)):
        return f"The test {metric} could not be computed."
    model = facts.model
    pos = str(model.classes[-1]) if model.classes else ""
    words = PHRASES.get(metric, "scores {v} on " + metric).format(
        pos=pos, pct=f"{test:.0%}", v=f"{test:.3g}", target=model.target
    )
    text = (
        f"On the held-out test rows, the {facts.evaluation.get('champion', 'model')} model {words}."
    )
    against = facts.evaluation.get("against_baseline")
    if base is not None and isinstance(against, dict):
        verdict = {"better": "beats it", "worse": "is worse than it"}.get(
            str(against.get("verdict")), "does not beat it"
        )
        low, high = against.get("low"), against.get("high")
        interval = (
            f"; 95% interval of the improvement {low:+.3g} to {high:+.3g}"
            if isinstance(low, float) and isinstance(high, float) else ""
        )  # fmt: skip
        if verdict != "beats it":
            text = (
                "Not made @champion: the model does not beat the constant baseline on the test "
                f"rows. {text}"
            )
        text += (
            f" The baseline, which ignores the features and always predicts the training "
            f"{'mean' if task_kind(model.task).gives_values else 'class shares'}, scores "
            f"{base:.3g} on the same rows: the model {verdict} ({metric} {test:.3g} vs "
            f"{base:.3g}{interval})."
        )
    return text


def risks(facts: ReportFacts, explanation: Explanation | None) -> list[str]:
    ev, row = facts.evaluation, facts.champion_row
    out = [str(w) for w in ev.get("warnings", [])]
    diagnosis = str(ev.get("diagnosis", ""))
    if diagnosis and not diagnosis.startswith("a sound fit"):
        out.append(f"Generalization: {diagnosis}.")
    if not ev.get("beats_baseline", True):
        out.append(
            "The model does not beat the baseline on the test rows: it was not made @champion;"
            " do not deploy it as is."
        )
    out += [f"Constraint: {v}." for v in row.get("violations", [])]
    if explanation is not None and explanation.fairness is not None:
        flagged = explanation.fairness.flagged
        if flagged:
            parts = [f"{by}: {_label(d.metric).lower()} {d.value:.3f} (tolerance {d.tolerance:g})"
                     for by, d in flagged]  # fmt: skip
            out.append("Fairness differences above tolerance: " + "; ".join(parts) + ".")
    if explanation is not None and explanation.flagged:
        out.append(
            "Interactions: the effect of these features differs from row to row, so their "
            "average effect misleads ("
            + "; ".join(p.evidence for p in explanation.flagged)
            + f"; flagged above {INTERACTION_HETEROGENEITY:g} heterogeneity and an ICE spread of "
            f"{INTERACTION_SPREAD_SHARE:.0%} of the prediction range; see the ICE curves)."
        )
    if explanation is not None:
        out += list(explanation.notes)
        out += list(explanation.caveats[:2])
    return out


def _scalar(v: object) -> bool:
    return isinstance(v, str | int | float | bool) or v is None


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "none" if v is None else str(v)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()
