"""The compiled single-record path equals the batch path: 1e-6 native, 1e-4 through ONNX."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from shipml.core.enums import Task
from shipml.runtime.columns import ColumnValueError
from shipml.runtime.compiled import CompiledModel
from shipml.runtime.policy import Calibrator

from .conftest import build_model, make_columns, records_of

KINDS = ("constant", "linear", "lightgbm", "skops")


def _columns_with_unseen() -> dict[str, np.ndarray]:
    columns = dict(make_columns(120, seed=3))
    city = columns["city"].copy()
    city[:4] = "atlantis"
    columns["city"] = city
    return columns


def _scores(results: list, task: Task) -> np.ndarray:
    if task is Task.REGRESSION:
        return np.array([r.score for r in results])
    return np.array([r.proba for r in results])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("task", list(Task))
def test_records_score_as_the_batch_path(kind: str, task: Task) -> None:
    model = build_model(kind, task)
    columns = _columns_with_unseen()
    batch = model.predict_columns(columns)
    want = batch.values if task is Task.REGRESSION else batch.proba
    compiled = CompiledModel(model, "native")
    records = records_of(columns)
    one = [compiled.predict_record(r) for r in records]
    many = compiled.predict_many(records)
    np.testing.assert_allclose(_scores(one, task), want, rtol=0, atol=1e-6)
    np.testing.assert_allclose(_scores(many, task), want, rtol=0, atol=1e-6)
    if task is not Task.REGRESSION:
        assert [r.decision for r in one] == list(batch.values)
    assert sum("city" in r.unseen for r in one) == batch.unseen["city"] == 4


@pytest.mark.parametrize("task", list(Task))
def test_onnx_engine_is_within_1e4_of_the_batch_path(task: Task) -> None:
    model = build_model("lightgbm", task)
    columns = _columns_with_unseen()
    batch = model.predict_columns(columns)
    want = batch.values if task is Task.REGRESSION else batch.proba
    compiled = CompiledModel(model, "onnx")
    assert compiled.engine.name == "onnx"
    one = [compiled.predict_record(r) for r in records_of(columns)]
    np.testing.assert_allclose(_scores(one, task), want, rtol=0, atol=1e-4)
    frame = compiled.predict_columns(columns)
    got = frame.values if task is Task.REGRESSION else frame.proba
    np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=0, atol=1e-4)


def test_auto_engine_is_onnx_for_lightgbm_and_native_otherwise() -> None:
    assert CompiledModel(build_model("lightgbm", Task.BINARY), "auto").engine.name == "onnx"
    assert CompiledModel(build_model("linear", Task.BINARY), "auto").engine.name == "native"
    with pytest.raises(ValueError, match="LightGBM"):
        CompiledModel(build_model("linear", Task.BINARY), "onnx")


@pytest.mark.parametrize(
    "calibrator",
    [
        Calibrator("sigmoid", a=1.7, b=-0.4),
        Calibrator("isotonic", x=(0.0, 0.3, 0.6, 1.0), y=(0.05, 0.2, 0.7, 0.95)),
        Calibrator("none"),
    ],
)
def test_scalar_policy_equals_the_array_policy(calibrator: Calibrator) -> None:
    model = build_model("lightgbm", Task.BINARY)
    policy = replace(model.policy, calibrators=(calibrator,), threshold=0.42)
    model = replace(model, policy=policy)
    columns = make_columns(150, seed=4)
    batch = model.predict_columns(columns)
    compiled = CompiledModel(model, "native")
    one = [compiled.predict_record(r) for r in records_of(columns)]
    np.testing.assert_allclose(_scores(one, Task.BINARY), batch.proba, rtol=0, atol=1e-12)
    assert [r.decision for r in one] == list(batch.values)


def test_frames_score_as_the_inference_form() -> None:
    pd = pytest.importorskip("pandas")
    model = build_model("linear", Task.MULTICLASS)
    frame = pd.DataFrame(dict(make_columns(50)))
    a = CompiledModel(model).predict_frame(frame)
    b = model.predict_frame(frame)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("kind", ["linear", "lightgbm"])
@pytest.mark.parametrize("task", list(Task))
def test_contributions_add_up_to_the_margin(kind: str, task: Task) -> None:
    model = build_model(kind, task)
    compiled = CompiledModel(model)
    record = records_of(make_columns(5, seed=8))[2]
    scored = compiled.predict_record(record, explain=10)
    e = scored.explanation
    assert e is not None
    assert {c for c, _ in e.top} == set(model.preprocessor.input_columns)
    total = e.base + sum(v for _, v in e.top)
    if task is Task.REGRESSION:
        assert total == pytest.approx(scored.score, abs=1e-6)
    elif task is Task.BINARY:
        assert total == pytest.approx(np.log(scored.score / (1 - scored.score)), abs=1e-6)
    else:
        assert e.units == "log-odds"
    sizes = [abs(v) for _, v in e.top]
    assert sizes == sorted(sizes, reverse=True)


def test_other_families_have_no_explanation() -> None:
    compiled = CompiledModel(build_model("skops", Task.BINARY))
    record = records_of(make_columns(3))[0]
    assert compiled.predict_record(record, explain=3).explanation is None


@pytest.mark.parametrize(
    ("column", "value"),
    [("age", "forty"), ("age", [1, 2]), ("member", "maybe"), ("signup", "not a date")],
)
def test_a_value_that_cannot_take_its_type_names_the_column(column: str, value: object) -> None:
    compiled = CompiledModel(build_model("linear", Task.BINARY))
    record = records_of(make_columns(3))[0] | {column: value}
    with pytest.raises(ColumnValueError) as caught:
        compiled.predict_record(record)
    assert caught.value.column == column


def test_absent_and_null_values_are_missing() -> None:
    model = build_model("lightgbm", Task.BINARY)
    compiled = CompiledModel(model)
    empty = compiled.predict_record({})
    nulls = compiled.predict_record(dict.fromkeys(model.preprocessor.input_columns))
    assert empty.proba == nulls.proba
    assert empty.unseen == ()
