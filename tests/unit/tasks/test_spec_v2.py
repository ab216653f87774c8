"""spec_version 2: a tested migration from 1, `target` asked by the task, and a section per task
kind (`forecast:`, `ranking:`, ...) that the kind validates, required or forbidden by it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from shipml import load_spec
from shipml.core.errors import SpecError
from shipml.spec import json_schema
from shipml.spec.model import SPEC_VERSION
from shipml.tasks import TargetKind, register_task, unregister_task
from shipml.tasks.binary import BINARY
from shipml.tasks.regression import REGRESSION
from shipml.tasks.sections import task_section

BASE: dict[str, Any] = {"name": "t", "data": {"train": "train.csv"}, "target": {"column": "y"}}


class ToySection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    group: str
    k: list[int] = Field(default_factory=lambda: [5, 10])


SECTIONED = dataclasses.replace(
    BINARY, name="toy_grouped", section=ToySection, section_required=True
)
TARGETLESS = dataclasses.replace(REGRESSION, name="toy_targetless", target=TargetKind.NONE)


@pytest.fixture(autouse=True)
def kinds() -> Iterator[None]:
    register_task(SECTIONED)
    register_task(TARGETLESS)
    yield
    unregister_task(SECTIONED.name)
    unregister_task(TARGETLESS.name)


def _problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(raw)
    return list(info.value.problems)


def test_the_current_version_is_2_and_a_version_1_spec_loads_unchanged() -> None:
    assert SPEC_VERSION == 2
    fairness = {"sensitive": ["sex"], "tolerance": {"equalized_odds_difference": 0.05}}
    v1 = {**BASE, "spec_version": 1, "task": "binary", "decision": {"recall_target": 0.9}}
    v1["fairness"] = fairness
    old, new = load_spec(v1).spec, load_spec({**v1, "spec_version": 2}).spec
    assert old.spec_version == 2
    assert old == new
    assert load_spec(BASE).spec.spec_version == 2  # no version: the current one


def test_a_version_1_spec_with_a_task_section_is_refused_with_the_fix() -> None:
    with pytest.raises(SpecError) as info:
        load_spec({**BASE, "spec_version": 1, "forecast": {"horizon": 12}})
    assert info.value.where == "spec_version"
    assert "spec_version: 2" in str(info.value.fix)


def test_the_task_asks_for_a_target() -> None:
    raw = {k: v for k, v in BASE.items() if k != "target"}
    assert any(
        "target: required for a binary task" in p for p in _problems({**raw, "task": "binary"})
    )
    assert any("target: required for every task" in p for p in _problems(raw))
    loaded = load_spec({**raw, "task": "toy_targetless"}).spec
    assert loaded.target is None
    assert any("has no target" in p for p in _problems({**BASE, "task": "toy_targetless"}))


def test_a_task_section_is_validated_by_its_kind() -> None:
    spec = load_spec({**BASE, "task": "toy_grouped", "toy_grouped": {"group": "query_id"}}).spec
    section = task_section(spec, SECTIONED)
    assert isinstance(section, ToySection)
    assert (section.group, section.k) == ("query_id", [5, 10])
    # the spec's hash and its dump keep the section: it round-trips
    again = load_spec(spec.model_dump(mode="json")).spec
    assert again == spec


def test_a_task_section_names_its_wrong_keys_and_a_required_one_is_asked_for() -> None:
    typo = _problems({**BASE, "task": "toy_grouped", "toy_grouped": {"group": "q", "kk": [3]}})
    assert any(p.startswith("toy_grouped.kk: unknown key; did you mean 'k'?") for p in typo)
    missing = _problems({**BASE, "task": "toy_grouped"})
    assert "toy_grouped: required for a toy_grouped task, but missing" in missing
    inner = _problems({**BASE, "task": "toy_grouped", "toy_grouped": {}})
    assert "toy_grouped.group: required, but missing" in inner


def test_a_section_for_another_task_or_a_task_without_one_is_refused() -> None:
    other = _problems({**BASE, "task": "binary", "ranking": {"group": "q"}})
    assert any(
        "ranking: a section for the 'ranking' task, but the task is 'binary'" in p for p in other
    )
    moved = _problems({**BASE, "task": "toy_grouped", "toy_grouped": {"group": "q"}, "ranking": {}})
    assert any(p.startswith("ranking: a section for the 'ranking' task") for p in moved)
    auto = _problems({**BASE, "forecast": {"horizon": 12}})
    assert any(p.startswith("forecast: a section for the 'forecast' task") for p in auto)
    none = _problems({**BASE, "task": "binary", "binary": {"x": 1}})
    assert "binary: a binary task takes no section of its own; remove it" in none


def test_the_json_schema_says_version_2_and_target_is_optional() -> None:
    schema = json_schema()
    assert schema["properties"]["spec_version"]["const"] == 2
    assert "target" not in schema["required"]
