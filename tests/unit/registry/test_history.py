"""Alias history: the rollback target, and the promotion guard, on in-memory registry fakes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from shipml.registry.history import AliasMove, previous_champion
from shipml.registry.models import promotion_problems


def move(alias: str, frm: str, to: str, action: str = "promote", ns: int = 0) -> AliasMove:
    return AliasMove("m", alias, frm, to, action, "me", "", "2026-01-01T00:00:00", ns)


def test_rollback_target_undoes_promotions_in_order() -> None:
    moves = [move("champion", "", "1", "register"), move("champion", "1", "2")]
    assert previous_champion(moves, "champion") == "1"
    moves += [move("champion", "2", "3")]
    assert previous_champion(moves, "champion") == "2"
    moves += [move("champion", "3", "2", "rollback")]
    assert previous_champion(moves, "champion") == "1"
    moves += [move("champion", "2", "1", "rollback")]
    assert previous_champion(moves, "champion") is None


def test_rollback_target_ignores_other_aliases_and_repeats() -> None:
    moves = [
        move("champion", "", "1", "register"),
        move("challenger", "", "2", "register"),
        move("champion", "1", "1"),
        move("challenger", "2", "", "clear"),
    ]
    assert previous_champion(moves, "champion") is None
    assert previous_champion(moves, "challenger") == "2"


@dataclass
class Version:
    version: str
    tags: dict[str, str] = field(default_factory=dict)


class FakeClient:
    def __init__(self, versions: dict[str, Version], champion: str | None) -> None:
        self.versions, self.champion = versions, champion

    def get_model_version(self, name: str, version: str) -> Version:
        return self.versions[version]

    def get_model_version_by_alias(self, name: str, alias: str) -> Any:
        from mlflow.exceptions import MlflowException

        if alias != "champion" or self.champion is None:
            raise MlflowException("no alias")
        return self.versions[self.champion]


def version(
    v: str, score: float, violations: tuple[str, ...] = (), greater: bool = True
) -> Version:
    tags = {
        "shipml.test_score": repr(score),
        "shipml.greater_is_better": str(greater),
        "shipml.primary_metric": "roc_auc" if greater else "rmse",
        "shipml.violations": json.dumps(list(violations)),
    }
    return Version(v, tags)


def test_the_guard_wants_a_better_score_within_the_constraints() -> None:
    client = FakeClient(
        {
            "1": version("1", 0.80),
            "2": version("2", 0.85),
            "3": version("3", 0.80),
            "4": version("4", 0.90, ("p95 latency 30.00 ms > 20 ms",)),
        },
        champion="1",
    )
    assert promotion_problems(client, "m", "2", "champion") == []
    assert "does not beat champion v1" in promotion_problems(client, "m", "3", "champion")[0]
    problems = promotion_problems(client, "m", "4", "champion")
    assert problems == ["it breaks the spec's constraints (p95 latency 30.00 ms > 20 ms)"]
    assert promotion_problems(client, "m", "3", "challenger") == []
    assert promotion_problems(client, "m", "1", "champion") == []


@pytest.mark.parametrize(("score", "ok"), [(1.9, True), (2.0, False), (2.1, False)])
def test_lower_is_better_metrics(score: float, ok: bool) -> None:
    client = FakeClient(
        {"1": version("1", 2.0, greater=False), "2": version("2", score, greater=False)}, "1"
    )
    assert (promotion_problems(client, "m", "2", "champion") == []) is ok


def test_no_champion_yet_means_no_comparison() -> None:
    client = FakeClient({"1": version("1", 0.5)}, champion=None)
    assert promotion_problems(client, "m", "1", "champion") == []
