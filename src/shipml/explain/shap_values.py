"""Explain: SHAP contributions per raw feature, exact for every family shipml trains.

LightGBM: TreeSHAP from the booster itself (`pred_contrib`), in log-odds (raw margin) for
classification; the contributions plus the base sum to the raw output. Forests (skops): the
shap package's TreeExplainer, in probability. Linear: coef * (x - mean) on the preprocessed,
standardized inputs, the exact SHAP values of a linear model under feature independence.
Contributions of a feature's one-hot or calendar columns are summed back to the feature.
A multiclass model is explained class by class (`shap_by_class`), all from one explainer pass;
a per-label model label by label, each from its own binary model (a chain has no exact split).
Caveat: with correlated features the credit is split between them in a way that follows the
model's structure, not causality; read them as "what the model used", not "what matters".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shipml.explain.view import ModelView
from shipml.runtime.estimators import (
    BoosterEstimator,
    LabelwiseEstimator,
    LinearEstimator,
    SkopsEstimator,
)
from shipml.tasks import task_kind


@dataclass(frozen=True, slots=True)
class Contributions:
    features: tuple[str, ...]
    values: np.ndarray  # (n, features): one column per raw input feature
    base: float  # the expected output; base + values.sum(1) == output
    output: np.ndarray  # (n,) the explained output, on `scale`
    scale: str
    method: str

    def mean_abs(self) -> np.ndarray:
        return np.abs(self.values).mean(axis=0)


def shap_contributions(view: ModelView, X: np.ndarray) -> Contributions | None:
    """Contributions of each raw feature for the rows of `X`; None for the constant baseline."""
    found = shap_by_class(view, X, (view.focus,))
    return found[0] if found else None


def shap_by_class(
    view: ModelView, X: np.ndarray, focuses: Sequence[int]
) -> tuple[Contributions, ...]:
    """Contributions for each class in `focuses` (indices into the classes; ignored for values),
    from one pass of the explainer; () for the constant baseline."""
    est = view.model.estimator
    if isinstance(est, LabelwiseEstimator):  # each label's own binary model, P(label)
        if est.chain is not None:
            return ()  # a chained label also reads the labels before it: no exact split here
        parts = [_explained(est.estimators[k], X, view, (1,)) for k in focuses]
        if any(p is None for p in parts):
            return ()
        found = [p[0][0] for p in parts if p is not None]
        method, shown_est = parts[0][1], est.estimators[focuses[0]]  # type: ignore[index]
    else:
        one = _explained(est, X, view, focuses)
        if one is None:
            return ()
        found, method = one
        shown_est = est
    out = []
    for k, (cols, base) in zip(focuses, found, strict=True):
        shown = view.for_class(k)
        values = np.column_stack([cols[:, b].sum(axis=1) for b in view.blocks.values()])
        output = base + values.sum(axis=1)
        out.append(Contributions(
            tuple(view.features), values, float(base), output, _scale(shown, shown_est), method
        ))  # fmt: skip
    return tuple(out)


def _explained(
    est: object, X: np.ndarray, view: ModelView, focuses: Sequence[int]
) -> tuple[list[tuple[np.ndarray, float]], str] | None:
    """Per focus: (contributions per matrix column, base), and the method; None when the
    family has no exact explainer (the constant baseline)."""
    if isinstance(est, BoosterEstimator):
        per_class = _booster(est, X, view, focuses)  # the last column is the expected value
        found = [(c[:, :-1], float(c[0, -1])) for c in per_class]
        return found, "exact TreeSHAP (LightGBM pred_contrib)"
    if isinstance(est, LinearEstimator):
        found = [_linear(est, X, k) for k in focuses]
        return found, "exact linear SHAP: coef * (x - mean), standardized inputs"
    if isinstance(est, SkopsEstimator):
        return _forest(est, X, focuses), "exact TreeSHAP (shap TreeExplainer)"
    return None


def _booster(
    est: BoosterEstimator, X: np.ndarray, view: ModelView, focuses: Sequence[int]
) -> list[np.ndarray]:
    contrib = np.asarray(est.booster.predict(X, pred_contrib=True, num_threads=1))
    if task_kind(view.model.task).per_class:
        k = len(view.model.classes)
        contrib = contrib.reshape(len(X), k, -1)
        return [contrib[:, f, :] for f in focuses]
    return [contrib for _ in focuses]


def _linear(est: LinearEstimator, X: np.ndarray, focus: int) -> tuple[np.ndarray, float]:
    row = 0 if est.coef.shape[0] == 1 else focus
    coef, intercept = est.coef[row], float(est.intercept[row])
    mean = X.mean(axis=0)
    return coef * (X - mean), intercept + float(coef @ mean)


def _forest(
    est: SkopsEstimator, X: np.ndarray, focuses: Sequence[int]
) -> list[tuple[np.ndarray, float]]:
    with warnings.catch_warnings():  # shap's colour maps warn of matplotlib deprecations
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        import shap  # ~2 s to import (numba): only when a forest is explained

    explainer = shap.TreeExplainer(est.model)
    values = np.asarray(explainer.shap_values(X, check_additivity=False))
    expected = np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64))
    if task_kind(est.task).gives_values:
        return [(values.reshape(len(X), -1), float(expected[0])) for _ in focuses]
    return [(values[:, :, k], float(expected[k])) for k in focuses]


def _scale(view: ModelView, est: object) -> str:
    m = view.model
    kind = task_kind(m.task)
    if kind.gives_values:
        return f"{m.target} (target units)"
    cls = m.classes[view.focus]
    if isinstance(est, SkopsEstimator):
        return f"probability of {m.target} = {cls} (uncalibrated)"
    word = "class score (log scale)" if kind.per_class else kind.contribution_units
    return f"{word} of {m.target} = {cls}"
