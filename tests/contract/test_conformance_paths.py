"""Conformance of a path task (hierarchical): each family of the ladder, flat over the classes
and per parent node, fit through its own `fit` on a messy mixed table over a small taxonomy
(a class that is also an inner node, a parent with one child), then:
- per-node class probabilities sum to 1 and equal the products down each path;
- the saved files reload to the same predictions, exactly;
- the compiled per-record path equals the vectorized path within 1e-6, decisions included,
  with a stopping rule that stops some rows above their class;
- the ONNX form is refused with the reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shipml.candidates.family import FitData
from shipml.candidates.ladder import build_ladder
from shipml.candidates.per_node import option_of_class
from shipml.core.errors import ShipmlError
from shipml.data.taxonomy import ROOT, taxonomy_of
from shipml.runtime import InferenceModel, InputColumn, InputSchema, fit_preprocessor
from shipml.runtime.compiled import CompiledModel
from shipml.runtime.estimators import NodewiseEstimator
from shipml.runtime.onnx_export import build_onnx
from shipml.runtime.policy import DecisionPolicy
from shipml.spec.model import FAMILIES, ModelSpec
from tests.unit.runtime.conftest import TYPES, make_columns
from tests.unit.serve.conftest import records_of

PATHS = (
    "north > city > harbour",
    "north > city > old town",
    "north > coast",
    "north > coast > dunes",
    "south > farm > orchard",
    "south > farm > vines",
    "west > hills > forest",
)
SPEC = ModelSpec.model_validate(
    {"name": "c", "data": {"train": "t.csv"}, "task": "hierarchical",
     "target": {"column": "y", "separator": "/"}, "models": {"ladder": list(FAMILIES)}}
)  # fmt: skip
LADDER = {f.name: f for f in build_ladder(SPEC, "hierarchical")}
CASES = sorted(LADDER)


def _target(columns: dict, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    age = np.nan_to_num(columns["age"], nan=40.0)
    score = (age - 40) / 12 + (columns["city"] == "rome") + rng.normal(0, 0.6, len(age))
    return np.clip(np.digitize(score, np.linspace(-1.5, 1.5, len(PATHS) - 1)), 0, len(PATHS) - 1)


def _fit(name: str) -> InferenceModel:
    family = LADDER[name]
    columns = make_columns(300, seed=1)
    pre = fit_preprocessor(columns, TYPES, family.preprocess)
    X = pre.transform(columns).matrix
    y = _target(columns)
    data = FitData(X=X, y=y, w=None, task="hierarchical", n_classes=len(PATHS), seed=0,
                   n_jobs=1, categorical=pre.categorical_indices, classes=PATHS)  # fmt: skip
    params = family.defaults("hierarchical", len(y))[0]
    estimator = family.fit(data, params).estimator
    schema = InputSchema(tuple(InputColumn(n, t, "feature") for n, t in TYPES.items()))
    policy = DecisionPolicy(rule="path", paths=PATHS, stop_below=0.6)
    return InferenceModel(task="hierarchical", target="y", family=name, classes=PATHS,
                          schema=schema, preprocessor=pre, estimator=estimator,
                          policy=policy)  # fmt: skip


@pytest.fixture(scope="module")
def fitted() -> dict[str, InferenceModel]:
    return {name: _fit(name) for name in CASES}


def test_the_ladder_has_each_family_flat_and_per_node() -> None:
    assert set(CASES) == {*FAMILIES, *(f"{f}_per_node" for f in FAMILIES if f != "baseline")}


@pytest.mark.parametrize("name", [c for c in CASES if c.endswith("_per_node")])
def test_per_node_probabilities_are_the_products_down_each_path(fitted, name):
    model = fitted[name]
    est = model.estimator
    assert isinstance(est, NodewiseEstimator)
    X = model.matrix(make_columns(50, seed=5))[0]
    proba = est.predict_raw(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    tax = taxonomy_of(PATHS)
    conditional = {m.node: est._conditional(m, len(m.options), X) for m in est.nodes}
    for k in range(len(PATHS)):  # walk each class's path from the root, multiplying
        product, v = np.ones(len(X)), ROOT
        while tax.options(v):  # down to the class: a leaf, or its own "stop here" option
            here = conditional[v] if v in conditional else np.ones((len(X), 1))
            position = int(option_of_class(tax, v)[k])
            product = product * here[:, position]
            if tax.options(v)[position] == v:
                break
            v = tax.options(v)[position]
        np.testing.assert_allclose(proba[:, k], product, atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_saved_files_reload_to_the_same_predictions(fitted, name, tmp_path: Path):
    model = fitted[name]
    columns = make_columns(40, seed=9)
    model.save(tmp_path)
    again = InferenceModel.load(tmp_path)
    before, after = model.predict_columns(columns), again.predict_columns(columns)
    np.testing.assert_array_equal(after.proba, before.proba)
    assert list(after.values) == list(before.values)


@pytest.mark.parametrize("name", CASES)
def test_the_served_path_equals_the_vectorized_path(fitted, name):
    model = fitted[name]
    columns = make_columns(40, seed=9)
    batch = model.predict_columns(columns)
    served = [CompiledModel(model, "native").predict_record(r) for r in records_of(columns)]
    np.testing.assert_allclose([s.proba for s in served], batch.proba, rtol=0, atol=1e-6)
    assert [s.decision for s in served] == list(batch.values)
    assert batch.levels is not None
    assert [" > ".join(p for p in row if p) for row in batch.levels] == list(batch.values)
    tax = taxonomy_of(PATHS)
    nodes = [tax.nodes.index(d) for d in batch.values]
    held = tax.marginals(batch.proba)[np.arange(len(nodes)), nodes]
    np.testing.assert_allclose([s.score for s in served], held, atol=1e-9)


def test_a_stopping_rule_stops_some_rows_above_their_class(fitted):
    batch = fitted["linear"].predict_columns(make_columns(300, seed=2))
    assert set(batch.values) - set(PATHS)  # some answers are inner nodes ("north", "south > farm")


@pytest.mark.parametrize("name", ["linear", "linear_per_node", "lightgbm"])
def test_the_onnx_form_is_refused_with_the_reason(fitted, name):
    with pytest.raises(ShipmlError, match="hierarchical"):
        build_onnx(fitted[name])
