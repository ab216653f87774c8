"""Pipeline: climb the ladder, tuning each rung in its share of the budget, then refit each
rung's best on all non-test rows and measure it for the leaderboard.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from shipml.candidates import (
    DEFAULT_TRIALS,
    Budget,
    Family,
    TunedCandidate,
    build_ladder,
    share_trials,
    tune,
)
from shipml.candidates.target_transform import skewed
from shipml.core.enums import ColumnType, SplitKind
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
from shipml.tasks import task_kind

FIRST_UNDER_BUDGET = "lightgbm"  # under a time budget, the rung tried right after the baseline


@dataclass(frozen=True, slots=True)
class SearchResult:
    tuned: tuple[TunedCandidate, ...]
    refits: dict[str, Refitted]
    rows: tuple[LeaderboardRow, ...]


def search_ladder(
    spec: ModelSpec,
    frame: ProblemFrame,
    tracker: Tracker,
    progress: Progress,
    deadline: float | None = None,
) -> SearchResult:
    """Tune and refit each rung; `deadline` (a `time.monotonic()` value) ends the search. Under
    a deadline the strongest rung runs right after the baseline, so a tight budget still
    yields a real model, and a boosted fit stops adding trees at the deadline."""
    skew = task_kind(frame.task).gives_values and skewed(frame.y[frame.train_rows])
    ladder = build_ladder(
        spec, frame.task, skewed_target=skew, trend_column=trend_column(spec, frame)
    )
    if skew:
        progress.note(
            "The target is positive and skewed: the ladder also tries LightGBM on log1p(target), "
            "answering exp(f) x smearing - 1 (Duan's correction)"
        )
    limits = spec.constraints
    if deadline is not None:
        ladder = best_first(ladder)
    total = limits.n_trials or (10_000 if limits.time_budget_s else DEFAULT_TRIALS)
    shares = share_trials(ladder, total)
    cache = FoldCache(frame)
    maximize = DEFINITIONS[frame.primary].greater_is_better
    tuned: list[TunedCandidate] = []
    refits: dict[str, Refitted] = {}
    rows: list[LeaderboardRow] = []
    progress.start("ladder", "Climbing the ladder", total=sum(shares.values()))
    for i, family in enumerate(ladder):
        if shares[family.name] == 0:
            continue
        progress.advance("ladder", 0, description=f"Tuning {family.name}")
        first = not refits.keys() - {"baseline"} and family.name != "baseline"
        # the baseline always runs (one constant fit): every verdict is read against it
        family_deadline = (
            None if family.name == "baseline" else _share_deadline(deadline, ladder[i:], shares)
        )
        candidate = tune(
            family,
            lambda fam, params, report: cross_validate(fam, params, cache, report, deadline),
            task=frame.task,
            n_rows=len(frame.train_rows),
            maximize=maximize,
            # the first real rung's first trial finishes (its boosting stops at the deadline):
            # a tight budget still yields a model; any other rung stops at the deadline
            budget=Budget(
                shares[family.name],
                family_deadline,
                None if first or family.name == "baseline" else deadline,
                at_least_one=first or family.name == "baseline",
            ),
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


def trend_column(spec: ModelSpec, frame: ProblemFrame) -> str | None:
    """The time column, when the folds are time-ordered and it is a datetime feature."""
    name = spec.validation.time_column
    ordered = frame.strategy is SplitKind.TIME and task_kind(frame.task).gives_values
    return name if ordered and frame.features.get(str(name)) is ColumnType.DATETIME else None


def best_first(ladder: list[Family]) -> list[Family]:
    """The baseline, then the strongest rung (`FIRST_UNDER_BUDGET`) and its variants (a chain,
    per node, on log1p(target), detrended), then the rest in order."""
    first = [f for f in ladder if f.name == "baseline"]
    first += [f for f in ladder if f.name == FIRST_UNDER_BUDGET]
    first += [f for f in ladder if f.name.startswith(f"{FIRST_UNDER_BUDGET}_")]
    return first + [f for f in ladder if f not in first]


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
