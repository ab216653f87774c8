"""The demo: init, profile, train and predict on the UCI Adult example with the `shipml` CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parents[1] / "out" / "demo"
SHIPML = str(Path(sys.executable).with_name("shipml"))


def run(*args: str) -> str:
    print(f"\n$ shipml {' '.join(args)}", flush=True)
    done = subprocess.run([SHIPML, *args], check=True, stdout=subprocess.PIPE, text=True)
    if done.stdout.strip() and "--json" not in args:
        print(done.stdout.rstrip())
    return done.stdout


def main() -> None:
    started = time.monotonic()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    run("init", str(HERE / "adult.parquet"), "--target", "income", "--out", str(OUT / "init.yaml"))
    run("validate", str(HERE / "spec.yaml"))
    run("profile", str(HERE / "spec.yaml"), "--out", str(OUT / "profile.json"))
    result = json.loads(run("train", str(HERE / "spec.yaml"), "--json"))
    _show(result)
    run(
        "predict",
        "adult-income@champion",
        str(HERE / "adult.parquet"),
        "--out",
        str(OUT / "predictions.parquet"),
    )
    print(f"\nDemo finished in {time.monotonic() - started:.0f} s. Results:")
    print(f"  generated spec      {OUT / 'init.yaml'}")
    print(f"  data profile        {OUT / 'profile.json'}")
    print(f"  model bundle        {result['bundle']}")
    if result.get("report"):
        print(f"  report (HTML)       {result['report']}")
    print(f"  predictions         {OUT / 'predictions.parquet'}")
    home = Path(os.environ.get("SHIPML_HOME", ".shipml"))
    print(f"  MLflow tracking     {home / 'mlflow.db'} (mlflow ui --backend-store-uri sqlite:///"
          f"{home / 'mlflow.db'})")  # fmt: skip


def _show(result: dict) -> None:
    metric = result["primary_metric"]
    print(f"\nLeaderboard ({metric}, cross-validated):")
    for row in result["leaderboard"]:
        mark = "  <- champion" if row["family"] == result["champion"] else ""
        print(
            f"  {row['family']:<14} {row['cv_mean']:.4f} ± {row['cv_std']:.4f}   "
            f"p95 {row['latency_p95_ms']:.2f} ms   {row['size_mb']:.2f} MB{mark}"
        )
    test, base = result["test"][metric], result["baseline_test"][metric]
    print(f"Test {metric}: champion {test:.4f}, constant baseline {base:.4f}")
    verdict = result.get("against_baseline")
    if verdict:  # the sentence is computed from the comparison on the test rows, not here
        print(f"Verdict: {verdict['sentence']}")
    print(f"Diagnosis: {result['diagnosis']}")
    reg = result["registered"]
    print(f"Registered {reg['name']} v{reg['version']} as @{reg['alias']}: {reg['why']}")


if __name__ == "__main__":
    main()
