"""Pipeline: what `train` and `decide` return, frozen summaries of the run and the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shipml.data import DatasetProfile
from shipml.decision import DecisionOutcome
from shipml.evaluation import HoldoutReport, Leaderboard, Selection
from shipml.framing.problem import Choice
from shipml.pipeline.persist import finite_json
from shipml.registry.manifest import Manifest
from shipml.registry.register import Registered
from shipml.runtime.inference import InferenceModel


@dataclass(frozen=True, slots=True)
class TrainingResult:
    name: str
    task: str
    primary_metric: str
    model: InferenceModel
    leaderboard: Leaderboard
    selection: Selection
    holdout: HoldoutReport
    decision: DecisionOutcome
    choices: tuple[Choice, ...]
    warnings: tuple[str, ...]
    profile: DatasetProfile
    bundle_dir: Path
    report: Path | None
    manifest: Manifest
    registered: Registered | None
    run_id: str | None
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage of the run

    @property
    def beats_baseline(self) -> bool:
        """On the test rows when the baseline ran (the paired interval), else in CV."""
        against = self.holdout.against_baseline
        return self.selection.beats_baseline if against is None else against.better

    def _repr_html_(self) -> str:
        from html import escape

        against = self.holdout.against_baseline
        reg = self.registered
        rows = {
            "model": self.name,
            "task": self.task,
            "champion": self.selection.champion,
            f"test {self.primary_metric}": f"{self.holdout.test_score:.4f}",
            "verdict": "-" if against is None else against.sentence(),
            "registered": "-" if reg is None else f"version {reg.version} as @{reg.alias}",
            "report": "-" if self.report is None else str(self.report),
            "warnings": str(len(self.warnings)),
        }
        cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
                        for k, v in rows.items())  # fmt: skip
        return f"<table>{cells}</table>{self.leaderboard._repr_html_()}"

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (the CLI's `--json` output)."""
        reg = self.registered
        return {
            "name": self.name,
            "task": self.task,
            "primary_metric": self.primary_metric,
            "champion": self.selection.champion,
            "reason": self.selection.reason,
            "beats_baseline": self.beats_baseline,
            "against_baseline": None
            if self.holdout.against_baseline is None
            else finite_json(self.holdout.against_baseline.to_dict()),
            "unused_inputs": [u.to_dict() for u in self.model.schema.unused()],
            "cv": self.holdout.cv_score,
            "test": self.holdout.metrics,
            "baseline_test": self.holdout.baseline_metrics,
            "diagnosis": self.holdout.diagnosis,
            "decision": finite_json(
                {"policy": self.decision.policy.summary, "test": self.holdout.decided}
            ),
            "leaderboard": [r.to_dict() for r in self.leaderboard],
            "choices": [c.to_dict() for c in self.choices],
            "warnings": list(self.warnings),
            "bundle": str(self.bundle_dir),
            "report": None if self.report is None else str(self.report),
            "registered": None if reg is None else reg.to_dict(),
            "run_id": self.run_id,
            "seconds": round(self.seconds, 2),
            "stages": {k: round(v, 2) for k, v in self.stages.items()},
        }


@dataclass(frozen=True, slots=True)
class DecideResult:
    name: str
    source_version: str
    old_policy: dict[str, Any]
    outcome: DecisionOutcome
    test_metrics: dict[str, float]  # on calibrated probabilities
    test_decision: dict[str, Any]  # at the new policy's decision
    bundle_dir: Path
    registered: Registered | None
    seconds: float

    def summary(self) -> dict[str, Any]:
        reg = self.registered
        return finite_json(
            {
                "name": self.name,
                "source_version": self.source_version,
                "old_policy": self.old_policy,
                "new_policy": self.outcome.policy.summary,
                "test": self.test_metrics,
                "test_decision": self.test_decision,
                "warnings": list(self.outcome.warnings),
                "bundle": str(self.bundle_dir),
                "registered": None if reg is None else reg.to_dict(),
                "seconds": round(self.seconds, 2),
            }
        )
