"""Grouped requests in the runtime: ranks within the group, ties in request order, refusals."""

from __future__ import annotations

import math

from shipml.runtime.group import group_refusal, rank_group, takes_groups


def test_the_highest_score_ranks_first_and_ties_keep_request_order() -> None:
    ranking = rank_group([0.2, 0.9, 0.5, 0.9])
    assert ranking.ranks == (4, 1, 3, 2)
    assert ranking.order == (1, 3, 2, 0)


def test_values_rank_the_same_way_and_a_missing_score_ranks_last() -> None:
    ranking = rank_group([12.5, math.nan, -3.0, 40.0])
    assert ranking.order == (3, 0, 2, 1)
    assert ranking.ranks[1] == 4


def test_built_in_kinds_refuse_a_group_and_say_why() -> None:
    assert not takes_groups("binary")
    message = group_refusal("multiclass")
    assert message is not None
    assert message.startswith("this model's task (multiclass) does not take grouped requests")
    assert "decided class" in message
    assert "does not declare" in str(group_refusal("regression"))
