"""Pipeline: climb the ladder, tuning each rung in its share of the budget, then refit each
rung's best on all non-test rows and measure it for the leaderboard.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from shipml.candidates import (
    DEFAULT_TRIALS,
    Budget,
    TunedCandidate,
    build_ladder,
    share_trials,
    tune,
)
from shipml.core.errors import BudgetError
from shipml.core.protocols import Progress, Tracker
from shipml.evaluation import (
    FoldCache,
    LeaderboardRow,
    Refitted,
    cross_validate,
    leaderboard_row,
    refit,
)
from shipml.framing.metrics import DEFINITIONS
from shipml.framing.problem import ProblemFrame
from shipml.spec.model import ModelSpec

TUNING_SHARE = 0.8  # of time_budget_s; the rest refits, evaluates and saves


@dataclass(frozen=True, slots=True)
class SearchResult:
    tuned: tuple[TunedCandidate, ...]
    refits: dict[str, Refitted]
    rows: tuple[LeaderboardRow, ...]


def search_ladder(
    spec: ModelSpec, frame: ProblemFrame, tracker: Tracker, progress: Progress, started: float
) -> SearchResult:
    ladder = build_ladder(spec, frame.task)
    limits = spec.constraints
    total = limits.n_trials or (10_000 if limits.time_budget_s else DEFAULT_TRIALS)
    shares = share_trials(ladder, total)
    deadline = started + limits.time_budget_s * TUNING_SHARE if limits.time_budget_s else None
    cache = FoldCache(frame)
    maximize = DEFINITIONS[frame.primary].greater_is_better
    tuned, refits, rows = [], {}, []
    progress.start("ladder", "Climbing the ladder", total=sum(shares.values()))
    for i, family in enumerate(ladder):
        if shares[family.name] == 0:
            continue
        progress.advance("ladder", 0, description=f"Tuning {family.name}")
        family_deadline = _share_deadline(deadline, ladder[i:], shares)
        candidate = tune(
            family,
            lambda fam, params, report: cross_validate(fam, params, cache, report),
            task=frame.task,
            n_rows=len(frame.train_rows),
            maximize=maximize,
            budget=Budget(shares[family.name], family_deadline),
            seed=frame.seed,
            fixed=spec.models.params.get(family.name, {}),
            tracker=tracker,
        )
        progress.advance("ladder", shares[family.name])
        if all(later.preprocess != family.preprocess for later in ladder[i + 1 :]):
            cache.release(family.preprocess)
        if candidate is None:
            progress.note(f"{family.name}: no trial finished within the time budget")
            continue
        refitted = refit(candidate, frame)
        tuned.append(candidate)
        refits[family.name] = refitted
        rows.append(leaderboard_row(candidate, refitted, frame, limits))
    progress.finish("ladder")
    if not rows:
        raise BudgetError(
            "no candidate finished within the time budget",
            where="constraints.time_budget_s",
            fix="raise the time budget, or use fewer folds or rows",
        )
    return SearchResult(tuple(tuned), refits, tuple(rows))


def _share_deadline(
    deadline: float | None, remaining: list, shares: dict[str, int]
) -> float | None:
    """Split the time left between this rung and those after it, by their trial shares."""
    if deadline is None:
        return None
    left = max(0.0, deadline - time.monotonic())
    weights = [max(shares[f.name], 1) for f in remaining if shares[f.name]]
    share = weights[0] / sum(weights) if weights else 1.0
    return time.monotonic() + left * share
