"""Explain: the run's own facts the report shows, and the readiness checklist derived from them.

`pipeline/report.py` reads them from the bundle (the registry's files) and hands them over as
plain values, so this layer never touches artifacts itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from shipml.decision.outcome import FIT_ON_OOF
from shipml.explain.explanation import Explanation
from shipml.runtime.inference import InferenceModel
from shipml.runtime.manifest import Manifest
from shipml.spec.model import ModelSpec
from shipml.tasks import task_kind

Status = Literal["yes", "no", "n/a"]


@dataclass(frozen=True, slots=True)
class ReportFacts:
    spec: ModelSpec
    model: InferenceModel
    manifest: Manifest
    evaluation: dict[str, Any]  # evaluation.json
    leaderboard: list[dict[str, Any]]
    choices: list[dict[str, str]]
    profile: dict[str, Any]
    decision: dict[str, Any] | None  # evaluation/decision.json, when the decision layer wrote one
    oof: pd.DataFrame | None  # the champion's out-of-fold scores
    test_predictions: pd.DataFrame | None
    bundle_name: str
    has_reference: bool = False  # evaluation/reference.json, what monitoring compares to

    @property
    def champion_row(self) -> dict[str, Any]:
        champion = self.evaluation.get("champion", self.manifest.family)
        return next((r for r in self.leaderboard if r.get("family") == champion), {})

    def choice(self, name: str) -> str | None:
        return next((c["value"] for c in self.choices if c.get("name") == name), None)


@dataclass(frozen=True, slots=True)
class CheckItem:
    label: str
    status: Status
    evidence: str  # the anchor of the section that shows why
    detail: str


def readiness(facts: ReportFacts, explanation: Explanation | None) -> list[CheckItem]:
    """The checklist at the top of the technical view, each item from the run's own facts."""
    ev, row = facts.evaluation, facts.champion_row
    has_base = any(r.get("family") == "baseline" for r in facts.leaderboard)
    metric = ev.get("primary_metric")
    suspects = {s["column"] for s in facts.profile.get("suspects", [])}
    kept = sorted(suspects & set(facts.model.schema.features))
    folds = row.get("fold_scores") or []
    params = row.get("params") or {}
    classification = task_kind(facts.model.task).has_classes
    items = [
        CheckItem("Baseline and metric defined", _yes(has_base and bool(metric)), "leaderboard",
                  f"primary metric {metric}; baseline {'on' if has_base else 'not on'} the "
                  "leaderboard"),
        CheckItem("Rationale for the model family recorded", _yes(bool(ev.get("reason"))),
                  "leaderboard", str(ev.get("reason") or "no reason recorded")),
        CheckItem("Cross-validation and leakage checks passing",
                  _yes(len(folds) >= 2 and not kept), "validation",
                  f"{len(folds)} folds ({facts.choice('validation_strategy')}); "
                  + (f"suspect columns kept as features: {kept}" if kept
                     else "no leakage or PII suspect is a feature")),
        CheckItem("Class-imbalance plan chosen",
                  _yes("class_weight" in params) if classification else "n/a", "leaderboard",
                  f"class_weight = {params.get('class_weight')!r} (tuned with the family)"
                  if "class_weight" in params else "regression: no classes"
                  if not classification else "the champion records no class weighting"),
        _decision_item(facts, classification),
        CheckItem("Interpretability artifacts produced",
                  _yes(explanation is not None and bool(explanation.importance)), "importance",
                  "permutation importance, PDP/ICE and SHAP on the test rows"
                  if explanation is not None and explanation.importance
                  else "explanations are off (explain.enabled) or the model has no features"),
        _fairness_item(facts, explanation),
        CheckItem("Latency and size within the constraints",
                  _yes(not row.get("violations")), "operations",
                  f"p95 {row.get('latency_p95_ms', float('nan')):.2f} ms, "
                  f"{row.get('size_mb', float('nan')):.2f} MB"
                  + (f"; {'; '.join(row['violations'])}" if row.get("violations") else "")),
    ]  # fmt: skip
    return items


def _decision_item(facts: ReportFacts, classification: bool) -> CheckItem:
    label = "Calibration and threshold chosen on out-of-fold data"
    fit = (facts.decision or {}).get("fit") or {}
    p = fit.get("policy") or {}
    if not classification:
        return CheckItem(label, "n/a", "decision", str(p.get("source", "regression: no threshold")))
    source = str(p.get("source", ""))
    if not p:
        return CheckItem(label, "no", "decision", "no decision policy: 0.5 threshold")
    fit_on = p.get("fit_on")
    if fit_on is None:
        return CheckItem(label, "n/a", "decision", "not recorded by the shipml that trained it")
    on_oof = fit_on == FIT_ON_OOF
    if task_kind(facts.model.task).per_class and fit.get("calibration"):
        kind = fit["calibration"].get("kind")
        return CheckItem(label, "yes", "decision", f"calibration {kind} chosen on out-of-fold "
                         f"scores; decisions: {source}")  # fmt: skip
    if p.get("rule") == "default":
        detail = (
            f"calibration chosen on out-of-fold scores ({p.get('calibration')}); the "
            "threshold stays at the default 0.5: the spec gives no decision rule"
        )
        return CheckItem(label, "no", "decision", detail)
    return CheckItem(label, _yes(on_oof), "decision", source or "no source recorded")


def _fairness_item(facts: ReportFacts, explanation: Explanation | None) -> CheckItem:
    label = "Fairness assessed for the sensitive columns"
    if not facts.spec.fairness.sensitive:
        return CheckItem(label, "n/a", "fairness", "the spec names no sensitive columns")
    report = explanation.fairness if explanation is not None else None
    if report is None:
        return CheckItem(label, "no", "fairness", "not assessed")
    return CheckItem(
        label, "yes", "fairness", f"{len(report.flagged)} difference(s) above tolerance"
    )


def _yes(ok: bool) -> Status:
    return "yes" if ok else "no"
