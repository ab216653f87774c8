"""Label-set decisions: F1-optimal thresholds per label, top k, cardinality; and the five set
metrics, scored one way (`score`) and resampled the vectorized way, equal on any weights."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score, hamming_loss, label_ranking_average_precision_score

from shipml.core.enums import Metric
from shipml.decision.labels import f1_thresholds, label_thresholds
from shipml.evaluation.resampled import resampled
from shipml.framing.metrics import score
from shipml.runtime.policy import decide_label_sets

SET_METRICS = (
    Metric.F1_MICRO,
    Metric.F1_MACRO,
    Metric.SUBSET_ACCURACY,
    Metric.HAMMING_LOSS,
    Metric.LABEL_RANKING_AVERAGE_PRECISION,
)


def _problem(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three labels of different frequency, probabilities that rank them with noise."""
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, 3)) < [0.5, 0.2, 0.05]).astype(np.int64)
    Y[Y.sum(axis=1) == 0, 0] = 1  # every row holds a label (LRAP needs one)
    p = np.clip(0.15 + 0.4 * Y + rng.normal(0, 0.2, (n, 3)) - [0, 0.1, 0.15], 0.001, 0.999)
    return Y, p


def test_f1_thresholds_are_at_least_as_good_as_one_half_for_every_label() -> None:
    Y, p = _problem()
    w = np.ones(len(Y))
    cut = f1_thresholds(p, Y, w)
    for j, t in enumerate(cut):
        at = f1_score(Y[:, j], p[:, j] >= t)
        assert at >= f1_score(Y[:, j], p[:, j] >= 0.5) - 1e-12
        # no other cut among the distinct probabilities does better
        best = max(f1_score(Y[:, j], p[:, j] >= c) for c in np.unique(p[:, j]))
        assert at == pytest.approx(best, abs=1e-12)
    assert cut[2] < 0.5  # the rare label is decided at a lower probability


def test_a_label_without_positives_gets_a_threshold_no_probability_reaches() -> None:
    Y, p = _problem()
    Y[:, 2] = 0
    assert f1_thresholds(p, Y, np.ones(len(Y)))[2] > 1.0  # never decided


def test_top_k_and_cardinality_decide_as_many_labels_as_asked_ties_in_label_order() -> None:
    p = np.array([[0.45, 0.2, 0.02, 0.33], [0.5, 0.5, 0.5, 0.5], [0.9, 0.8, 0.6, 0.1]])
    assert decide_label_sets(p, "top_k", None, 2).tolist() == [
        [1, 0, 0, 1], [1, 1, 0, 0], [1, 1, 0, 0],
    ]  # fmt: skip
    # cardinality: as many as the probabilities sum to (1.0, 2.0, 2.4 -> 1, 2, 2), at least one
    assert decide_label_sets(p, "cardinality", None, None).tolist() == [
        [1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0],
    ]  # fmt: skip
    assert decide_label_sets(p, "per_label", (0.4, 0.3, 0.6, 0.3), None).tolist() == [
        [1, 0, 0, 1], [1, 1, 0, 1], [1, 1, 1, 0],
    ]  # fmt: skip


def test_set_metrics_match_scikit_learn_at_one_half() -> None:
    Y, p = _problem()
    d = (p >= 0.5).astype(np.int64)
    assert score(Metric.F1_MICRO, Y, p) == pytest.approx(f1_score(Y, d, average="micro"))
    assert score(Metric.F1_MACRO, Y, p) == pytest.approx(f1_score(Y, d, average="macro"))
    assert score(Metric.HAMMING_LOSS, Y, p) == pytest.approx(hamming_loss(Y, d))
    assert score(Metric.SUBSET_ACCURACY, Y, p) == pytest.approx(np.mean((d == Y).all(axis=1)))
    lrap = label_ranking_average_precision_score(Y, p)
    assert score(Metric.LABEL_RANKING_AVERAGE_PRECISION, Y, p) == pytest.approx(lrap)
    # decided 0/1 sets score as they are
    assert score(Metric.F1_MICRO, Y, d) == pytest.approx(f1_score(Y, d, average="micro"))


@pytest.mark.parametrize("metric", SET_METRICS, ids=str)
def test_resampled_set_metrics_equal_the_direct_score_on_each_weight_vector(
    metric: Metric,
) -> None:
    Y, p = _problem(200, seed=3)
    rng = np.random.default_rng(1)
    weights = rng.poisson(1.0, (4, len(Y))).astype(np.float64)
    fast = resampled(metric, Y, p, weights)
    for b in range(len(weights)):
        assert fast[b] == pytest.approx(score(metric, Y, p, weights[b]), abs=1e-9)


def test_per_label_thresholds_serve_the_primary_metric() -> None:
    Y, p = _problem(seed=5)
    w = np.ones(len(Y))
    half = score(Metric.F1_MICRO, Y, (p >= 0.5).astype(np.float64))
    micro, aim = label_thresholds(p, Y, w, Metric.F1_MICRO)
    at_micro = score(Metric.F1_MICRO, Y, (p >= np.asarray(micro)).astype(np.float64))
    macro, _ = label_thresholds(p, Y, w, Metric.F1_MACRO)
    at_macro = score(Metric.F1_MICRO, Y, (p >= np.asarray(macro)).astype(np.float64))
    assert "micro F1" in aim
    assert at_micro >= max(half, at_macro) - 1e-12  # never below either start
    assert macro == f1_thresholds(p, Y, w)
    assert label_thresholds(p, Y, w, Metric.HAMMING_LOSS)[0] == (0.5, 0.5, 0.5)
    # coordinate ascent: no single label's threshold can move to a better micro F1
    for j in range(3):
        for c in np.unique(p[:, j]):
            t = np.asarray(micro).copy()
            t[j] = c
            assert score(Metric.F1_MICRO, Y, (p >= t).astype(np.float64)) <= at_micro + 1e-12
