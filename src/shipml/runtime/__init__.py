"""Runtime: the fitted inference form every later step runs (evaluation, registry, serve, batch)."""

from shipml.runtime.columns import ColumnValueError
from shipml.runtime.estimators import (
    BoosterEstimator,
    ConstantEstimator,
    Estimator,
    LinearEstimator,
    SkopsEstimator,
)
from shipml.runtime.inference import InferenceModel, MissingColumnError, Prediction
from shipml.runtime.policy import Calibrator, DecisionPolicy
from shipml.runtime.preprocess import PreprocessConfig, Preprocessor, fit_preprocessor
from shipml.runtime.schema import InputColumn, InputSchema

__all__ = [
    "BoosterEstimator",
    "Calibrator",
    "ColumnValueError",
    "ConstantEstimator",
    "DecisionPolicy",
    "Estimator",
    "InferenceModel",
    "InputColumn",
    "InputSchema",
    "LinearEstimator",
    "MissingColumnError",
    "Prediction",
    "PreprocessConfig",
    "Preprocessor",
    "SkopsEstimator",
    "fit_preprocessor",
]
