"""Grouped requests in the runtime: ranks within the group, ties in request order, refusals."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

import numpy as np
import pytest

from shipml.core.enums import Task
from shipml.core.errors import ShipmlError
from shipml.runtime import InferenceModel
from shipml.runtime.compiled import CompiledModel
from shipml.runtime.group import (
    GroupNotSupportedError,
    group_refusal,
    rank_group,
    score_group,
    takes_groups,
)
from shipml.tasks import RequestShape, TaskKind, register_task, unregister_task
from shipml.tasks.binary import BINARY
from shipml.tasks.multiclass import MULTICLASS
from shipml.tasks.regression import REGRESSION
from tests.unit.runtime.conftest import build_model

GROUPED = frozenset({RequestShape.RECORD, RequestShape.BATCH, RequestShape.GROUP})


@pytest.fixture
def grouped_kinds() -> Iterator[dict[str, TaskKind]]:
    """Binary, regression and multiclass kinds that declare GROUP, registered for one test."""
    kinds = {
        "binary": dataclasses.replace(BINARY, name="ranked_binary", requests=GROUPED),
        "regression": dataclasses.replace(REGRESSION, name="ranked_values", requests=GROUPED),
        "multiclass": dataclasses.replace(MULTICLASS, name="ranked_classes", requests=GROUPED),
    }
    for kind in kinds.values():
        register_task(kind)
    try:
        yield kinds
    finally:
        for kind in kinds.values():
            unregister_task(kind.name)


def as_task(model: InferenceModel, kind: TaskKind) -> InferenceModel:
    return dataclasses.replace(model, task=kind.name)


def records(n: int) -> list[dict[str, object]]:
    cities = ("rome", "oslo", "paris", "lima", None)
    return [
        {"age": 20.0 + 7 * i, "city": cities[i % 5], "member": i % 2 == 0, "signup": "2020-01-01"}
        for i in range(n)
    ]


def test_the_highest_score_ranks_first_and_ties_keep_request_order() -> None:
    ranking = rank_group([0.2, 0.9, 0.5, 0.9])
    assert ranking.ranks == (4, 1, 3, 2)
    assert ranking.order == (1, 3, 2, 0)
    assert rank_group([0.5, 0.5, 0.5]).ranks == (1, 2, 3)
    assert rank_group([0.7]).order == (0,)


def test_values_rank_the_same_way_and_a_missing_score_ranks_last() -> None:
    ranking = rank_group([12.5, math.nan, -3.0, 40.0])
    assert ranking.order == (3, 0, 2, 1)
    assert ranking.ranks == (2, 4, 3, 1)
    assert rank_group([math.nan, math.inf, 1.0]).order == (2, 0, 1)  # non-finite: last, in order


def test_built_in_kinds_refuse_a_group_and_say_why() -> None:
    for task in ("binary", "multiclass", "regression"):
        assert not takes_groups(task)
        message = group_refusal(task)
        assert message is not None
        assert message.startswith(f"this model's task ({task}) does not take grouped requests")
        assert "RequestShape.GROUP" in message


def test_a_kind_whose_score_does_not_rank_records_refuses_even_with_group(
    grouped_kinds: dict[str, TaskKind],
) -> None:
    assert takes_groups("ranked_binary")
    assert takes_groups("ranked_values")
    assert not takes_groups("ranked_classes")  # P(decided class) compares different classes
    assert "decided_probability" in str(group_refusal("ranked_classes"))


def test_score_group_refuses_before_scoring() -> None:
    compiled = CompiledModel(build_model("linear", Task.BINARY))
    with pytest.raises(GroupNotSupportedError) as info:
        score_group(compiled, records(3))
    assert isinstance(info.value, ShipmlError)
    assert info.value.task == "binary"
    assert "this model's task (binary) does not take grouped requests" in str(info.value)


def test_a_group_ranks_by_the_positive_probability_in_one_call(
    grouped_kinds: dict[str, TaskKind],
) -> None:
    compiled = CompiledModel(as_task(build_model("lightgbm", Task.BINARY), grouped_kinds["binary"]))
    group = score_group(compiled, records(6))
    alone = compiled.predict_many(records(6))
    assert group.results == alone  # the batch's answers, in request order
    positive = [r.proba[1] for r in group.results if r.proba is not None]
    assert len(positive) == 6
    assert group.ranking.ranks[int(np.argmax(positive))] == 1
    assert [positive[i] for i in group.ranking.order] == sorted(positive, reverse=True)
    assert sorted(group.ranking.ranks) == [1, 2, 3, 4, 5, 6]


def test_a_group_of_values_ranks_the_highest_value_first(
    grouped_kinds: dict[str, TaskKind],
) -> None:
    model = as_task(build_model("linear", Task.REGRESSION), grouped_kinds["regression"])
    group = score_group(CompiledModel(model), records(5))
    values = [r.decision for r in group.results]
    assert [values[i] for i in group.ranking.order] == sorted(values, reverse=True)
    same = score_group(CompiledModel(model), [records(1)[0]] * 3)  # equal scores: request order
    assert same.ranking.ranks == (1, 2, 3)
    assert same.ranking.order == (0, 1, 2)
