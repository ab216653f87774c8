"""Benchmark: does `constraints.time_budget_s` hold? Each run is `shipml train SPEC --json` in
a fresh process, timed from launch to exit (imports, the report and registration included).

Printed per run: the budget, the wall time and its ratio to the budget (the floor: at most 1.10),
the champion's family (never the baseline), LightGBM's trees and trials, and what the run said
when it went over. Runs: UCI Adult (48,842 rows; `../shared/data`) at 10, 20 and 60 s, and a
synthetic table of 300,000 rows (20 numbers, 3 categories, a binary target with interactions)
at 120 s.

    .venv/bin/python benchmarks/budget.py [--only adult|large]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
ADULT = ROOT.parent / "shared" / "data" / "adult_census_income.parquet"
SHIPML = Path(sys.executable).with_name("shipml")


def large_table(rows: int = 300_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 20))
    region = rng.choice([f"r{i}" for i in range(30)], rows)
    plan = rng.choice(["basic", "plus", "pro", "team"], rows, p=[0.5, 0.25, 0.15, 0.1])
    channel = rng.choice(["web", "app", "store"], rows)
    bump = pd.Series(region).map({f"r{i}": rng.normal(0, 0.7) for i in range(30)}).to_numpy()
    logit = (
        X[:, 0] - 0.8 * X[:, 1] + 0.6 * X[:, 2] * X[:, 3] + np.sin(2 * X[:, 4])
        + bump + (plan == "pro") * 0.8 - 1.0
    )  # fmt: skip
    y = rng.random(rows) < 1 / (1 + np.exp(-logit))
    out = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    out["region"], out["plan"], out["channel"] = region, plan, channel
    out["churned"] = np.where(y, "yes", "no")
    return out


def run(folder: Path, name: str, data: Path, target: str, budget: int) -> None:
    spec = {
        "name": name,
        "data": {"train": str(data)},
        "target": {"column": target},
        "constraints": {"time_budget_s": budget},
        "seed": 42,
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [str(SHIPML), "train", str(path), "--json"], capture_output=True, text=True, check=False
    )
    wall = time.monotonic() - started
    if done.returncode != 0:
        print(f"{name} at {budget} s: failed ({done.stderr.strip()[-300:]})")
        return
    out = json.loads(done.stdout)
    board = {r["family"]: r for r in out["leaderboard"]}
    lgb = board.get("lightgbm")
    trees = (
        "not run"
        if lgb is None
        else (f"{lgb['params'].get('n_estimators', '?')} trees, {lgb['n_trials']} trials")
    )
    ratio = wall / budget
    print(f"{name} at {budget} s: wall {wall:.1f} s, {ratio:.2f}x the budget "
          f"({'held' if ratio <= 1.10 else 'NOT held'}); champion {out['champion']}; "
          f"LightGBM {trees}; ran {', '.join(board)}")  # fmt: skip
    for w in out["warnings"]:
        if "time budget" in w:
            print(f"  the run said: {w}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("adult", "large"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SHIPML_HOME"] = str(Path(tmp) / "home")
        folder = Path(tmp)
        if args.only in (None, "adult"):
            for budget in (10, 20, 60):
                run(folder, f"adult_{budget}", ADULT, "income", budget)
        if args.only in (None, "large"):
            data = folder / "large.parquet"
            large_table().to_parquet(data)
            run(folder, "large_120", data, "churned", 120)


if __name__ == "__main__":
    main()
