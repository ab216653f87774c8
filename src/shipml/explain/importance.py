"""Explain: permutation importance on the test rows, per raw feature or per group of features.

Read-only: the champion is frozen, and nothing is chosen from these numbers. A feature's (or a
group's) importance is how much the primary metric worsens when its values are shuffled across
rows, over several shuffles, with a 95% t-interval of the mean. A group is shuffled with one
permutation for all its members, so their joint values stay intact while their tie to the
target breaks: correlated features that stand in for each other are judged together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shipml.core.enums import Metric
from shipml.explain.view import ModelView
from shipml.framing.metrics import DEFINITIONS, score


@dataclass(frozen=True, slots=True)
class Importance:
    name: str  # the feature, or the group's members joined with " + "
    members: tuple[str, ...]
    mean: float  # mean worsening of the metric when shuffled (> 0: the model relies on it)
    std: float
    low: float  # 95% interval of the mean over repeats
    high: float
    repeats: tuple[float, ...]


def permutation_importance(
    view: ModelView,
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None,
    metric: Metric,
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    repeats: int = 5,
    seed: int = 0,
) -> tuple[Importance, ...]:
    """Importance of each feature (or of each named group), most important first.

    `X` is the preprocessed matrix of the rows (`view.matrix(columns)`); shuffling a feature's
    block of it equals shuffling the raw column, since every step works row by row.
    """
    units = groups if groups is not None else {f: (f,) for f in view.features}
    sign = 1.0 if DEFINITIONS[metric].greater_is_better else -1.0
    classes = view.model.classes
    base = score(metric, y, view.raw(X), w, classes)
    rng = np.random.default_rng(seed)
    out = []
    for name, members in units.items():
        cols = np.concatenate([_cols(view, m) for m in members])
        drops = []
        for _ in range(repeats):
            order = rng.permutation(len(y))
            shuffled = X.copy()
            shuffled[:, cols] = X[order][:, cols]
            drops.append(sign * (base - score(metric, y, view.raw(shuffled), w, classes)))
        out.append(_summarize(name, tuple(members), np.asarray(drops)))
    return tuple(sorted(out, key=lambda i: -np.nan_to_num(i.mean, nan=-np.inf)))


def _cols(view: ModelView, feature: str) -> np.ndarray:
    block = view.blocks[feature]
    return np.arange(block.start, block.stop)


def _summarize(name: str, members: tuple[str, ...], drops: np.ndarray) -> Importance:
    mean = float(np.mean(drops))
    std = float(np.std(drops, ddof=1)) if len(drops) > 1 else 0.0
    from scipy.special import stdtrit  # the t quantile, without importing all of scipy.stats

    half = float(stdtrit(len(drops) - 1, 0.975) * std / np.sqrt(len(drops))) if std else 0.0
    return Importance(name, members, mean, std, mean - half, mean + half, tuple(map(float, drops)))
