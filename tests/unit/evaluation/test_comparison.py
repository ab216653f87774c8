"""The typed comparison: vectorized resampled metrics agree with `score`, and the paired
bootstrap's verdict follows its interval (better, no better, worse)."""

from __future__ import annotations

import numpy as np
import pytest

from shipml.core.enums import Metric
from shipml.evaluation.comparison import Verdict, compare
from shipml.evaluation.resampled import resampled
from shipml.framing.metrics import DEFINITIONS, score

RNG = np.random.default_rng(7)
N = 600


def _binary() -> tuple[np.ndarray, np.ndarray]:
    y = RNG.integers(0, 2, N)
    p = np.round(np.clip(0.5 + 0.3 * (y - 0.5) + RNG.normal(0, 0.25, N), 0.01, 0.99), 2)
    return y, np.c_[1 - p, p]


def _multiclass() -> tuple[np.ndarray, np.ndarray]:
    y = RNG.integers(0, 3, N)
    p = RNG.dirichlet([1, 1, 1], N)
    p[np.arange(N), y] += 0.4
    return y, p / p.sum(axis=1, keepdims=True)


def _label_sets() -> tuple[np.ndarray, np.ndarray]:
    y = (RNG.random((N, 4)) < [0.5, 0.3, 0.2, 0.1]).astype(np.int64)
    y[y.sum(axis=1) == 0, 0] = 1  # ranking precision needs a label per row
    p = np.round(np.clip(0.2 + 0.4 * y + RNG.normal(0, 0.2, (N, 4)), 0.01, 0.99), 2)
    return y, p


PATHS = ("A > x > 1", "A > x > 2", "A > y", "A > y > 1", "B > z > 1", "B > z > 2", "C > w > 1")


def _paths() -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities over a small taxonomy (a class that is also an inner node, 'A > y',
    and a chain with one child, 'C > w > 1')."""
    k = len(PATHS)
    y = RNG.integers(0, k, N)
    p = RNG.dirichlet(np.ones(k), N)
    p[np.arange(N), y] += 0.5
    return y, p / p.sum(axis=1, keepdims=True)


def _values() -> tuple[np.ndarray, np.ndarray]:
    y = RNG.normal(size=N)
    return y, y + RNG.normal(size=N)


BINARY_METRICS = (
    Metric.ROC_AUC, Metric.AVERAGE_PRECISION, Metric.LOG_LOSS, Metric.BRIER,
    Metric.ACCURACY, Metric.BALANCED_ACCURACY, Metric.F1,
)  # fmt: skip
CASES = {
    **dict.fromkeys(BINARY_METRICS, _binary),
    **dict.fromkeys((Metric.ROC_AUC_OVR, Metric.MACRO_F1), _multiclass),
    **dict.fromkeys((Metric.RMSE, Metric.MAE, Metric.R2), _values),
    **dict.fromkeys(
        (
            Metric.F1_MICRO,
            Metric.F1_MACRO,
            Metric.SUBSET_ACCURACY,
            Metric.HAMMING_LOSS,
            Metric.LABEL_RANKING_AVERAGE_PRECISION,
        ),
        _label_sets,
    ),
    **dict.fromkeys(
        (
            Metric.HIERARCHICAL_F1,
            Metric.HIERARCHICAL_PRECISION,
            Metric.HIERARCHICAL_RECALL,
            Metric.LEAF_F1_MACRO,
        ),
        _paths,
    ),
}


def test_every_metric_has_a_resampled_form() -> None:
    assert set(CASES) == set(DEFINITIONS)


@pytest.mark.parametrize("metric", sorted(CASES))
def test_resampled_metrics_equal_the_scorer_on_each_weight_vector(metric: Metric) -> None:
    y, pred = CASES[metric]()
    weights = RNG.poisson(1.0, size=(4, N)) * RNG.uniform(0.5, 2.0, N)
    fast = resampled(metric, y, pred, weights, PATHS)  # the classes: read by path metrics only
    slow = [score(metric, y[w > 0], pred[w > 0], w[w > 0], PATHS) for w in weights]
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-9)


def test_a_clearly_better_model_is_better_and_the_reverse_is_worse() -> None:
    y, good = _binary()
    flat = np.full_like(good, 0.5)
    kw = {"rows": "test rows", "seed": 3}
    better = compare(Metric.ROC_AUC, y, good, flat, None, names=("model", "baseline"), **kw)
    assert better.verdict is Verdict.BETTER
    assert better.low > 0
    worse = compare(Metric.LOG_LOSS, y, flat, good, None, names=("baseline", "model"), **kw)
    assert worse.verdict is Verdict.WORSE
    assert worse.high < 0
    assert "is worse than" in worse.sentence()
    assert "600 test rows" in worse.sentence()


def test_a_tiny_difference_is_no_better_and_the_sentence_quotes_its_numbers() -> None:
    y, good = _binary()
    jitter = np.clip(good + RNG.normal(0, 0.01, good.shape), 0.001, 0.999)
    jitter /= jitter.sum(axis=1, keepdims=True)
    c = compare(Metric.ROC_AUC, y, jitter, good, None, names=("v4", "v3"), rows="test rows", seed=1)
    assert c.verdict is Verdict.NO_BETTER
    assert c.low <= 0 <= c.high
    assert c.sentence().startswith(
        f"v4 does not beat v3 on roc_auc ({c.ours:.4g} vs {c.theirs:.4g}"
    )


def test_a_model_against_itself_is_no_better() -> None:
    y, values = _values()
    c = compare(Metric.RMSE, y, values, values, None, names=("a", "a"), rows="test rows", seed=0)
    assert c.verdict is Verdict.NO_BETTER
    assert c.low == c.high == 0
