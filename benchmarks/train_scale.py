"""Benchmark: wall time and peak memory of `shipml.train` on 10k, 100k and 1M synthetic rows
x 30 features with a fixed trial budget, against a floor measured in the same run (one
LightGBM fit of 100 trees on the same rows).

    .venv/bin/python benchmarks/train_scale.py [--sizes 10000,100000,1000000] [--trials 8]

Each size runs in its own subprocess so peak memory (max RSS) is that run's alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_NUMERIC, N_CATEGORICAL, N_BOOLEAN = 24, 4, 2


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    """30 features: 24 numeric (some missing), 4 categorical, 2 boolean; a binary target."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    X = rng.normal(size=(n, N_NUMERIC))
    X[rng.random((n, N_NUMERIC)) < 0.02] = np.nan
    for j in range(N_NUMERIC):
        cols[f"num_{j}"] = X[:, j]
    cats = [rng.integers(0, k, n) for k in (5, 12, 30, 50)]
    for j, codes in enumerate(cats):
        cols[f"cat_{j}"] = pd.array(np.char.add("c", codes.astype(str)), dtype="str")
    for j in range(N_BOOLEAN):
        cols[f"flag_{j}"] = rng.random(n) < 0.3
    x = np.nan_to_num(X)
    logit = (
        x[:, 0] - 0.8 * x[:, 1] + 0.5 * x[:, 2] * x[:, 3] + np.sin(x[:, 4])
        + 0.3 * (cats[0] == 2) - 0.4 * (cats[2] % 3 == 0) + 0.5 * cols["flag_0"] - 1.0
    )  # fmt: skip
    cols["target"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return pd.DataFrame(cols)


def run_one(n: int, trials: int, folder: Path) -> dict[str, float]:
    import lightgbm as lgb

    import shipml

    data = synthetic(n)
    data.to_parquet(folder / "data.parquet")
    X = data.drop(columns="target").astype({f"cat_{j}": "category" for j in range(N_CATEGORICAL)})
    start = time.perf_counter()
    lgb.train(
        {"objective": "binary", "verbosity": -1, "num_threads": 2, "deterministic": True},
        lgb.Dataset(X, (data["target"] == "yes").astype(int)),
        num_boost_round=100,
    )
    floor = time.perf_counter() - start
    spec = {
        "name": f"scale-{n}",
        "data": {"train": str(folder / "data.parquet")},
        "target": {"column": "target", "positive": "yes"},
        "validation": {"folds": 3},
        "constraints": {"n_trials": trials, "n_jobs": 2},
        "seed": 0,
    }
    start = time.perf_counter()
    result = shipml.train(spec, track=False)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "rows": n,
        "train_s": round(wall, 1),
        "floor_s": round(floor, 2),
        "ratio": round(wall / floor, 1),
        "peak_mb": round(peak_mb),
        "champion": result.selection.champion,
        "test_auc": round(result.holdout.test_score, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(run_one(args.one, args.trials, Path(tmp))))
        return
    print(f"shipml train, 30 features, {args.trials} trials, 3 folds, 2 threads")
    header = f"{'rows':>9} {'train s':>8} {'floor s':>8} {'ratio':>6} {'peak MB':>8}"
    print(f"{header}  champion  test AUC")
    for n in (int(s) for s in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--one", str(n), "--trials", str(args.trials)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{n:>9} failed: {done.stderr.strip().splitlines()[-1]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{r['rows']:>9} {r['train_s']:>8} {r['floor_s']:>8} {r['ratio']:>6} "
            f"{r['peak_mb']:>8}  {r['champion']:<9} {r['test_auc']}"
        )
    print("floor: one LightGBM fit of 100 trees on all rows, same threads, same run")


if __name__ == "__main__":
    main()
