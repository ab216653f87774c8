"""Evaluation: one typed comparison of two models on the same rows, with the verdict it allows.

Every comparative sentence (the CLI, the report, the registry's alias reason) is produced from
a `Comparison`: the metric, the two values, which rows they come from, and the 95% interval of
the difference from a paired bootstrap (both models scored on each resample of the same rows).
"Better" needs the whole interval on the better side; "worse" the whole interval on the other;
anything else is "no better". A difference no resample can measure is "no better".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from shipml.core.enums import Metric
from shipml.evaluation.resampled import resampled
from shipml.framing.metrics import DEFINITIONS, score

RESAMPLES = 2000
LEVEL = 0.95
CHUNK = 100  # resamples drawn at once (rows x CHUNK weights)


class Verdict(StrEnum):
    BETTER = "better"
    NO_BETTER = "no better"
    WORSE = "worse"


@dataclass(frozen=True, slots=True)
class Comparison:
    """`ours` against `theirs` on the same rows; `low`/`high` bound the improvement (ours minus
    theirs, signed so that positive is better whichever way the metric points)."""

    metric: str  # a `Metric`, or a decision policy's objective ("expected cost per row")
    ours_name: str
    theirs_name: str
    ours: float
    theirs: float
    rows: str  # which rows: "test rows", "out-of-fold rows"
    n_rows: int
    low: float
    high: float
    verdict: Verdict

    @property
    def better(self) -> bool:
        return self.verdict is Verdict.BETTER

    def sentence(self) -> str:
        """The verdict, with the numbers it rests on."""
        word = {
            Verdict.BETTER: "beats",
            Verdict.NO_BETTER: "does not beat",
            Verdict.WORSE: "is worse than",
        }[self.verdict]
        return (
            f"{self.ours_name} {word} {self.theirs_name} on {self.metric} "
            f"({self.ours:.4g} vs {self.theirs:.4g} on {self.n_rows:,} {self.rows}; "
            f"95% interval of the improvement {_fmt(self.low)} to {_fmt(self.high)})"
        )

    def to_dict(self) -> dict[str, str | float | int | None]:
        """The record, and the sentence it allows (for JSON readers, not re-derived there)."""
        return {
            "metric": str(self.metric), "ours_name": self.ours_name,
            "theirs_name": self.theirs_name, "ours": _num(self.ours), "theirs": _num(self.theirs),
            "rows": self.rows, "n_rows": self.n_rows, "low": _num(self.low),
            "high": _num(self.high), "verdict": str(self.verdict),
            "sentence": self.sentence(),
        }  # fmt: skip


def compare(
    metric: Metric,
    y: np.ndarray,
    ours: np.ndarray,
    theirs: np.ndarray,
    w: np.ndarray | None,
    *,
    names: tuple[str, str],
    rows: str,
    seed: int,
    resamples: int = RESAMPLES,
    classes: Sequence[object] = (),
    stop_below: tuple[float, float] = (0.0, 0.0),
) -> Comparison:
    """Compare two models' predictions of the same rows (class probabilities or values); a
    path metric reads the taxonomy of `classes` and walks it at each model's stopping share."""
    sign = 1.0 if DEFINITIONS[metric].greater_is_better else -1.0
    a = score(metric, y, ours, w, classes, stop_below[0])
    b = score(metric, y, theirs, w, classes, stop_below[1])
    paths = (classes, stop_below)
    diffs = _paired_differences(metric, y, ours, theirs, w, seed, resamples, paths) * sign
    return _verdict(str(metric), names, a, b, rows, len(y), diffs, resamples)


# A statistic of the rows under weights: (r, n) weights -> (r,) values, one per weight row.
Statistic = Callable[[np.ndarray], np.ndarray]


def compare_by(
    label: str,
    greater_is_better: bool,
    ours: Statistic,
    theirs: Statistic,
    w: np.ndarray | None,
    n: int,
    *,
    names: tuple[str, str],
    rows: str,
    seed: int,
    resamples: int = RESAMPLES,
) -> Comparison:
    """Compare two statistics of the same `n` rows (a policy's expected cost, its precision),
    each computed under the same Poisson resample weights, with the same verdict rule."""
    base = np.ones(n) if w is None else np.asarray(w, dtype=np.float64)
    a, b = float(ours(base[None, :])[0]), float(theirs(base[None, :])[0])
    sign = 1.0 if greater_is_better else -1.0
    rng = np.random.default_rng(seed)
    out = []
    for start in range(0, resamples, CHUNK):
        weights = rng.poisson(1.0, size=(min(CHUNK, resamples - start), n)) * base
        out.append(ours(weights) - theirs(weights))
    return _verdict(label, names, a, b, rows, n, np.concatenate(out) * sign, resamples)


def _verdict(
    label: str,
    names: tuple[str, str],
    a: float,
    b: float,
    rows: str,
    n: int,
    diffs: np.ndarray,
    resamples: int,
) -> Comparison:
    finite = diffs[np.isfinite(diffs)]
    low = high = math.nan
    verdict = Verdict.NO_BETTER
    if len(finite) >= resamples // 2:
        low, high = (float(q) for q in np.quantile(finite, [(1 - LEVEL) / 2, (1 + LEVEL) / 2]))
        if low > 0:
            verdict = Verdict.BETTER
        elif high < 0:
            verdict = Verdict.WORSE
    return Comparison(label, names[0], names[1], a, b, rows, n, low, high, verdict)


def _paired_differences(
    metric: Metric,
    y: np.ndarray,
    ours: np.ndarray,
    theirs: np.ndarray,
    w: np.ndarray | None,
    seed: int,
    resamples: int,
    paths: tuple[Sequence[object], tuple[float, float]] = ((), (0.0, 0.0)),
) -> np.ndarray:
    """metric(ours) - metric(theirs) on each Poisson resample of the rows (the same resample
    for both models, so the difference is paired)."""
    rng = np.random.default_rng(seed)
    base = np.ones(len(y)) if w is None else np.asarray(w, dtype=np.float64)
    out = []
    for start in range(0, resamples, CHUNK):
        weights = rng.poisson(1.0, size=(min(CHUNK, resamples - start), len(y))) * base
        classes, (stop_ours, stop_theirs) = paths
        ours_r = resampled(metric, y, ours, weights, classes, stop_ours)
        out.append(ours_r - resampled(metric, y, theirs, weights, classes, stop_theirs))
    return np.concatenate(out)


def _fmt(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:+.4g}"


def _num(value: float) -> float | None:
    return value if math.isfinite(value) else None
