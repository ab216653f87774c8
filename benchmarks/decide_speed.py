"""Benchmark: the decision layer on 1M out-of-fold scores, what `shipml decide` does after
loading a bundle. Calibration (`auto`: none, sigmoid and isotonic cross-fitted over 5 folds,
the winner refit) plus the threshold search should take under a second; the bootstrap
intervals (200 resamples on ~2,000 bins) are timed apart. The floor is one `np.sort` of the
scores, measured in the same run.

    .venv/bin/python benchmarks/decide_speed.py [--rows 1000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

from shipml.core.enums import Task
from shipml.decision import OutOfFold, fit_decision_policy
from shipml.decision.bootstrap import resample
from shipml.decision.calibration import calibrate
from shipml.decision.costs import cost_matrix
from shipml.decision.curve import ThresholdCurve, threshold_curve
from shipml.decision.thresholds import pick
from shipml.spec.model import Decision

DECISION = Decision(costs={"fp": 1.0, "fn": 20.0})


def synthetic(n: int, seed: int = 0) -> OutOfFold:
    """Overconfident scores from two Gaussians on the logit scale, 10% positive, 5 folds."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.1).astype(np.int64)
    x = rng.normal(np.where(y == 1, 1.0, -1.0), 1.0) * 2.5
    score = 1.0 / (1.0 + np.exp(-x))
    return OutOfFold.of(np.column_stack([1 - score, score]), y, rng.integers(0, 5, n))


def search(oof: OutOfFold) -> tuple[int, ThresholdCurve]:
    """Calibration and the threshold search, as `fit_binary` runs them."""
    score = oof.scores[:, 1]
    oof = OutOfFold(score, oof.y, oof.fold, oof.weight).take(np.argsort(score))
    cal = calibrate(oof, DECISION.calibration, [np.arange(oof.n)])
    curve = threshold_curve(cal.proba, (oof.y == 1).astype(np.float64), oof.weight)
    costs = cost_matrix(DECISION.costs, ("no", "yes"))
    assert costs is not None
    index, _ = pick(DECISION, curve.counts, costs)
    return int(index), curve


def timed(fn: Callable[[], object], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    oof = synthetic(args.rows)
    search(synthetic(10_000))  # warm the imports and code paths
    scores = oof.scores[:, 1].copy()
    floor = timed(lambda: np.sort(scores), args.repeats)
    calibration_and_search = timed(lambda: search(oof), args.repeats)
    index, curve = search(oof)
    bootstrap = timed(lambda: resample(curve, [index], seed=0), args.repeats)
    whole = timed(
        lambda: fit_decision_policy(
            oof, task=Task.BINARY, classes=("no", "yes"), decision=DECISION
        ),
        args.repeats,
    )
    print(
        json.dumps(
            {
                "rows": args.rows,
                "floor_np_sort_s": round(floor, 4),
                "calibration_and_threshold_s": round(calibration_and_search, 3),
                "ratio_to_floor": round(calibration_and_search / floor, 1),
                "under_1s": calibration_and_search < 1.0,
                "bootstrap_intervals_s": round(bootstrap, 3),
                "fit_decision_policy_s": round(whole, 3),
                "repeats": args.repeats,  # each time is the median of the repeats
                "cpus": os.cpu_count(),
                "load_average_1m": round(os.getloadavg()[0], 2),  # other work slows every time
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
