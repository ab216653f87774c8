"""Pipeline: what `train` returns, a frozen summary of the run and the champion's inference form."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipml.data import DatasetProfile
from shipml.evaluation import HoldoutReport, LeaderboardRow, Selection
from shipml.framing.problem import Choice
from shipml.registry.models import Registered
from shipml.runtime.inference import InferenceModel


@dataclass(frozen=True, slots=True)
class TrainingResult:
    name: str
    task: str
    primary_metric: str
    model: InferenceModel
    leaderboard: tuple[LeaderboardRow, ...]
    selection: Selection
    holdout: HoldoutReport
    choices: tuple[Choice, ...]
    warnings: tuple[str, ...]
    profile: DatasetProfile
    bundle_dir: Path
    manifest: dict[str, Any]
    registered: Registered | None
    run_id: str | None
    seconds: float

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (the CLI's `--json` output)."""
        reg = self.registered
        return {
            "name": self.name,
            "task": self.task,
            "primary_metric": self.primary_metric,
            "champion": self.selection.champion,
            "reason": self.selection.reason,
            "beats_baseline": self.selection.beats_baseline,
            "cv": self.holdout.cv_score,
            "test": self.holdout.metrics,
            "baseline_test": self.holdout.baseline_metrics,
            "diagnosis": self.holdout.diagnosis,
            "leaderboard": [r.to_dict() for r in self.leaderboard],
            "choices": [c.to_dict() for c in self.choices],
            "warnings": list(self.warnings),
            "bundle": str(self.bundle_dir),
            "registered": None
            if reg is None
            else {
                "name": reg.name,
                "version": reg.version,
                "alias": reg.alias,
                "why": reg.alias_reason,
            },
            "run_id": self.run_id,
            "seconds": round(self.seconds, 2),
        }
