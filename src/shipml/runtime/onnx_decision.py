"""Runtime: the decision policy as ONNX operators, appended to an exported estimator's graph.

The graph does what `DecisionPolicy.calibrate` and `.decide` do, in the same order and, from the
estimator's float32 output on, in float64 with the same formulas, so a calibrated probability
that equals the threshold exactly (an isotonic plateau) decides the same way in both:
- calibration: none; Platt's sigmoid on the clipped logit; isotonic knots interpolated as
  `np.interp` does (the knot at or below the score, its stored slope; the end values outside);
  one calibrator maps the positive column to (1 - p, p), one per class is renormalized;
- the rule: the calibrated positive probability at or above the threshold; the least expected
  cost (`probabilities @ costs`); the argmax, weighted by class weights when the policy has them;
- a value model's value, with the interval's bounds when the policy has one.

Outputs: `label` (the decided class, as the class labels: string, int64, bool or double),
`probabilities` ([N, k], calibrated) and `score` (as the server's answer: P(positive) or
P(decided class)); or `variable`, with `lower` and `upper`. An isotonic map compares each score
with every knot ([N, knots] booleans): fine for serving batches, memory-bound for millions of rows
in one call. `policy_problems` names what cannot be expressed; the export refuses those.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from shipml.runtime.inference import InferenceModel
from shipml.runtime.policy import EPS, Calibrator
from shipml.tasks import ScoreField, task_kind

CLASS_OUTPUTS = ("label", "probabilities", "score")
VALUE_OUTPUTS = ("variable", "lower", "upper")
OUTPUT_NAMES = frozenset(CLASS_OUTPUTS + VALUE_OUTPUTS)
CLASS_RULES = ("threshold", "argmax", "min_cost")


class Graph:
    """Nodes and initializers under one prefix, each value named once."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{self.prefix}{hint}_{self._count}"

    def const(self, value: Any, dtype: Any = np.float64) -> str:
        from onnx import numpy_helper

        name = self.name("const")
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, *inputs: str, out: str | None = None, **attrs: Any) -> str:
        from onnx import helper

        result = out or self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [result], **attrs))
        return result

    def column(self, matrix: str, j: int) -> str:
        """Column j of an [N, k] tensor as [N]."""
        return self.op("Gather", matrix, self.const(j, np.int64), axis=1)


def policy_problems(model: InferenceModel) -> list[str]:
    """Each part of the model's decision policy that has no ONNX form here, in words."""
    policy, kind = model.policy, task_kind(model.task)
    if kind.gives_values:
        found = [] if policy.rule == "value" else [f"the decision rule {policy.rule!r}"]
        if policy.interval is not None and not all(map(math.isfinite, policy.interval)):
            found.append(f"the interval {policy.interval} (not finite)")
        return [f"{p} of a value model has no ONNX form here" for p in found]
    k, found = len(model.classes), []
    if policy.rule not in CLASS_RULES:
        found.append(f"the decision rule {policy.rule!r} has no ONNX form here")
    if policy.rule == "threshold" and (k != 2 or not math.isfinite(policy.threshold)):
        found.append(f"a threshold rule ({policy.threshold}) over {k} classes")
    if policy.rule == "min_cost" and policy.costs is not None:
        costs = np.asarray(policy.costs, dtype=np.float64)
        if costs.shape != (k, k) or not np.isfinite(costs).all():
            found.append(f"a cost matrix of shape {costs.shape} for {k} classes")
    weights = policy.class_weights
    if weights is not None and (len(weights) != k or not all(map(math.isfinite, weights))):
        found.append(f"{len(weights)} class weights for {k} classes")
    found += _calibration_problems(policy.calibrators, k)
    if label_type(model.classes) is None:
        shown = ", ".join(f"{c!r} ({type(c).__name__})" for c in model.classes)
        found.append(f"class labels of mixed types ({shown}) have no one ONNX tensor type")
    if kind.score_field not in SCORES:
        found.append(f"the answer's score ({kind.score_field}) has no ONNX form here")
    return found


def _calibration_problems(calibrators: Sequence[Calibrator], k: int) -> list[str]:
    if all(c.kind == "none" for c in calibrators):
        return []
    found = []
    if len(calibrators) not in (1, k) or (len(calibrators) == 1 and k != 2):
        found.append(f"{len(calibrators)} calibrators for {k} classes")
    for j, c in enumerate(calibrators):
        where = f"calibrator {j} ({c.kind})"
        if c.kind == "sigmoid" and not (math.isfinite(c.a) and math.isfinite(c.b)):
            found.append(f"{where}: its parameters a={c.a}, b={c.b} are not finite")
        elif c.kind == "isotonic":
            x, y = np.asarray(c.x, dtype=np.float64), np.asarray(c.y, dtype=np.float64)
            if len(x) == 0 or len(x) != len(y) or not np.isfinite(np.r_[x, y]).all():
                found.append(f"{where}: {len(x)} knots for {len(y)} values, or not finite")
            elif np.any(np.diff(x) <= 0):
                found.append(f"{where}: its knots are not strictly increasing")
        elif c.kind not in ("none", "sigmoid"):
            found.append(f"{where} has no ONNX form here")
    return found


def label_type(classes: Sequence[Any]) -> tuple[int, Any] | None:
    """The ONNX element type and numpy dtype the class labels take, or None if none fits."""
    from onnx import TensorProto

    if all(isinstance(c, str) for c in classes):
        return TensorProto.STRING, object
    if all(isinstance(c, bool) for c in classes):
        return TensorProto.BOOL, np.bool_
    if all(isinstance(c, int) and not isinstance(c, bool) for c in classes):
        return TensorProto.INT64, np.int64
    if all(isinstance(c, int | float) and not isinstance(c, bool) for c in classes):
        return TensorProto.DOUBLE, np.float64
    return None


def decision_graph(model: InferenceModel, raw: str) -> tuple[list[Any], list[Any], list[Any]]:
    """Nodes, initializers and graph outputs that turn the estimator's output `raw` (float32
    probabilities [N, k], or values [N, 1]) into the policy's outputs."""
    from onnx import TensorProto, helper

    g = Graph("shipml_dec_")
    double = g.op("Cast", raw, to=TensorProto.DOUBLE)
    policy = model.policy
    if task_kind(model.task).gives_values:
        value = g.op("Reshape", double, g.const([-1], np.int64), out="variable")
        outputs = [value]
        if policy.interval is not None:
            low, high = policy.interval
            outputs.append(g.op("Add", value, g.const(float(low)), out="lower"))
            outputs.append(g.op("Add", value, g.const(float(high)), out="upper"))
        infos = [helper.make_tensor_value_info(o, TensorProto.DOUBLE, [None]) for o in outputs]
        return g.nodes, g.inits, infos
    k = len(model.classes)
    proba = _calibrate(g, double, policy.calibrators, k)
    index = _decide(g, proba, model)
    elem, dtype = label_type(model.classes) or (TensorProto.STRING, object)
    table = g.const(np.array(list(model.classes), dtype=dtype), dtype)
    g.op("Gather", table, index, out="label", axis=0)
    g.op("Identity", proba, out="probabilities")
    g.op("Identity", SCORES[task_kind(model.task).score_field](g, proba, index), out="score")
    infos = [
        helper.make_tensor_value_info("label", elem, [None]),
        helper.make_tensor_value_info("probabilities", TensorProto.DOUBLE, [None, k]),
        helper.make_tensor_value_info("score", TensorProto.DOUBLE, [None]),
    ]
    return g.nodes, g.inits, infos


def _calibrate(g: Graph, proba: str, calibrators: Sequence[Calibrator], k: int) -> str:
    """As `DecisionPolicy.calibrate`: [N, k] float64 in, calibrated [N, k] out."""
    if not calibrators or all(c.kind == "none" for c in calibrators):
        return proba
    one = g.const([1], np.int64)
    if len(calibrators) == 1:
        p = _map(g, calibrators[0], g.column(proba, 1))
        rest = g.op("Sub", g.const(1.0), p)
        cols = [g.op("Unsqueeze", rest, one), g.op("Unsqueeze", p, one)]
        return g.op("Concat", *cols, axis=1)
    cols = [
        g.op("Unsqueeze", _map(g, c, g.column(proba, j)), one) for j, c in enumerate(calibrators)
    ]
    stacked = g.op("Concat", *cols, axis=1)
    total = g.op("ReduceSum", stacked, one, keepdims=1)
    share = g.op("Div", stacked, g.op("Max", total, g.const(EPS)))
    positive = g.op("Greater", total, g.const(0.0))
    return g.op("Where", positive, share, g.const(1.0 / k))


def _map(g: Graph, c: Calibrator, score: str) -> str:
    """One calibrator on a [N] float64 score, as `Calibrator.apply`."""
    if c.kind == "sigmoid":
        s = g.op("Clip", score, g.const(EPS), g.const(1 - EPS))
        odds = g.op("Div", s, g.op("Sub", g.const(1.0), s))
        z = g.op("Add", g.op("Mul", g.const(float(c.a)), g.op("Log", odds)), g.const(float(c.b)))
        z = g.op("Clip", z, g.const(-500.0), g.const(500.0))
        e = g.op("Exp", g.op("Neg", z))
        return g.op("Div", g.const(1.0), g.op("Add", g.const(1.0), e))
    if c.kind == "isotonic":
        return _interp(g, np.asarray(c.x, np.float64), np.asarray(c.y, np.float64), score)
    return score


def _interp(g: Graph, x: np.ndarray, y: np.ndarray, score: str) -> str:
    """`np.interp(score, x, y)`: below the first knot y[0], at or above the last y[-1], else
    slope[j] * (score - x[j]) + y[j] for the last knot j at or below the score; NaN stays NaN."""
    if len(x) == 1:
        flat = g.op("Mul", score, g.const(0.0))
        return g.op("Add", flat, g.const(float(y[0])))
    slopes = (y[1:] - y[:-1]) / (x[1:] - x[:-1])
    column = g.op("Unsqueeze", score, g.const([1], np.int64))
    below = g.op("Cast", g.op("LessOrEqual", g.const(x), column), to=_int64())
    count = g.op("ReduceSum", below, g.const([1], np.int64), keepdims=0)
    j = g.op("Clip", g.op("Sub", count, g.const(1, np.int64)), g.const(0, np.int64),
             g.const(len(x) - 2, np.int64))  # fmt: skip
    at = {name: g.op("Gather", g.const(v), j, axis=0) for name, v in (("x", x), ("y", y))}
    step = g.op("Mul", g.op("Gather", g.const(slopes), j, axis=0), g.op("Sub", score, at["x"]))
    value = g.op("Add", step, at["y"])
    value = g.op("Where", g.op("Equal", count, g.const(0, np.int64)), g.const(y[0]), value)
    value = g.op("Where", g.op("Equal", count, g.const(len(x), np.int64)), g.const(y[-1]), value)
    return g.op("Where", g.op("IsNaN", score), score, value)


def _decide(g: Graph, proba: str, model: InferenceModel) -> str:
    """As `DecisionPolicy.decide`: the class index per row, [N] int64."""
    policy = model.policy
    if policy.rule == "threshold":
        hit = g.op("GreaterOrEqual", g.column(proba, 1), g.const(float(policy.threshold)))
        return g.op("Cast", hit, to=_int64())
    if policy.rule == "min_cost" and policy.costs is not None:
        expected = g.op("MatMul", proba, g.const(np.asarray(policy.costs, np.float64)))
        return g.op("ArgMin", expected, axis=1, keepdims=0)
    if policy.class_weights is not None:
        weighted = g.op("Mul", proba, g.const(np.asarray(policy.class_weights, np.float64)))
        return g.op("ArgMax", weighted, axis=1, keepdims=0)
    return g.op("ArgMax", proba, axis=1, keepdims=0)


def _positive(g: Graph, proba: str, index: str) -> str:
    return g.column(proba, 1)


def _decided(g: Graph, proba: str, index: str) -> str:
    one = g.const([1], np.int64)
    picked = g.op("GatherElements", proba, g.op("Unsqueeze", index, one), axis=1)
    return g.op("Squeeze", picked, one)


def _int64() -> int:
    from onnx import TensorProto

    return int(TensorProto.INT64)


SCORES: dict[ScoreField, Callable[[Graph, str, str], str]] = {  # what an answer's score is
    ScoreField.POSITIVE_PROBABILITY: _positive,
    ScoreField.DECIDED_PROBABILITY: _decided,
}
