"""Runtime: a group of records scored together (the candidates of one query), ranked.

A task kind that lists `RequestShape.GROUP` takes a group: `score_group` scores its records in
one vectorized call (`CompiledModel.predict_many`), answers them in request order, and gives
each its `rank` in the group: 1 is the best, the highest score by what the kind's `score_field`
says the score is (`RANKS_BY`: the positive class's probability, or the value). Ties keep
request order and a missing score ranks last; `order` lists the records' indices best first.
A kind without GROUP, or whose score does not rank records, refuses a group
(`GroupNotSupportedError`, with why).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from shipml.core.enums import TaskName
from shipml.core.errors import ShipmlError
from shipml.runtime.compiled import CompiledModel, Scored
from shipml.tasks import RequestShape, ScoreField, task_kind

# What a group is ranked by, per score field, highest first. `Scored.score` holds exactly that
# quantity for these fields. The probability of the decided class is absent: two records'
# decided probabilities belong to different classes, so they do not rank the records.
RANKS_BY: Mapping[ScoreField, str] = {
    ScoreField.POSITIVE_PROBABILITY: "the positive class's probability",
    ScoreField.VALUE: "the value",
}


class GroupNotSupportedError(ShipmlError):
    """A model of this task does not take grouped requests."""

    def __init__(self, task: TaskName, why: str) -> None:
        self.task = task
        super().__init__(f"this model's task ({task}) does not take grouped requests: {why}")


@dataclass(frozen=True, slots=True)
class GroupRanking:
    ranks: tuple[int, ...]  # per record, in request order; 1 is the best
    order: tuple[int, ...]  # the records' indices, best first


@dataclass(frozen=True, slots=True)
class ScoredGroup:
    results: list[Scored]  # in request order
    ranking: GroupRanking


def group_refusal(task: TaskName) -> str | None:
    """Why a model of `task` refuses a group; None when it takes one."""
    why = _why_not(task)
    return None if why is None else str(GroupNotSupportedError(task, why))


def takes_groups(task: TaskName) -> bool:
    return group_refusal(task) is None


def rank_group(scores: Sequence[float]) -> GroupRanking:
    """Ranks by score, highest first; a missing score ranks last; ties keep request order."""
    values = np.asarray(scores, dtype=np.float64)
    key = np.where(np.isfinite(values), -values, np.inf)
    order = np.argsort(key, kind="stable")
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.arange(1, len(values) + 1)
    return GroupRanking(tuple(int(r) for r in ranks), tuple(int(i) for i in order))


def score_group(
    compiled: CompiledModel, records: Sequence[Mapping[str, Any]], explain: int = 0
) -> ScoredGroup:
    """Score the records together (one engine call) and rank them within the group.
    Raises `GroupNotSupportedError` for a task that does not take groups, before scoring."""
    why = _why_not(compiled.model.task)
    if why is not None:
        raise GroupNotSupportedError(compiled.model.task, why)
    results = compiled.predict_many(records, explain)
    return ScoredGroup(results, rank_group([r.score for r in results]))


def _why_not(task: TaskName) -> str | None:
    kind = task_kind(task)
    if RequestShape.GROUP not in kind.requests:
        return "its task kind does not declare RequestShape.GROUP"
    if kind.score_field not in RANKS_BY:
        return f"its score ({kind.score_field}) does not rank records against each other"
    return None
