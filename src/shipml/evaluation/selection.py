"""Evaluation: the champion, the best primary metric among candidates meeting the constraints."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from shipml.core.errors import ConstraintError
from shipml.evaluation.leaderboard import LeaderboardRow
from shipml.framing.metrics import MetricDef


@dataclass(frozen=True, slots=True)
class Selection:
    champion: str
    reason: str
    warnings: tuple[str, ...]
    beats_baseline: bool


def rank(rows: Sequence[LeaderboardRow], metric: MetricDef) -> list[LeaderboardRow]:
    """Best first; NaN scores last; ties go to the cheaper (earlier) rung."""
    sign = -1.0 if metric.greater_is_better else 1.0
    return sorted(rows, key=lambda r: math.inf if math.isnan(r.cv_mean) else sign * r.cv_mean)


def select_champion(
    rows: Sequence[LeaderboardRow], metric: MetricDef, *, strict: bool
) -> Selection:
    ranked = rank(rows, metric)
    feasible = [r for r in ranked if not r.violations]
    warnings: list[str] = []
    if feasible:
        best = feasible[0]
        reason = (
            f"best CV {metric.metric} ({best.cv_mean:.4f}) among candidates meeting the constraints"
        )
        skipped = [r.family for r in ranked[: ranked.index(best)]]
        if skipped:
            reason += f"; better-scoring {', '.join(skipped)} broke a constraint"
    else:
        problems = "; ".join(f"{r.family}: {', '.join(r.violations)}" for r in ranked)
        if strict:
            raise ConstraintError(
                f"no candidate meets the constraints ({problems})",
                where="constraints",
                fix="relax max_p95_latency_ms or max_model_mb, or set strict: false",
            )
        best = ranked[0]
        reason = f"best CV {metric.metric} ({best.cv_mean:.4f}); no candidate met the constraints"
        warnings.append(f"no candidate meets the constraints: {problems}")
    baseline = next((r for r in rows if r.family == "baseline"), None)
    beats = baseline is None or (
        best.family != "baseline" and metric.better(best.cv_mean, baseline.cv_mean)
    )
    if not beats:
        warnings.append(
            "in cross-validation the champion does not beat the baseline: the features may "
            "carry no signal, or the budget is too small"
        )
    return Selection(best.family, reason, tuple(warnings), beats)
