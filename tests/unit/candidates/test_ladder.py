"""The ladder: cheapest rung first, always a baseline, and a deterministic share of the trials."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shipml.candidates import DEFAULT_TRIALS, build_ladder, share_trials
from shipml.spec.model import DEFAULT_LADDER, FAMILIES, ModelSpec


def _spec(ladder: list[str] | None) -> ModelSpec:
    raw = {"name": "t", "data": {"train": "a.csv"}, "target": {"column": "y"}}
    if ladder is not None:
        raw["models"] = {"ladder": ladder}
    return ModelSpec.model_validate(raw)


def test_the_default_ladder_runs_cheapest_first():
    ladder = build_ladder(_spec(None))
    assert [f.name for f in ladder] == list(DEFAULT_LADDER)
    assert [f.cost_rank for f in ladder] == sorted(f.cost_rank for f in ladder)


@pytest.mark.parametrize(
    "names",
    [["lightgbm"], ["lightgbm", "linear"], ["extra_trees", "lightgbm", "random_forest", "linear"]],
)
def test_the_baseline_is_always_added_and_rungs_are_ordered_by_cost(names):
    ladder = build_ladder(_spec(names))
    assert ladder[0].name == "baseline"
    assert {f.name for f in ladder} == {"baseline", *names}
    ranks = [f.cost_rank for f in ladder]
    assert ranks == sorted(ranks)


def test_a_rung_named_twice_runs_once():
    ladder = build_ladder(_spec(["linear", "baseline", "linear"]))
    assert [f.name for f in ladder] == ["baseline", "linear"]


def test_each_rung_gets_one_trial_cheapest_first_while_they_last():
    ladder = build_ladder(_spec(None))
    for total in range(len(ladder)):
        counts = share_trials(ladder, total)
        assert [counts[f.name] for f in ladder] == [1] * total + [0] * (len(ladder) - total)


def test_the_rest_goes_mostly_to_boosting():
    counts = share_trials(build_ladder(_spec(None)), DEFAULT_TRIALS)
    assert counts["baseline"] == 1
    assert counts["lightgbm"] > counts["random_forest"] >= 1
    assert counts["lightgbm"] > counts["linear"] >= 1


LADDERS = st.lists(st.sampled_from(FAMILIES), min_size=1, max_size=5, unique=True)


@settings(max_examples=25, deadline=None, database=None)
@given(LADDERS, st.integers(0, 60))
def test_the_shares_add_up_to_the_budget_and_are_deterministic(names, total):
    ladder = build_ladder(_spec(names))
    counts = share_trials(ladder, total)
    assert set(counts) == {f.name for f in ladder}
    assert share_trials(ladder, total) == counts
    assert counts["baseline"] == min(1, total)  # the baseline never needs a second trial
    if len(ladder) > 1:  # a ladder of the baseline alone gets its one trial, no more
        assert sum(counts.values()) == total
    assert all(counts[f.name] >= 1 for f in ladder[:total])
