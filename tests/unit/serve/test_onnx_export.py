"""`export --format onnx`: LightGBM and linear models with their preprocessing, calibration and
decision rule, one graph that decides as the native path does, or a refusal naming every reason."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import shipml.runtime.onnx_export as onnx_export
from shipml.core.enums import ColumnType, Task
from shipml.core.errors import ArtifactError, ShipmlError
from shipml.runtime import (
    InferenceModel,
    InputColumn,
    InputSchema,
    PreprocessConfig,
    fit_preprocessor,
)
from shipml.runtime.engines import onnx_session
from shipml.runtime.onnx_export import build_onnx, export_onnx, onnx_inputs
from shipml.runtime.policy import Calibrator, DecisionPolicy
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


def check_columns(n: int = 300) -> dict[str, np.ndarray]:
    columns = {k: v for k, v in make_columns(n, seed=11).items() if k in TYPES}
    columns["city"] = columns["city"].copy()
    columns["city"][:5] = "atlantis"  # unseen: the unknown bucket, as in the native path
    return columns


def run_export(model: InferenceModel, path: Path, columns: dict[str, Any]) -> dict[str, Any]:
    session = onnx_session(path.read_bytes())
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, onnx_inputs(model, columns)), strict=True))


def assert_decides_as_native(model: InferenceModel, path: Path) -> None:
    columns = check_columns()
    got, want = run_export(model, path, columns), model.predict_columns(columns)
    if want.proba is None:
        np.testing.assert_allclose(got["variable"], want.values, rtol=0, atol=1e-4)
        if want.lower is not None:
            np.testing.assert_allclose(got["lower"], want.lower, rtol=0, atol=1e-4)
            np.testing.assert_allclose(got["upper"], want.upper, rtol=0, atol=1e-4)
        return
    np.testing.assert_allclose(got["probabilities"], want.proba, rtol=0, atol=1e-4)
    assert got["label"].tolist() == want.values.tolist()


@pytest.mark.parametrize("kind", ["lightgbm", "linear"])
@pytest.mark.parametrize("task", list(Task))
def test_export_matches_the_native_path(kind: str, task: Task, tmp_path: Path) -> None:
    model = model_without_dates(kind, task)
    out = tmp_path / "model.onnx"
    report = export_onnx(model, out, name="m", version="3")
    assert report["inputs"] == ["age", "city", "member"]
    assert report["max_abs_diff"] <= 1e-4
    if task is Task.REGRESSION:
        assert report["outputs"] == ["variable"]
        assert report["decisions_agree"] is None
        assert report["checked"] == f"max value difference {report['max_abs_diff']:.2g} on 512 rows"
    else:
        assert report["outputs"] == ["label", "probabilities", "score"]
        assert report["decisions_agree"] == report["rows_checked"] == 512
        assert "decisions agree on 512 of 512 rows" in report["checked"]
    assert_decides_as_native(model, out)
    meta = {p.key: p.value for p in __import__("onnx").load(str(out)).metadata_props}
    assert meta["shipml.version"] == "3"
    assert "shipml.policy" in meta


def _isotonic(scores: np.ndarray, plateau: float) -> Calibrator:
    """Knots over the model's own scores, with a plateau at `plateau` in the middle."""
    q = np.quantile(scores, [0.1, 0.3, 0.5, 0.7, 0.9])
    return Calibrator("isotonic", tuple(map(float, q)), (0.05, plateau, plateau, 0.6, 0.9))


def policies(model: InferenceModel) -> list[DecisionPolicy]:
    scores = model.estimator.predict_raw(model.matrix(check_columns())[0])
    if model.task is Task.REGRESSION:
        return [DecisionPolicy("value", interval=(-1.5, 2.0))]
    if model.task is Task.BINARY:
        iso = _isotonic(scores[:, 1], 0.3)
        return [
            DecisionPolicy("threshold", (Calibrator("sigmoid", a=1.4, b=-0.3),), threshold=0.37),
            DecisionPolicy("threshold", (iso,), threshold=0.3),  # ties at the plateau: positive
        ]
    k = len(model.classes)
    costs = tuple(tuple(float(abs(i - j) * (1 + i)) for j in range(k)) for i in range(k))
    sigmoids = tuple(Calibrator("sigmoid", a=1.1 + j / 10, b=0.1) for j in range(k))
    isotonic = tuple(_isotonic(scores[:, j], 0.3) for j in range(k))
    return [
        DecisionPolicy("argmax", sigmoids),
        DecisionPolicy("argmax", class_weights=tuple(1.0 + j for j in range(k))),
        DecisionPolicy("min_cost", isotonic, costs=costs),
    ]


@pytest.mark.parametrize("kind", ["lightgbm", "linear"])
@pytest.mark.parametrize("task", list(Task))
def test_the_graph_carries_calibration_and_the_rule(kind: str, task: Task, tmp_path: Path) -> None:
    base = model_without_dates(kind, task)
    for i, policy in enumerate(policies(base)):
        model = replace(base, policy=policy)
        out = tmp_path / f"{i}.onnx"
        report = export_onnx(model, out, name="m", version="1", check=check_columns())
        assert report["max_abs_diff"] <= 1e-4
        assert_decides_as_native(model, out)
        if policy.interval is not None:
            assert report["outputs"] == ["variable", "lower", "upper"]


def test_an_isotonic_plateau_at_the_threshold_decides_as_the_server(tmp_path: Path) -> None:
    base = model_without_dates("lightgbm", Task.BINARY)
    columns = check_columns()
    scores = base.estimator.predict_raw(base.matrix(columns)[0])[:, 1]
    model = replace(base, policy=DecisionPolicy("threshold", (_isotonic(scores, 0.3),), 0.3))
    want = model.predict_columns(columns)
    assert want.proba is not None
    on_plateau = want.proba[:, 1] == 0.3
    assert on_plateau.sum() > 10  # ties: at the threshold is positive
    export_onnx(model, tmp_path / "m.onnx", name="m", version="1", check=columns)
    got = run_export(model, tmp_path / "m.onnx", columns)
    assert set(got["label"][on_plateau].tolist()) == {"yes"}
    assert got["label"].tolist() == want.values.tolist()
    x = model.policy.calibrators[0].x
    ends = (scores < x[0] - 1e-6) | (scores > x[-1] + 1e-6)  # np.interp's end values, exactly
    assert ends.sum() > 10
    np.testing.assert_array_equal(got["probabilities"][ends], want.proba[ends])


def test_a_forest_with_datetime_columns_is_refused_with_both_reasons(tmp_path: Path) -> None:
    with pytest.raises(ShipmlError) as refused:
        export_onnx(build_model("skops", Task.BINARY), tmp_path / "a.onnx", name="m", version="1")
    message = str(refused.value)
    assert "family skops has no ONNX converter here" in message
    assert "datetime column(s) signup have no ONNX form" in message
    assert refused.value.fix
    assert "features.exclude: [signup]" in refused.value.fix
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        (DecisionPolicy("top_k"), "the decision rule 'top_k' has no ONNX form"),  # type: ignore[arg-type]
        (DecisionPolicy("argmax", (Calibrator("sigmoid"),)), "1 calibrators for 3 classes"),
        (
            DecisionPolicy("argmax", (Calibrator("isotonic", (0.5, 0.2), (0.1, 0.2)),) * 3),
            "not strictly increasing",
        ),
        (DecisionPolicy("argmax", (Calibrator("platt"),) * 3), "calibrator 0 (platt)"),  # type: ignore[arg-type]
        (DecisionPolicy("min_cost", costs=((0.0, 1.0), (1.0, 0.0))), "shape (2, 2) for 3"),
        (DecisionPolicy("threshold"), "a threshold rule (0.5) over 3 classes"),
    ],
)
def test_a_policy_without_an_onnx_form_is_refused(policy: DecisionPolicy, reason: str) -> None:
    model = replace(model_without_dates("lightgbm", Task.MULTICLASS), policy=policy)
    with pytest.raises(ShipmlError, match="no ONNX export") as refused:
        build_onnx(model)
    assert reason in str(refused.value)


def test_a_column_named_like_an_output_and_mixed_labels_are_refused() -> None:
    base = model_without_dates("linear", Task.BINARY)
    steps = tuple(
        replace(s, column="label") if s.column == "age" else s for s in base.preprocessor.steps
    )
    model = replace(base, classes=(0, "yes"), preprocessor=replace(base.preprocessor, steps=steps))
    with pytest.raises(ShipmlError) as refused:
        build_onnx(model)
    assert "input column(s) label take a name the graph uses" in str(refused.value)
    assert "class labels of mixed types (0 (int), 'yes' (str))" in str(refused.value)


@pytest.mark.parametrize("classes", [(0, 1), (False, True), (0.5, 2.5)])
def test_labels_keep_their_type(classes: tuple[Any, ...], tmp_path: Path) -> None:
    model = replace(model_without_dates("lightgbm", Task.BINARY), classes=classes)
    export_onnx(model, tmp_path / "m.onnx", name="m", version="1")
    got = run_export(model, tmp_path / "m.onnx", check_columns())["label"]
    assert got.tolist() == model.predict_columns(check_columns()).values.tolist()
    assert {type(v) for v in got.tolist()} == {type(classes[0])}


def test_an_export_that_decides_otherwise_is_refused_with_what_was_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = model_without_dates("lightgbm", Task.BINARY)
    build = onnx_export.decision_graph

    def shifted(m: InferenceModel, raw: str) -> Any:  # a graph that cuts at 0.4 instead
        return build(replace(m, policy=replace(m.policy, threshold=0.4)), raw)

    monkeypatch.setattr(onnx_export, "decision_graph", shifted)
    with pytest.raises(ArtifactError) as refused:
        export_onnx(model, tmp_path / "m.onnx", name="m", version="1")
    message = str(refused.value)
    assert "max probability difference" in message
    assert "decisions agree on" in message
    assert "of 512 rows" in message
    assert "decisions agree on 512 of" not in message
    assert not (tmp_path / "m.onnx").exists()
