"""Runtime: a LightGBM or linear model with its preprocessing and its decision policy, exported
as one ONNX graph that decides as the server does.

Inputs are the model's input columns, one tensor each of shape [N, 1]: float32 for numeric and
boolean columns (NaN for missing), string for categorical ones ("" for missing). The
preprocessing is ONNX operators built from the fitted steps (median fill, scaling, the category
lookup with its unknown bucket, one-hot), joined to the estimator converted by onnxmltools
(LightGBM) or skl2onnx (linear), its names prefixed, then the calibration and the decision rule
(`onnx_decision`). Outputs: `label`, `probabilities` (calibrated) and `score`; or `variable`
(with `lower` and `upper` when the policy has an interval). The policy also travels in the
metadata (`shipml.policy`).

A model is refused, with every reason at once, when any part has no ONNX form here: a family
without a converter, datetime columns, a policy the graph cannot express, a column named like an
output. Every export is checked against the native path (the server's arithmetic in float64) on
check rows: calibrated probabilities (or values) within 1e-4 and every decision equal, or it is
refused with what was measured.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shipml.core.errors import ArtifactError, ShipmlError
from shipml.runtime.columns import Columns, as_bool_float, as_float, as_label
from shipml.runtime.engines import booster_to_onnx, onnx_output, onnx_session
from shipml.runtime.estimators import BoosterEstimator, LinearEstimator
from shipml.runtime.inference import InferenceModel
from shipml.runtime.onnx_decision import OUTPUT_NAMES, decision_graph, policy_problems
from shipml.runtime.steps import CategoricalStep, DatetimeStep, NumericStep
from shipml.tasks import ScoreField, task_kind

OPSETS = {"": 15, "ai.onnx.ml": 3}
TOLERANCE = 1e-4
FEATURES = "shipml_features"
_CONVERTERS = {"lightgbm": "onnxmltools", "linear": "skl2onnx"}  # estimator kind -> converter
SERVE = "serve it with `shipml serve` (the native path)"
ESTIMATOR = "shipml_est_"  # the converted estimator's names, kept apart from columns and outputs


@dataclass(frozen=True, slots=True)
class ExportCheck:
    """What the self-check measured on its rows, against the native path."""

    rows_checked: int
    compared: str  # "probabilities" (calibrated) or "values"
    max_abs_diff: float
    decisions_agree: int | None  # rows with the same decided class; None for values

    @property
    def passed(self) -> bool:
        agree = self.decisions_agree is None or self.decisions_agree == self.rows_checked
        return self.max_abs_diff <= TOLERANCE and agree

    def describe(self) -> str:
        what = "probability" if self.compared == "probabilities" else "value"
        text = f"max {what} difference {self.max_abs_diff:.2g}"
        if self.decisions_agree is not None:
            text += f", decisions agree on {self.decisions_agree} of"
        else:
            text += " on"
        return f"{text} {self.rows_checked} rows"


def export_onnx(
    model: InferenceModel, out: Path, *, name: str, version: str, check: Columns | None = None
) -> dict[str, Any]:
    """Write `out`; returns the inputs, outputs and what the check measured on its rows."""
    proto = build_onnx(model)
    meta = {
        "shipml.model": name,
        "shipml.version": version,
        "shipml.task": str(model.task),
        "shipml.classes": json.dumps(list(model.classes)),
        "shipml.policy": json.dumps(model.policy.to_dict(), default=str),
        "shipml.outputs": json.dumps(_described(proto)),
        "shipml.missing": "numbers: NaN; categories: empty string",
    }
    for key, value in meta.items():
        proto.metadata_props.add(key=key, value=value)
    data = proto.SerializeToString()
    columns = check if check is not None else sample_columns(model)
    found = check_export(model, data, columns)
    if not found.passed:
        raise ArtifactError(
            f"the ONNX export does not decide as the native path: {found.describe()} "
            f"(tolerance {TOLERANCE:g}, every decision equal)",
            where="export",
            fix=SERVE,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return {
        "inputs": [i.name for i in proto.graph.input],
        "outputs": [o.name for o in proto.graph.output],
        **asdict(found),
        "checked": found.describe(),
    }


def export_problems(model: InferenceModel) -> list[tuple[str, str]]:
    """Every reason the model has no ONNX form here, each with its own fix ("" when serving it
    natively is the only one); empty when it has one."""
    found: list[tuple[str, str]] = []
    needs = ["onnx", "onnxruntime", _CONVERTERS.get(model.estimator.kind, "onnx")]
    absent = [n for n in dict.fromkeys(needs) if importlib.util.find_spec(n) is None]
    if absent:
        found.append((f"{', '.join(absent)} not installed", "pip install 'shipml[onnx]'"))
    if task_kind(model.task).label_sets:  # one model per label, and a set as the answer
        return [(
            "a multilabel model (one model per label, a set of labels as the answer) has no "
            "ONNX form here",
            "",
        )]  # fmt: skip
    if task_kind(model.task).paths:  # decided by walking the taxonomy, not by an argmax
        return [(
            "a hierarchical model (its answer is a walk down the taxonomy, with a classifier "
            "per parent node or a flat one) has no ONNX form here",
            "",
        )]  # fmt: skip
    if not isinstance(model.estimator, BoosterEstimator | LinearEstimator):
        found.append((
            f"family {model.family} has no ONNX converter here (LightGBM and linear models do)",
            "train with models.ladder: [lightgbm, linear]",
        ))  # fmt: skip
    steps = model.preprocessor.steps
    dates = [s.column for s in steps if isinstance(s, DatetimeStep)]
    if dates:
        found.append((
            f"datetime column(s) {', '.join(dates)} have no ONNX form",
            f"train without them (features.exclude: [{', '.join(dates)}])",
        ))  # fmt: skip
    other = [s for s in steps if not isinstance(s, NumericStep | CategoricalStep | DatetimeStep)]
    for step in other:
        found.append((f"the {step.kind} step of {step.column} has no ONNX form", ""))
    clash = [c for c in model.preprocessor.input_columns if _reserved(c)]
    if clash:
        found.append((
            f"input column(s) {', '.join(clash)} take a name the graph uses "
            f"(its outputs {', '.join(sorted(OUTPUT_NAMES))}, or the shipml_ prefix)",
            "rename those columns in the data",
        ))  # fmt: skip
    for problem in policy_problems(model):
        found.append((problem, "decide with another policy (`shipml decide`)"))
    return found


def build_onnx(model: InferenceModel) -> Any:
    """The model as one checked ONNX graph; refused with every reason when it has none."""
    problems = export_problems(model)
    if problems:
        reasons = "; ".join(f"({i}) {p}" for i, (p, _) in enumerate(problems, 1))
        fixes = "; ".join([*dict.fromkeys(f for _, f in problems if f), f"or {SERVE}"])
        raise ShipmlError(f"no ONNX export for this model: {reasons}", where="export", fix=fixes)
    import onnx
    from onnx import helper
    from onnx.compose import add_prefix

    estimator = add_prefix(_estimator_graph(model), ESTIMATOR)
    nodes, inputs, inits, parts = [], [], [], []
    for step in model.preprocessor.steps:
        n, i, init, out = _step_graph(step)
        nodes += n
        inputs.append(i)
        inits += init
        parts.append(out)
    nodes.append(helper.make_node("Concat", parts, [ESTIMATOR + FEATURES], axis=1))
    raw = ESTIMATOR + onnx_output(model.task)
    tail, tail_inits, outputs = decision_graph(model, raw)
    graph = helper.make_graph(
        nodes + list(estimator.graph.node) + tail,
        "shipml",
        inputs,
        outputs,
        initializer=inits + list(estimator.graph.initializer) + tail_inits,
    )
    opsets = [helper.make_opsetid(d, v) for d, v in OPSETS.items()]
    proto = helper.make_model(graph, opset_imports=opsets, producer_name="shipml")
    proto.ir_version = min(proto.ir_version, 8)
    onnx.checker.check_model(proto)
    return proto


def _reserved(column: str) -> bool:
    return column in OUTPUT_NAMES or column.startswith("shipml_")


def _described(proto: Any) -> dict[str, str]:
    words = {
        "label": "the decided class (threshold, least cost or argmax on calibrated probabilities)",
        "probabilities": "calibrated class probabilities, in the order of shipml.classes",
        "score": "P(positive), or P(decided class): the server's score",
        "variable": "the predicted value",
        "lower": "the interval's lower bound",
        "upper": "the interval's upper bound",
    }
    return {o.name: words[o.name] for o in proto.graph.output}


def _estimator_graph(model: InferenceModel) -> Any:
    est, p = model.estimator, len(model.preprocessor.feature_names)
    if isinstance(est, BoosterEstimator):
        return booster_to_onnx(est.booster, p, FEATURES)
    if not isinstance(est, LinearEstimator):
        raise ShipmlError(f"no ONNX converter for {model.family}", where="export")
    return _linear_to_onnx(est, p)


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


def check_export(model: InferenceModel, data: bytes, columns: Columns) -> ExportCheck:
    """The exported graph against the native path (estimator, calibration and rule in float64,
    as the server computes them) on `columns`: probabilities or values, and decisions."""
    from shipml.runtime.compiled import CompiledModel

    session = onnx_session(data)
    got = dict(zip(_names(session), session.run(None, onnx_inputs(model, columns)), strict=True))
    want = CompiledModel(model, "native").predict_columns(columns)
    rows = len(want.values)
    if task_kind(model.task).gives_values:
        pairs = [(got["variable"], want.values)]
        if want.lower is not None and want.upper is not None:
            pairs += [(got["lower"], want.lower), (got["upper"], want.upper)]
        return ExportCheck(rows, "values", _gap(pairs), None)
    assert want.proba is not None
    if task_kind(model.task).score_field is ScoreField.POSITIVE_PROBABILITY:  # as the server
        score = want.proba[:, 1]
    else:
        score = np.take_along_axis(want.proba, _indices(model, want.values), axis=1)[:, 0]
    gap = _gap([(got["probabilities"], want.proba), (got["score"], score)])
    same = sum(a == b for a, b in zip(got["label"].tolist(), want.values.tolist(), strict=True))
    return ExportCheck(rows, "probabilities", gap, int(same))


def max_difference(model: InferenceModel, data: bytes, columns: Columns) -> float:
    """The largest gap of the export's calibrated probabilities (or values) from the native."""
    return check_export(model, data, columns).max_abs_diff


def _names(session: Any) -> list[str]:
    return [o.name for o in session.get_outputs()]


def _indices(model: InferenceModel, labels: np.ndarray) -> np.ndarray:
    where = {c: i for i, c in enumerate(model.classes)}
    return np.array([where[v] for v in labels.tolist()], dtype=np.int64).reshape(-1, 1)


def _gap(pairs: list[tuple[np.ndarray, np.ndarray]]) -> float:
    gaps = [np.max(np.abs(np.asarray(a, np.float64).reshape(b.shape) - b), initial=0.0)
            for a, b in pairs]  # fmt: skip
    return float(np.max(gaps))  # NaN stays NaN, and fails the check


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
