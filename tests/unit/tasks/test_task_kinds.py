"""The task seam: every kind declares consistent data, and later layers resolve a kind they have
never seen (a toy task registered here) from that data alone."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from shipml.candidates.baseline import Baseline
from shipml.candidates.boosting import LightGBM, objective
from shipml.candidates.family import FitData
from shipml.candidates.linear import Linear
from shipml.core.enums import Task
from shipml.core.errors import SpecError
from shipml.framing.metrics import default_metrics
from shipml.runtime.policy import DecisionPolicy
from shipml.spec.model import FAMILIES
from shipml.tasks import (
    ClassCount,
    ScoresKind,
    register_task,
    registered,
    task_kind,
    unregister_task,
)
from shipml.tasks.binary import BINARY

SRC = Path(__file__).resolve().parents[3] / "src" / "shipml"


@pytest.mark.parametrize("kind", registered(), ids=lambda k: k.name)
def test_a_kind_declares_consistent_data(kind):
    assert kind.has_positive == (kind.classes is ClassCount.TWO)
    assert kind.gives_values == (kind.classes is ClassCount.NONE)
    for chosen in (kind.default_metrics, kind.rare_metrics):
        if chosen is not None:
            assert chosen.primary in kind.metrics
            assert set(chosen.secondary) <= kind.metrics
    assert kind.probe_metric in kind.metrics
    assert kind.families <= set(FAMILIES)
    assert kind.report_sections, kind.name


def test_every_builtin_task_name_has_a_kind():
    assert {task_kind(t).name for t in Task} == {str(t) for t in Task}


def test_an_unknown_task_is_a_spec_error_naming_the_field():
    with pytest.raises(SpecError) as info:
        task_kind("ranking")
    assert info.value.where == "task"
    assert "binary" in str(info.value.fix)


def test_a_name_cannot_be_registered_twice_nor_a_builtin_removed():
    with pytest.raises(ValueError, match="already registered"):
        register_task(BINARY)
    with pytest.raises(ValueError, match="built-in"):
        unregister_task("binary")


@pytest.fixture
def toy() -> Iterator[str]:
    """Binary with its own name and metric defaults: reuses existing score and policy kinds."""
    kind = dataclasses.replace(
        BINARY,
        name="toy_binary",
        rare_metrics=None,
        default_metrics=dataclasses.replace(BINARY.default_metrics, why="toy: {share:.0%}"),
    )
    register_task(kind)
    yield kind.name
    unregister_task(kind.name)


def test_layers_resolve_a_task_they_were_never_told_about(toy):
    primary, _, why = default_metrics(toy, 0.05)
    assert primary == BINARY.default_metrics.primary
    assert why == "toy: 5%"
    assert objective(toy) == "binary"
    assert DecisionPolicy.default(toy).rule == "threshold"
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + rng.normal(scale=0.5, size=300) > 0).astype(np.int64)
    data = FitData(X=X, y=y, w=None, task=toy, n_classes=2, seed=0, n_jobs=1)
    for family in (Baseline(), Linear(), LightGBM()):
        params = family.defaults(toy, len(y))[0]
        scores = family.fit(data, params).estimator.predict_raw(X)
        assert scores.shape == (300, task_kind(toy).n_scores(2)), family.name
        np.testing.assert_allclose(scores.sum(axis=1), 1.0)
    assert task_kind(toy).scores is ScoresKind.CLASS_PROBABILITIES


# a task's name, or an array's shape standing for it (1-D meaning binary or regression)
IDENTITY = re.compile(
    r"Task\.(BINARY|MULTICLASS|REGRESSION)|is_classification|\.ndim\s*[<>=!]|shape\[1\]\s*==\s*2"
)


def test_no_code_outside_the_tasks_layer_branches_on_a_task_name_or_a_shape():
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        if "tasks" not in path.relative_to(SRC).parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if IDENTITY.search(line)
    ]
    assert found == []


def test_every_spec_load_in_src_runs_the_task_checks():
    """Only `tasks/load.py` calls the spec's structural loader; everything else loads a spec
    through it (shipml.load_spec), so no path skips the task-dependent checks."""
    structural = re.compile(r"from shipml\.spec(\.load)? import .*\bload_spec\b")
    found = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if structural.search(path.read_text(encoding="utf-8"))
    ]
    assert found == ["spec/__init__.py"]  # the re-export; tasks/load.py imports the module


def test_a_registered_kind_answers_the_task_checks(toy):
    from shipml.spec.model import Decision
    from shipml.tasks.spec_checks import decision_problems

    kind = task_kind(toy)
    assert decision_problems(Decision(recall_target=0.9), kind) == []
    floors = decision_problems(Decision(class_recall_floors={"a": 0.5}), kind)
    assert floors[0].startswith("decision.class_recall_floors")
