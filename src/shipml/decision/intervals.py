"""Decision: regression prediction intervals from the out-of-fold residuals, no extra split.
The residual quantiles take the conformal finite-sample correction per tail (each tail misses
at most (1 - coverage) / 2); the interval is the refit model's prediction plus those offsets,
so it is the cheap cross-conformal form: CV+ proper would keep every fold's model for serving.
The guarantee assumes exchangeable rows: it weakens under time-ordered data and drift.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from shipml.decision.oof import OutOfFold
from shipml.decision.outcome import FIT_ON_OOF, DecisionOutcome
from shipml.runtime.policy import DecisionPolicy
from shipml.spec.model import Decision

LEVELS = (0.5, 0.8, 0.9, 0.95, 0.99)
EXCHANGEABLE = (
    "coverage holds for rows exchangeable with the training rows; under time-ordered data "
    "or drift the guarantee weakens, so watch the coverage reached on recent data"
)


def residual_offsets(residuals: np.ndarray, coverage: float) -> tuple[float, float, bool]:
    """(low, high) offsets and whether n was large enough for the corrected quantiles."""
    r = np.sort(residuals)
    n, tail = len(r), (1 - coverage) / 2
    hi_rank = math.ceil((n + 1) * (1 - tail))  # 1-based ranks
    lo_rank = math.floor((n + 1) * tail)
    enough = hi_rank <= n and lo_rank >= 1
    return float(r[max(lo_rank, 1) - 1]), float(r[min(hi_rank, n) - 1]), enough


def fit_intervals(oof: OutOfFold, d: Decision, time_ordered: bool) -> DecisionOutcome:
    residuals = oof.y.astype(np.float64) - oof.scores
    low, high, enough = residual_offsets(residuals, d.coverage)
    inside = (residuals >= low) & (residuals <= high)
    warnings = []
    if not enough:
        warnings.append(
            f"only {oof.n} out-of-fold rows: too few for a {d.coverage:.0%} interval with the "
            "finite-sample correction; the widest residuals are used"
        )
    if time_ordered:
        warnings.append(f"time-ordered validation: {EXCHANGEABLE}")
    summary: dict[str, Any] = {
        "rule": "value",
        "fit_on": FIT_ON_OOF,
        "source": f"{d.coverage:.0%} interval from out-of-fold residual quantiles",
        "coverage_target": d.coverage,
        "interval": [low, high],
        "oof": {"coverage": float(inside.mean()), "width": high - low},
        "note": EXCHANGEABLE,
        "warnings": warnings,
    }
    levels = {f"{c:g}": list(residual_offsets(residuals, c)[:2]) for c in LEVELS}
    report = {"policy": summary, "residual_offsets": levels, "rows": oof.n}
    policy = DecisionPolicy(rule="value", interval=(low, high), summary=summary)
    return DecisionOutcome(policy, report, tuple(warnings))
