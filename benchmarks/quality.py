"""Quality benchmark: shipml against FLAML and AutoGluon on the same splits, metric, budget, cores.

    .venv/bin/python benchmarks/quality.py --budget 60 --seeds 3 --write-readme
    .venv/bin/python benchmarks/quality.py --report benchmarks/results/quality-STAMP.csv \
        --write-readme

For each dataset of the list file and each seed: one seeded split (stratified for classification;
at most `--max-rows` training rows), then each system trains in its own subprocess
(`quality_systems.py`, run by the python of the system's virtualenv: shipml from `.venv`, the
peers from `benchmarks/.peers-venv`, made by `make bench-env`). The harness scores every system's
test predictions with the same code and appends one row per (dataset, seed, system) to
`benchmarks/results/quality-STAMP.csv` as it goes (with `.json` run facts and `.details.jsonl`
with what each system chose beside it). The report (tables, win/tie/loss) is always rendered
from a CSV, and `--write-readme` puts it in benchmarks/README.md: no figure is typed by hand.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import quality_datasets as qd
import quality_report as qr

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
SYSTEMS = ("shipml", "flaml", "autogluon", "hgb")  # hgb: scikit-learn's defaults, a floor
WORKER = BENCH / "quality_systems.py"
FIELDS = (
    "date", "dataset", "task", "metric", "seed", "system", "version", "status", "score",
    "roc_auc", "log_loss", "accuracy", "rmse", "mae", "r2", "fit_s", "latency_ms",
    "latency_p95_ms", "size_mb", "best_model", "n_train", "n_test", "budget_s", "n_jobs",
    "loadavg_1m", "error",
)  # fmt: skip
PACKAGES = {
    "shipml": ("shipml", "lightgbm", "scikit-learn", "optuna", "pandas", "numpy"),
    "peers": ("flaml", "autogluon.tabular", "lightgbm", "catboost", "xgboost-cpu", "torch",
              "scikit-learn", "pandas", "numpy"),
}  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--budget", type=float, default=60.0, help="seconds of fit per system and run")
    p.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (split and system seed)")
    p.add_argument("--datasets", default="", help="comma-separated names (default: all listed)")
    p.add_argument("--list", type=Path, default=BENCH / "datasets.txt", help="the list file")
    p.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset")
    p.add_argument("--max-rows", type=int, default=20_000, help="training rows at most")
    p.add_argument("--n-jobs", type=int, default=2, help="cores (threads) for every system")
    p.add_argument("--timeout", type=float, default=None, help="kill a run after this many s")
    p.add_argument("--shipml-python", type=Path, default=ROOT / ".venv" / "bin" / "python")
    p.add_argument("--peers-python", type=Path, default=BENCH / ".peers-venv" / "bin" / "python")
    p.add_argument("--out", type=Path, default=None, help="CSV path (default: results/, dated)")
    p.add_argument("--report", type=Path, default=None, help="only render this CSV's report")
    p.add_argument("--write-readme", action="store_true", help="put the report in README.md")
    p.set_defaults(snapshot_env={})  # env of the shipml worker: PYTHONPATH of the source copy
    return p.parse_args(argv)


def package_versions(python: Path, names: tuple[str, ...]) -> dict[str, str]:
    """Installed versions in another virtualenv (`missing` when it or a package is absent)."""
    code = (
        "import importlib.metadata as m, json, sys\n"
        "def v(n):\n    try:\n        return m.version(n)\n    except Exception:\n"
        "        return 'missing'\n"
        "print(json.dumps({n: v(n) for n in sys.argv[1:]}))"
    )
    try:
        out = subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True)
        return dict(json.loads(out.stdout))
    except (OSError, ValueError):
        return dict.fromkeys(names, "missing")


def machine() -> dict[str, Any]:
    cpu = "unknown"
    info = Path("/proc/cpuinfo")
    if info.exists():
        names = [ln.split(":", 1)[1].strip() for ln in info.read_text().splitlines()
                 if ln.startswith("model name")]  # fmt: skip
        cpu = names[0] if names else cpu
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    git = ["git", "-C", str(ROOT), "describe", "--always", "--dirty"]
    commit = subprocess.run(git, capture_output=True, text=True).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem, 1),
        "os": f"{os.uname().sysname} {os.uname().release}",
        "git": commit or "unknown",
    }


def run_worker(
    system: str, python: Path, dataset: qd.Dataset, seed: int, files: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:  # fmt: skip
    """One system on one split, in a subprocess; its JSON line, or a recorded failure."""
    if not python.exists():
        return {"status": "error", "error": f"no python at {python} (run `make bench-env`)"}
    workdir = files / system
    workdir.mkdir()
    cmd = [
        str(python), str(WORKER), "--system", system, "--name", dataset.name,
        "--train", str(files / "train.parquet"), "--test", str(files / "test.parquet"),
        "--target", dataset.target, "--task", dataset.task, "--metric", dataset.metric,
        "--budget", str(args.budget), "--seed", str(seed), "--n-jobs", str(args.n_jobs),
        "--workdir", str(workdir),
    ]  # fmt: skip
    if dataset.positive is not None:
        cmd += ["--positive", dataset.positive]
    threads = str(args.n_jobs)
    env = os.environ | (args.snapshot_env if system == "shipml" else {}) | {
        "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads,
        "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1", "PYTHONWARNINGS": "ignore",
    }  # fmt: skip
    env.pop("VIRTUAL_ENV", None)
    timeout = args.timeout or max(600.0, 8 * args.budget)
    log = workdir / "worker.log"
    try:
        with log.open("w") as err:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err, text=True,
                                  cwd=workdir, env=env, timeout=timeout)  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "error": f"killed after {timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        tail = log.read_text(errors="replace")[-400:]
        return {"status": "error", "error": f"exit {proc.returncode}, no result: {tail}"}
    return dict(json.loads(lines[-1]))


def one_split(
    dataset: qd.Dataset, table: pd.DataFrame, seed: int, args: argparse.Namespace,
    pythons: dict[str, Path], versions: dict[str, str], out: Path,
) -> None:  # fmt: skip
    """Every system on one seeded split; one CSV row and one details line per system."""
    train, test = qd.split(table, dataset, seed, args.max_rows)
    with tempfile.TemporaryDirectory(prefix=f"quality-{dataset.name}-") as tmp:
        files = Path(tmp)
        qd.write_parquet(train, files / "train.parquet")
        qd.write_parquet(test, files / "test.parquet")
        for system in args.systems.split(","):
            load = os.getloadavg()[0]
            result = run_worker(system, pythons[system], dataset, seed, files, args)
            metrics: dict[str, float] = {}
            if result.get("status") == "ok":
                try:
                    metrics = qd.score(dataset, test[dataset.target],
                                       pd.read_parquet(result["predictions"]))  # fmt: skip
                except Exception as exc:  # a malformed prediction file is that system's failure
                    result = {**result, "status": "error", "error": f"scoring: {exc}"}
            row = {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "dataset": dataset.name, "task": dataset.task, "metric": dataset.metric,
                "seed": seed, "system": system,
                "version": result.get("version") or versions.get(system, "unknown"),
                "status": result.get("status", "error"),
                "score": metrics.get(dataset.metric, math.nan), **metrics,
                "fit_s": result.get("fit_seconds"), "latency_ms": result.get("latency_ms"),
                "latency_p95_ms": result.get("latency_p95_ms"), "size_mb": result.get("size_mb"),
                "best_model": result.get("best_model", ""), "n_train": len(train),
                "n_test": len(test), "budget_s": args.budget, "n_jobs": args.n_jobs,
                "loadavg_1m": round(load, 2), "error": result.get("error", ""),
            }  # fmt: skip
            pd.DataFrame([row], columns=list(FIELDS)).to_csv(
                out, mode="a", header=not out.exists(), index=False
            )
            detail = {k: row[k] for k in ("dataset", "seed", "system", "status", "score")}
            with out.with_suffix(".details.jsonl").open("a") as fh:
                fh.write(json.dumps(detail | {"details": result.get("details")}, default=str))
                fh.write("\n")
            fit = f"{row['fit_s']:.1f}s" if row["fit_s"] is not None else "-"
            print(f"  {dataset.name} seed {seed} {system:<9} {row['status']:<7} "
                  f"{dataset.metric}={row['score']:.4f} fit {fit} {row['error'][:120]}",
                  flush=True)  # fmt: skip


def run_benchmark(args: argparse.Namespace) -> Path:
    datasets = qd.select(qd.parse_list(args.list), args.datasets)
    unknown = set(args.systems.split(",")) - set(SYSTEMS)
    if unknown:
        raise SystemExit(f"unknown systems: {', '.join(sorted(unknown))}")
    pythons = {"shipml": args.shipml_python, "flaml": args.peers_python,
               "autogluon": args.peers_python, "hgb": args.shipml_python}  # fmt: skip
    installed = {
        "shipml venv": package_versions(args.shipml_python, PACKAGES["shipml"]),
        "peers venv": package_versions(args.peers_python, PACKAGES["peers"]),
    }
    versions = {
        "shipml": installed["shipml venv"]["shipml"],
        "flaml": installed["peers venv"]["flaml"],
        "autogluon": installed["peers venv"]["autogluon.tabular"],
        "hgb": installed["shipml venv"]["scikit-learn"],
    }
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = args.out or RESULTS / f"quality-{stamp}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    command = ".venv/bin/python benchmarks/quality.py " + shlex.join(sys.argv[1:])
    meta = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "command": command,
        "budget_s": args.budget, "seeds": args.seeds, "max_rows": args.max_rows,
        "n_jobs": args.n_jobs, "datasets": [d.name for d in datasets],
        "systems": args.systems.split(","), "machine": machine(), "versions": installed,
        "shipml_source": "a copy of src/shipml taken at the start (git above)",
    }  # fmt: skip
    out.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"writing {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}", flush=True)
    started = time.monotonic()
    # shipml is installed editable: freeze its source now, so that edits made to src/ while the
    # benchmark runs (hours) neither change nor break what is measured.
    with tempfile.TemporaryDirectory(prefix="quality-shipml-src-") as snapshot:
        shutil.copytree(ROOT / "src" / "shipml", Path(snapshot) / "shipml",
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
        args.snapshot_env = {"PYTHONPATH": snapshot}
        for dataset in datasets:
            table = qd.load(dataset, ROOT)
            print(f"{dataset.name}: {len(table)} rows, {dataset.task}, {dataset.metric}",
                  flush=True)  # fmt: skip
            for seed in range(args.seeds):
                one_split(dataset, table, seed, args, pythons, versions, out)
    meta["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta["wall_minutes"] = round((time.monotonic() - started) / 60, 1)
    out.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    csv = args.report or run_benchmark(args)
    report = qr.render(csv, ROOT)
    print(report)
    if args.write_readme:
        qr.write_readme(BENCH / "README.md", report)
        print(f"updated {BENCH / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
