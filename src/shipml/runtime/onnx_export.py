"""Runtime: a LightGBM or linear model with its preprocessing, exported as one ONNX graph.

Inputs are the model's input columns, one tensor each of shape [N, 1]: float32 for numeric and
boolean columns (NaN for missing), string for categorical ones ("" for missing). The
preprocessing is ONNX operators built from the fitted steps (median fill, scaling, the category
lookup with its unknown bucket, one-hot), joined to the estimator converted by onnxmltools
(LightGBM) or skl2onnx (linear). Outputs are the estimator's: `probabilities` (and `label`) or
`variable`, before the decision policy, which travels in the metadata (`shipml.policy`).
Datetime columns have no ONNX form here: such models are refused. Every export is checked
against the native path on sample rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from shipml.core.errors import ArtifactError, ShipmlError
from shipml.runtime.columns import Columns, as_bool_float, as_float, as_label
from shipml.runtime.engines import booster_to_onnx, onnx_output, onnx_session
from shipml.runtime.estimators import BoosterEstimator, LinearEstimator
from shipml.runtime.inference import InferenceModel
from shipml.runtime.steps import CategoricalStep, DatetimeStep, NumericStep
from shipml.tasks import task_kind

OPSETS = {"": 15, "ai.onnx.ml": 3}
TOLERANCE = 1e-4
FEATURES = "shipml_features"


def export_onnx(
    model: InferenceModel, out: Path, *, name: str, version: str, check: Columns | None = None
) -> dict[str, Any]:
    """Write `out`; returns the inputs, outputs and the largest gap found on the check rows."""
    proto = build_onnx(model)
    meta = {
        "shipml.model": name,
        "shipml.version": version,
        "shipml.task": str(model.task),
        "shipml.classes": json.dumps(list(model.classes)),
        "shipml.policy": json.dumps(model.policy.to_dict(), default=str),
        "shipml.missing": "numbers: NaN; categories: empty string",
    }
    for key, value in meta.items():
        proto.metadata_props.add(key=key, value=value)
    data = proto.SerializeToString()
    columns = check if check is not None else sample_columns(model)
    gap = max_difference(model, data, columns)
    if not gap <= TOLERANCE:
        raise ArtifactError(f"the ONNX export differs from the native model by {gap:.3g}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return {
        "inputs": [i.name for i in proto.graph.input],
        "outputs": [o.name for o in proto.graph.output],
        "max_abs_diff": gap,
        "rows_checked": len(next(iter(columns.values()))),
    }


def build_onnx(model: InferenceModel) -> Any:
    import onnx
    from onnx import helper

    estimator = _estimator_graph(model)
    nodes, inputs, inits, parts = [], [], [], []
    for step in model.preprocessor.steps:
        n, i, init, out = _step_graph(step)
        nodes += n
        inputs.append(i)
        inits += init
        parts.append(out)
    nodes.append(helper.make_node("Concat", parts, [FEATURES], axis=1))
    graph = helper.make_graph(
        nodes + list(estimator.graph.node),
        "shipml",
        inputs,
        list(estimator.graph.output),
        initializer=inits + list(estimator.graph.initializer),
    )
    opsets = [helper.make_opsetid(d, v) for d, v in OPSETS.items()]
    proto = helper.make_model(graph, opset_imports=opsets, producer_name="shipml")
    proto.ir_version = min(proto.ir_version, 8)
    onnx.checker.check_model(proto)
    return proto


def _estimator_graph(model: InferenceModel) -> Any:
    est, p = model.estimator, len(model.preprocessor.feature_names)
    if any(isinstance(s, DatetimeStep) for s in model.preprocessor.steps):
        raise ShipmlError(
            "ONNX export does not cover datetime columns",
            where="export",
            fix="serve it with `shipml serve`, or train without the datetime column",
        )
    if isinstance(est, BoosterEstimator):
        return booster_to_onnx(est.booster, p, FEATURES)
    if isinstance(est, LinearEstimator):
        return _linear_to_onnx(est, p)
    raise ShipmlError(
        f"ONNX export covers LightGBM and linear models, not {model.family}",
        where="export",
        fix="serve this model with `shipml serve` (native path)",
    )


def _linear_to_onnx(est: LinearEstimator, p: int) -> Any:
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.linear_model import LinearRegression, LogisticRegression

    sk: Any
    kind = task_kind(est.task)
    if kind.gives_values:
        sk = LinearRegression()
        sk.coef_, sk.intercept_ = est.coef[0].copy(), float(est.intercept[0])
    else:
        sk = LogisticRegression()
        sk.coef_, sk.intercept_ = est.coef.copy(), est.intercept.copy()
        sk.classes_ = np.arange(est.coef.shape[0] if kind.per_class else 2)
    options = None if kind.gives_values else {id(sk): {"zipmap": False}}
    types = [(FEATURES, FloatTensorType([None, p]))]
    return convert_sklearn(sk, initial_types=types, options=options, target_opset=OPSETS)


def _step_graph(step: Any) -> tuple[list[Any], Any, list[Any], str]:
    from onnx import TensorProto, helper, numpy_helper

    col, out = step.column, f"shipml_prep_{step.column}"
    if isinstance(step, NumericStep):
        x = helper.make_tensor_value_info(col, TensorProto.FLOAT, [None, 1])
        s, nodes, inits, cur = step.scaling, [], [], col
        if s.fill is not None:
            inits.append(numpy_helper.from_array(np.array(s.fill, np.float32), f"{out}_fill"))
            nodes += [
                helper.make_node("IsNaN", [cur], [f"{out}_nan"]),
                helper.make_node("Where", [f"{out}_nan", f"{out}_fill", cur], [f"{out}_filled"]),
            ]
            cur = f"{out}_filled"
        if s.mean != 0.0 or s.scale != 1.0:
            inits.append(numpy_helper.from_array(np.array(s.mean, np.float32), f"{out}_mean"))
            inits.append(numpy_helper.from_array(np.array(s.scale, np.float32), f"{out}_scale"))
            nodes += [
                helper.make_node("Sub", [cur, f"{out}_mean"], [f"{out}_centred"]),
                helper.make_node("Div", [f"{out}_centred", f"{out}_scale"], [f"{out}_scaled"]),
            ]
            cur = f"{out}_scaled"
        nodes.append(helper.make_node("Identity", [cur], [out]))
        return nodes, x, inits, out
    if not isinstance(step, CategoricalStep):
        raise ShipmlError(f"no ONNX form for the {step.kind} step of {col}", where=col)
    x = helper.make_tensor_value_info(col, TensorProto.STRING, [None, 1])
    other = len(step.categories)
    keys = [*step.categories, *step.rare, ""]
    codes = [*range(other), *([other] * len(step.rare))]
    if not step.onehot:
        lookup = helper.make_node(
            "LabelEncoder", [col], [out], domain="ai.onnx.ml", keys_strings=keys,
            values_floats=[float(c) for c in codes] + [float("nan")], default_float=float(other),
        )  # fmt: skip
        return [lookup], x, [], out
    width = other + 2
    nodes = [
        helper.make_node(
            "LabelEncoder", [col], [f"{out}_code"], domain="ai.onnx.ml", keys_strings=keys,
            values_int64s=[*codes, other + 1], default_int64=other,
        ),
        helper.make_node("OneHot", [f"{out}_code", f"{out}_depth", f"{out}_values"],
                         [f"{out}_hot"], axis=-1),
        helper.make_node("Reshape", [f"{out}_hot", f"{out}_shape"], [out]),
    ]  # fmt: skip
    inits = [
        numpy_helper.from_array(np.array(width, np.int64), f"{out}_depth"),
        numpy_helper.from_array(np.array([0.0, 1.0], np.float32), f"{out}_values"),
        numpy_helper.from_array(np.array([-1, width], np.int64), f"{out}_shape"),
    ]
    return nodes, x, inits, out


def onnx_inputs(model: InferenceModel, columns: Columns) -> dict[str, np.ndarray]:
    """Column arrays as the exported graph's inputs: float32 or strings, shape [N, 1]."""
    feeds = {}
    for step in model.preprocessor.steps:
        values = columns[step.column]
        if isinstance(step, CategoricalStep):
            text = [
                "" if _missing(v) else (v if isinstance(v, str) else as_label(v)) for v in values
            ]
            feeds[step.column] = np.array(text, dtype=object).reshape(-1, 1)
        elif isinstance(step, NumericStep):
            convert = as_bool_float if step.boolean else as_float
            feeds[step.column] = convert(step.column, values).astype(np.float32).reshape(-1, 1)
    return feeds


def max_difference(model: InferenceModel, data: bytes, columns: Columns) -> float:
    session = onnx_session(data)
    output = onnx_output(model.task)
    got = session.run([output], onnx_inputs(model, columns))[0]
    X, _ = model.matrix(columns)
    want = model.estimator.predict_raw(X)
    return float(np.max(np.abs(got.reshape(want.shape) - want), initial=0.0))


def sample_columns(model: InferenceModel, n: int = 512, seed: int = 0) -> dict[str, np.ndarray]:
    """Rows to check an export on: numbers spread over the fitted ranges, every category,
    an unseen one and missing values."""
    rng = np.random.default_rng(seed)
    ranges = _booster_ranges(model)
    out: dict[str, np.ndarray] = {}
    for j, step in enumerate(model.preprocessor.steps):
        if isinstance(step, CategoricalStep):
            pool = np.array([*step.categories, *step.rare, "never-seen-before", None], dtype=object)
            out[step.column] = rng.choice(pool, n)
        elif isinstance(step, NumericStep):
            low, high = ranges.get(j, (step.scaling.mean - 2 * step.scaling.scale,
                                       step.scaling.mean + 2 * step.scaling.scale))  # fmt: skip
            x = rng.uniform(low, high, n) if not step.boolean else rng.integers(0, 2, n) * 1.0
            x[rng.random(n) < 0.05] = np.nan
            out[step.column] = x
        elif isinstance(step, DatetimeStep):
            seconds = rng.integers(946_684_800, 1_893_456_000, n)  # 2000 to 2030
            out[step.column] = seconds.astype("datetime64[s]")
    return out


def _booster_ranges(model: InferenceModel) -> Mapping[int, tuple[float, float]]:
    """Per feature position, the range LightGBM saw in training (its `feature_infos`)."""
    if not isinstance(model.estimator, BoosterEstimator):
        return {}
    dump = model.estimator.booster.dump_model(num_iteration=1)
    infos = [dump["feature_infos"].get(n, {}) for n in dump["feature_names"]]
    found = {}
    for j, info in enumerate(infos):
        if "min_value" in info and "max_value" in info:
            found[j] = (float(info["min_value"]), float(info["max_value"]))
    return found


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)
