"""One conformance suite over every model family of the ladder and every built-in task: the
family's fit class (in `candidates/`) and its inference form (in `runtime/`) agree in every form
serving needs.

For each (family, task), fit through the family's own `fit` on a messy mixed table (numbers
with NaN, categories with None, booleans, datetimes), then:
- the saved files reload to the same predictions, exactly;
- the compiled per-record path (what `shipml serve` runs) equals the vectorized path (what
  `shipml predict` runs) within 1e-6, decisions included;
- the ONNX form either matches within 1e-4 or is refused with an error that names why;
- exact contributions, where the family has them, add up to the raw margin or value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shipml.candidates.family import FitData
from shipml.candidates.ladder import build_ladder
from shipml.core.enums import Task
from shipml.core.errors import ShipmlError
from shipml.runtime import InferenceModel, InputColumn, InputSchema, fit_preprocessor
from shipml.runtime.compiled import CompiledModel
from shipml.runtime.contributions import contributions
from shipml.runtime.estimators import BoosterEstimator, LinearEstimator
from shipml.runtime.onnx_export import build_onnx, max_difference
from shipml.runtime.policy import DecisionPolicy
from shipml.spec.model import FAMILIES, ModelSpec
from shipml.tasks import task_kind
from tests.unit.runtime.conftest import CLASSES, TYPES, make_columns, make_target
from tests.unit.serve.conftest import records_of

SPEC = ModelSpec.model_validate(
    {"name": "c", "data": {"train": "t.csv"}, "target": {"column": "y"},
     "models": {"ladder": list(FAMILIES)}}
)  # fmt: skip
LADDER = {f.name: f for f in build_ladder(SPEC)}
CASES = [(name, task) for name in FAMILIES for task in Task]


def _fit(name: str, task: Task, types: dict = TYPES) -> InferenceModel:
    family = LADDER[name]
    columns = {n: v for n, v in make_columns(240, seed=1).items() if n in types}
    pre = fit_preprocessor(columns, types, family.preprocess)
    X = pre.transform(columns).matrix
    y = make_target(columns, task)
    data = FitData(X=X, y=y, w=None, task=task, n_classes=len(CLASSES[task]), seed=0, n_jobs=1,
                   categorical=pre.categorical_indices)  # fmt: skip
    params = family.defaults(task, len(y))[0]
    estimator = family.fit(data, params).estimator
    schema = InputSchema(tuple(InputColumn(n, t, "feature") for n, t in types.items()))
    return InferenceModel(task=task, target="y", family=name, classes=CLASSES[task],
                          schema=schema, preprocessor=pre, estimator=estimator,
                          policy=DecisionPolicy.default(task))  # fmt: skip


@pytest.fixture(scope="module")
def fitted() -> dict[tuple[str, Task], InferenceModel]:
    return {case: _fit(*case) for case in CASES}


def _scores(prediction: object, task: Task) -> np.ndarray:
    return prediction.values if task_kind(task).gives_values else prediction.proba  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "task"), CASES)
def test_saved_files_reload_to_the_same_predictions(fitted, name, task, tmp_path: Path):
    model = fitted[(name, task)]
    columns = make_columns(120, seed=9)
    model.save(tmp_path)
    again = InferenceModel.load(tmp_path)
    np.testing.assert_array_equal(
        _scores(again.predict_columns(columns), task), _scores(model.predict_columns(columns), task)
    )


@pytest.mark.parametrize(("name", "task"), CASES)
def test_the_served_path_equals_the_vectorized_path(fitted, name, task):
    model = fitted[(name, task)]
    columns = make_columns(120, seed=9)
    batch = model.predict_columns(columns)
    served = [CompiledModel(model, "native").predict_record(r) for r in records_of(columns)]
    got = np.array([s.score if task_kind(task).gives_values else s.proba for s in served])
    np.testing.assert_allclose(got, _scores(batch, task), rtol=0, atol=1e-6)
    decisions = [s.decision for s in served]
    if task_kind(task).gives_values:  # the value is the decision
        np.testing.assert_allclose(decisions, batch.values, rtol=0, atol=1e-6)
    else:
        assert decisions == list(batch.values)


NO_DATES = {n: t for n, t in TYPES.items() if n != "signup"}  # ONNX covers no datetime step


@pytest.mark.parametrize(("name", "task"), CASES)
def test_the_onnx_form_matches_or_is_refused_with_a_reason(fitted, name, task):
    with pytest.raises(ShipmlError, match="datetime") as refused:
        build_onnx(fitted[(name, task)])
    assert refused.value.fix  # says what to do instead
    model = _fit(name, task, NO_DATES)
    columns = {n: v for n, v in make_columns(120, seed=9).items() if n in NO_DATES}
    if not isinstance(model.estimator, BoosterEstimator | LinearEstimator):
        with pytest.raises(ShipmlError) as info:
            build_onnx(model)
        assert info.value.fix
        return
    gap = max_difference(model, build_onnx(model).SerializeToString(), columns)
    assert gap < 1e-4, (name, task, gap)


@pytest.mark.parametrize(("name", "task"), CASES)
def test_exact_contributions_add_up_to_the_margin(fitted, name, task):
    model = fitted[(name, task)]
    X = model.matrix(make_columns(60, seed=4))[0]
    decided = np.zeros(len(X), dtype=np.int64)
    found = contributions(model, X, decided)
    est = model.estimator
    if not isinstance(est, BoosterEstimator | LinearEstimator):
        assert found is None  # no exact attribution: none is claimed
        return
    assert found is not None
    if isinstance(est, BoosterEstimator):
        margin = np.asarray(est.booster.predict(X, raw_score=True, num_threads=1))
    else:
        margin = X @ est.coef.T + est.intercept
    margin = margin.reshape(len(X), -1)[:, 0]
    np.testing.assert_allclose(found.values.sum(axis=1) + found.base, margin, atol=1e-6)
