"""Runtime: what evaluates a prepared feature matrix, the estimator itself or ONNX Runtime.

`native` runs the estimator from float64 arrays (LightGBM's booster, linear coefficients, skops);
it is the reference every other path is tested against. `onnx` converts a LightGBM booster once,
at load, with onnxmltools and runs it in ONNX Runtime on float32 rows: 1.4x to 2.6x faster than
`Booster.predict` on one row (500 trees; STACK-NOTES and benchmarks/serve_latency.py), equal to
it within 1e-4 (its thresholds are float32). `auto` picks ONNX where it is available and the
converted model agrees with the booster (LightGBM), native otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from shipml.core.enums import TaskName
from shipml.runtime.estimators import BoosterEstimator, Estimator
from shipml.tasks import task_kind

EngineKind = Literal["auto", "native", "onnx"]
ONNX_TOLERANCE = 1e-4


class Engine(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def dtype(self) -> type:
        """The row dtype it takes: np.float64 or np.float32."""
        ...

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        """As `Estimator.predict_raw`: (n, k) probabilities, or (n,) values for regression."""
        ...


@dataclass(frozen=True, slots=True)
class NativeEngine:
    estimator: Estimator
    name: str = "native"
    dtype: type = np.float64

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        return self.estimator.predict_raw(X)


@dataclass(frozen=True, slots=True)
class OnnxEngine:
    session: Any  # onnxruntime.InferenceSession
    task: TaskName
    input_name: str
    output_name: str
    name: str = "onnx"
    dtype: type = np.float32

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        if X.dtype != np.float32:
            X = X.astype(np.float32)
        out = self.session.run([self.output_name], {self.input_name: X})[0]
        if task_kind(self.task).gives_values:
            return out.reshape(-1).astype(np.float64)
        return out.astype(np.float64)


def onnx_output(task: TaskName) -> str:
    """The ONNX graph's output a task reads: the values, or the class probabilities."""
    return "variable" if task_kind(task).gives_values else "probabilities"


def onnx_available() -> bool:
    try:
        import onnxmltools  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def booster_to_onnx(booster: Any, n_features: int, input_name: str = "input") -> Any:
    """A LightGBM booster as an ONNX model (probabilities without ZipMap, or values)."""
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType

    return onnxmltools.convert_lightgbm(
        booster,
        initial_types=[(input_name, FloatTensorType([None, n_features]))],
        zipmap=False,
        target_opset=15,
    )


def onnx_session(model_bytes: bytes) -> Any:
    """One intra-op thread: a single row gains nothing from more, and serving runs many rows."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # ONNX Runtime warns about the unused label output's shape
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def onnx_engine(estimator: BoosterEstimator, n_features: int) -> OnnxEngine:
    proto = booster_to_onnx(estimator.booster, n_features)
    session = onnx_session(proto.SerializeToString())
    outputs = [o.name for o in session.get_outputs()]
    output = onnx_output(estimator.task)
    if output not in outputs:
        output = outputs[-1]
    return OnnxEngine(session, estimator.task, session.get_inputs()[0].name, output)


def make_engine(
    estimator: Estimator,
    n_features: int,
    kind: EngineKind = "auto",
    probe: np.ndarray | None = None,
) -> Engine:
    """The engine asked for; `auto` is ONNX for LightGBM when ONNX Runtime is installed and the
    converted model agrees with the booster on `probe` (prepared rows), native otherwise."""
    native = NativeEngine(estimator)
    if kind == "native" or not isinstance(estimator, BoosterEstimator):
        if kind == "onnx":
            raise ValueError(f"the ONNX engine serves LightGBM models, not {estimator.kind}")
        return native
    if not onnx_available():
        if kind == "onnx":
            raise ValueError("the ONNX engine needs onnxruntime and onnxmltools (shipml[onnx])")
        return native
    engine = onnx_engine(estimator, n_features)
    gap = max_gap(native, engine, probe if probe is not None else probe_rows(n_features))
    if gap > ONNX_TOLERANCE:
        if kind == "onnx":
            raise ValueError(f"the ONNX model differs from the booster by {gap:.2g}")
        return native
    return engine


def probe_rows(n_features: int, n: int = 64, seed: int = 0) -> np.ndarray:
    """Rows to check a conversion on when no prepared rows are given: small whole numbers
    (valid category codes) and missing values."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(n, n_features)).astype(np.float64)
    X[rng.random(X.shape) < 0.1] = np.nan
    return X


def max_gap(a: Engine, b: Engine, X: np.ndarray) -> float:
    return float(np.max(np.abs(a.predict_raw(X) - b.predict_raw(X)), initial=0.0))
