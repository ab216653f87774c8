"""Alias history: the rollback target, and the promotion guard, on in-memory registry fakes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shipml.core.enums import Metric
from shipml.evaluation.comparison import Comparison, compare
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


def verdict(ours: np.ndarray, theirs: np.ndarray, y: np.ndarray) -> Comparison:
    return compare(
        Metric.ROC_AUC, y, ours, theirs, None, names=("v2", "champion v1"), rows="test rows",
        seed=0, resamples=400,
    )  # fmt: skip


def test_the_guard_wants_a_verdict_on_the_same_rows_within_the_constraints() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 600)
    strong = np.column_stack([1 - (p := 0.7 * y + 0.3 * rng.random(600)), p])
    weak = np.column_stack([1 - (q := rng.random(600)), q])
    client = FakeClient(
        {
            "1": version("1", 0.80),
            "2": version("2", 0.85),
            "3": version("3", 0.9, ("p95 latency 30.00 ms > 20 ms",)),
        },
        champion="1",
    )
    assert promotion_problems(client, "m", "2", "champion", verdict(strong, weak, y)) == []
    lost = promotion_problems(client, "m", "2", "champion", verdict(weak, strong, y))
    assert len(lost) == 1
    assert lost[0].startswith("v2 is worse than champion v1 on roc_auc")
    tie = promotion_problems(client, "m", "2", "champion", verdict(strong, strong, y))
    assert tie[0].startswith("v2 does not beat champion v1")
    # a better stored test score proves nothing: without a comparison there is no promotion
    assert (
        "not compared with champion v1 on the same rows"
        in (promotion_problems(client, "m", "2", "champion")[0])
    )
    why = "the data its spec names has changed"
    assert promotion_problems(client, "m", "2", "champion", why) == [
        f"no comparison on the same rows: {why}"
    ]
    problems = promotion_problems(client, "m", "3", "champion", verdict(strong, weak, y))
    assert problems == ["it breaks the spec's constraints (p95 latency 30.00 ms > 20 ms)"]
    assert promotion_problems(client, "m", "2", "challenger") == []
    assert promotion_problems(client, "m", "1", "champion") == []


def test_no_champion_yet_means_no_comparison() -> None:
    client = FakeClient({"1": version("1", 0.5)}, champion=None)
    assert promotion_problems(client, "m", "1", "champion") == []
