"""Runtime: a group of records scored together (the candidates of one query), ranked.

A task kind that lists `RequestShape.GROUP` takes a group: its records are scored in one
vectorized call and each answer gets its `rank` in the group (1 = the highest score: the
positive probability, or the value, as the kind's `score_field` says), ties kept in request
order; `order` lists the records' indices best first. A kind without GROUP refuses a group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shipml.core.enums import TaskName
from shipml.tasks import RequestShape, ScoreField, task_kind


@dataclass(frozen=True, slots=True)
class GroupRanking:
    ranks: tuple[int, ...]  # per record, in request order; 1 is the best
    order: tuple[int, ...]  # the records' indices, best first


def takes_groups(task: TaskName) -> bool:
    return RequestShape.GROUP in task_kind(task).requests


def group_refusal(task: TaskName) -> str | None:
    """Why a model of `task` refuses a group; None when it takes one."""
    if takes_groups(task):
        return None
    kind = task_kind(task)
    why = (
        "its score is the probability of the decided class, which does not rank records"
        if kind.score_field is ScoreField.DECIDED_PROBABILITY
        else "its task kind does not declare grouped requests"
    )
    return f"this model's task ({task}) does not take grouped requests: {why}"


def rank_group(scores: Sequence[float]) -> GroupRanking:
    """Ranks by score, highest first; a missing score ranks last; ties keep request order."""
    values = np.asarray(scores, dtype=np.float64)
    key = np.where(np.isfinite(values), -values, np.inf)
    order = np.argsort(key, kind="stable")
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.arange(1, len(values) + 1)
    return GroupRanking(tuple(int(r) for r in ranks), tuple(int(i) for i in order))
