"""`export --format onnx`: LightGBM and linear models with their preprocessing, one graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shipml.core.enums import ColumnType, Task
from shipml.core.errors import ShipmlError
from shipml.runtime import (
    InferenceModel,
    InputColumn,
    InputSchema,
    PreprocessConfig,
    fit_preprocessor,
)
from shipml.runtime.engines import onnx_session
from shipml.runtime.onnx_export import export_onnx, onnx_inputs
from shipml.runtime.policy import DecisionPolicy
from tests.unit.runtime.conftest import CLASSES, fit_estimator, make_columns, make_target

from .conftest import build_model

TYPES = {"age": ColumnType.NUMERIC, "city": ColumnType.CATEGORICAL, "member": ColumnType.BOOLEAN}


def model_without_dates(kind: str, task: Task) -> InferenceModel:
    columns = {k: v for k, v in make_columns(400).items() if k in TYPES}
    linear = kind == "linear"
    config = PreprocessConfig(onehot=linear, impute=linear, scale=linear, min_category_count=1)
    pre = fit_preprocessor(columns, TYPES, config)
    X = pre.transform(columns).matrix
    estimator = fit_estimator(kind, task, X, make_target(make_columns(400), task))
    return InferenceModel(
        task=task,
        target="y",
        family=kind,
        classes=CLASSES[task],
        schema=InputSchema(tuple(InputColumn(n, t, "feature") for n, t in TYPES.items())),
        preprocessor=pre,
        estimator=estimator,
        policy=DecisionPolicy.default(task),
    )


@pytest.mark.parametrize("kind", ["lightgbm", "linear"])
@pytest.mark.parametrize("task", list(Task))
def test_export_matches_the_native_path(kind: str, task: Task, tmp_path: Path) -> None:
    model = model_without_dates(kind, task)
    out = tmp_path / "model.onnx"
    report = export_onnx(model, out, name="m", version="3")
    assert report["inputs"] == ["age", "city", "member"]
    assert report["max_abs_diff"] <= 1e-4
    columns = {k: v for k, v in make_columns(300, seed=11).items() if k in TYPES}
    columns["city"] = columns["city"].copy()
    columns["city"][:5] = "atlantis"  # unseen: the unknown bucket, as in the native path
    session = onnx_session(out.read_bytes())
    name = "variable" if task is Task.REGRESSION else "probabilities"
    got = session.run([name], onnx_inputs(model, columns))[0]
    want = model.estimator.predict_raw(model.matrix(columns)[0])
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=0, atol=1e-4)
    meta = {p.key: p.value for p in __import__("onnx").load(str(out)).metadata_props}
    assert meta["shipml.version"] == "3"


def test_datetime_columns_and_forests_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ShipmlError, match="datetime"):
        export_onnx(
            build_model("lightgbm", Task.BINARY), tmp_path / "a.onnx", name="m", version="1"
        )
    forest = model_without_dates("skops", Task.BINARY)
    with pytest.raises(ShipmlError, match="LightGBM and linear"):
        export_onnx(forest, tmp_path / "b.onnx", name="m", version="1")
    assert not list(tmp_path.iterdir())
