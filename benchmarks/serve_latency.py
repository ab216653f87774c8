"""Benchmark: serving latency and throughput, from the raw model to HTTP, in one run.

    .venv/bin/python benchmarks/serve_latency.py [--duration 60] [--phase-seconds 10]

1. trains the model here: a synthetic 30-feature table (24 numeric, 4 categorical, 2 boolean;
   20k rows) through `shipml.train` with a small budget and a LightGBM-only ladder (500 trees
   x 31 leaves), in a temporary SHIPML_HOME, so it runs on a clean machine;
2. the raw floor: that model on a prepared numpy row, through the booster and ONNX Runtime;
3. shipml's in-process single-record path (`CompiledModel.predict_record` on a dict);
4. HTTP with Debian's `wrk` (a compiled load generator; a Lua script posts the body) at 1 and
   16 connections, against `shipml serve` (prediction log and metrics on) and against a no-op
   FastAPI endpoint on the same uvicorn settings;
5. a bounded load (16 connections for --duration seconds) against a fresh server, then a
   graceful shutdown, and a count of the log's rows against wrk's and the server's counts.

Targets: in-process p95 <= 2x the raw floor (same engine); HTTP p50 <= 1 ms at 1 connection;
throughput at 16 connections >= 50% of the no-op floor; the bounded load without errors and
with every prediction in the log. Missing `wrk`: `make system-deps`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
from train_scale import synthetic

NAME = "serve-bench"
KEY = "serve-bench-key"  # the server runs as in production: with a key
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "%s"
wrk.body = [[%s]]
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "seconds": %%.3f, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"errors": %%d, "non2xx": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""
NOOP_APP = """
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response
app = FastAPI()
@app.post("/noop")
async def noop(request: Request) -> Response:
    await request.body()
    return Response(b'{"ok":true}', media_type="application/json")
uvicorn.run(app, host="127.0.0.1", port=%d, loop="uvloop", http="httptools",
            access_log=False, log_level="warning")
"""


def train_model(home: Path) -> None:
    import shipml

    folder = home / "spec"
    folder.mkdir(parents=True)
    synthetic(20_000).to_parquet(folder / "data.parquet")
    spec = {
        "name": NAME,
        "data": {"train": "data.parquet"},
        "target": {"column": "target", "positive": "yes"},
        "validation": {"folds": 3},
        "constraints": {"n_trials": 2},
        "models": {
            "ladder": ["lightgbm"],
            "params": {"lightgbm": {"n_estimators": 500, "num_leaves": 31}},
        },
        "seed": 1,
    }
    result = shipml.train(_write(folder, spec))
    print(f"trained {result.selection.champion} in {result.seconds:.0f} s", flush=True)


def _write(folder: Path, spec: dict[str, Any]) -> Path:
    import yaml

    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def timings(fn: Any, n: int, warmup: int = 500) -> np.ndarray:
    for i in range(warmup):
        fn(i)
    out = np.empty(n)
    clock = time.perf_counter_ns
    for i in range(n):
        t = clock()
        fn(i)
        out[i] = clock() - t
    return out / 1000.0  # microseconds


def pct(us: np.ndarray) -> tuple[float, float, float]:
    p50, p95, p99 = np.percentile(us, [50, 95, 99])
    return float(p50), float(p95), float(p99)


def in_process(records: list[dict[str, Any]], n: int) -> dict[str, tuple[float, float, float]]:
    """The four single-row paths, measured in interleaved rounds so that a change in the
    machine's load (other processes) falls on all of them alike."""
    from shipml.registry.models import ModelRef, load_registered
    from shipml.runtime.compiled import CompiledModel

    bundle, _ = load_registered(ModelRef.parse(NAME))
    onnx, native = CompiledModel(bundle.model, "onnx"), CompiledModel(bundle.model, "native")
    # The floor scores the same records, prepared beforehand: one numpy row each.
    rows = [np.array([native.row(r)[0]], dtype=np.float64) for r in records]
    rows32 = [r.astype(np.float32) for r in rows]
    booster = native.engine.estimator.booster  # type: ignore[attr-defined]
    session, inp = onnx.engine.session, onnx.engine.input_name  # type: ignore[attr-defined]
    k = len(records)
    paths = {
        "raw floor: booster on a numpy row": lambda i: booster.predict(rows[i % k], num_threads=1),
        "raw floor: ONNX Runtime on a float32 row": lambda i: session.run(
            ["probabilities"], {inp: rows32[i % k]}
        ),
        "shipml in-process, onnx engine": lambda i: onnx.predict_record(records[i % k]),
        "shipml in-process, native engine": lambda i: native.predict_record(records[i % k]),
    }
    gc.collect()
    gc.freeze()  # as the server does after loading: training's heap is not scanned per call
    samples: dict[str, list[np.ndarray]] = {name: [] for name in paths}
    rounds = 20
    for _ in range(rounds):
        for name, fn in paths.items():
            samples[name].append(timings(fn, n // rounds, warmup=100))
    return {name: pct(np.concatenate(parts)) for name, parts in samples.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} not ready in {seconds} s")


def start_shipml(home: Path, log_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    exe = str(Path(sys.executable).with_name("shipml"))
    cmd = [exe, "serve", NAME, "--port", str(port), "--log-dir", str(log_dir)]
    env = os.environ | {"SHIPML_HOME": str(home), "SHIPML_API_KEYS": KEY}
    proc = subprocess.Popen(cmd, env=env)
    wait_ready(f"http://127.0.0.1:{port}/readyz", proc)
    return proc, port


def start_noop() -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", NOOP_APP % port])
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.2)
    raise SystemExit("the no-op server did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)  # uvicorn's graceful shutdown: the log is closed
    proc.wait(timeout=120)


def wrk(url: str, lua: Path, connections: int, seconds: int) -> dict[str, float]:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(lua), url]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
    found: dict[str, float] = json.loads(line[4:])
    found["rps"] = found["requests"] / found["seconds"]
    return found


def server_count(port: int) -> float:
    url = f"http://127.0.0.1:{port}/metrics"
    request = urllib.request.Request(url, headers={"X-API-Key": KEY})
    with urllib.request.urlopen(request, timeout=5) as r:
        text = r.read().decode()
    key = 'shipml_requests_total{endpoint="/v1/predict",status="200"}'
    return sum(float(x.split()[-1]) for x in text.splitlines() if x.startswith(key))


def log_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in folder.glob("*.parquet"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="bounded load, seconds")
    parser.add_argument("--phase-seconds", type=int, default=10, help="each wrk latency run")
    parser.add_argument("--samples", type=int, default=20_000, help="in-process calls")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is missing: install it with `make system-deps` (Debian's wrk package)"
        )
    home = Path(tempfile.mkdtemp(prefix="shipml-serve-bench-"))
    os.environ["SHIPML_HOME"] = str(home)
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    try:
        run(home, args)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(home: Path, args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores; load average {_load()} (other processes share it)")
    train_model(home)
    frame = synthetic(1000, seed=5).drop(columns="target")
    records = [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]
    results = in_process(records, args.samples)
    lua = home / "post.lua"
    lua.write_text(LUA % (KEY, json.dumps(records[0])), encoding="utf-8")
    noop, noop_port = start_noop()
    shipml_proc, port = start_shipml(home, home / "log-latency")
    http: dict[str, dict[str, float]] = {}
    try:
        for c in (1, 16):
            http[f"no-op FastAPI, {c} conn"] = wrk(
                f"http://127.0.0.1:{noop_port}/noop", lua, c, args.phase_seconds
            )
            http[f"shipml /v1/predict, {c} conn"] = wrk(
                f"http://127.0.0.1:{port}/v1/predict", lua, c, args.phase_seconds
            )
    finally:
        stop(noop)
        stop(shipml_proc)
    load_dir = home / "log-load"
    proc, port = start_shipml(home, load_dir)
    try:
        load = wrk(f"http://127.0.0.1:{port}/v1/predict", lua, 16, args.duration)
        served = server_count(port)
    finally:
        stop(proc)
    report(results, http, load, served, log_rows(load_dir), args.duration)


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _plain(v: Any) -> Any:
    if isinstance(v, float) and v != v:
        return None
    return v.item() if hasattr(v, "item") else v


def report(
    inproc: dict[str, tuple[float, float, float]],
    http: dict[str, dict[str, float]],
    load: dict[str, float],
    served: float,
    rows: int,
    duration: int,
) -> None:
    print("\nsingle record, in process (microseconds)")
    print(f"  {'path':46} {'p50':>8} {'p95':>8} {'p99':>8}")
    for name, (p50, p95, p99) in inproc.items():
        print(f"  {name:46} {p50:8.1f} {p95:8.1f} {p99:8.1f}")
    print("\nHTTP over loopback, wrk -t1 (milliseconds; requests per second)")
    print(f"  {'target':32} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>8} {'errors':>7}")
    for name, r in http.items():
        errors = int(r["errors"] + r["non2xx"])
        print(
            f"  {name:32} {r['p50'] / 1000:7.3f} {r['p95'] / 1000:7.3f} {r['p99'] / 1000:7.3f}"
            f" {r['rps']:8.0f} {errors:7d}"
        )
    onnx_ratio = (
        inproc["shipml in-process, onnx engine"][1]
        / inproc["raw floor: ONNX Runtime on a float32 row"][1]
    )
    native_ratio = (
        inproc["shipml in-process, native engine"][1]
        / inproc["raw floor: booster on a numpy row"][1]
    )
    p50_1 = http["shipml /v1/predict, 1 conn"]["p50"] / 1000
    share = http["shipml /v1/predict, 16 conn"]["rps"] / http["no-op FastAPI, 16 conn"]["rps"]
    errors = int(load["errors"] + load["non2xx"])
    complete = rows == served and rows >= load["requests"]
    print(f"\nbounded load: 16 connections for {duration} s")
    print(
        f"  wrk: {int(load['requests'])} requests ({load['rps']:.0f}/s), {errors} errors; "
        f"server: {int(served)} answered 200; prediction log: {rows} rows"
    )
    print(f"\nload average at the end: {_load()}")
    print("\ntargets")
    _verdict(f"in-process p95 / raw floor, ONNX engine = {onnx_ratio:.2f} (<= 2)", onnx_ratio <= 2)
    _verdict(
        f"in-process p95 / raw floor, native engine = {native_ratio:.2f} (<= 2)", native_ratio <= 2
    )
    _verdict(f"HTTP p50 at 1 connection = {p50_1:.3f} ms (<= 1 ms)", p50_1 <= 1.0)
    _verdict(
        f"throughput at 16 connections = {share:.0%} of the no-op floor (>= 50%)", share >= 0.5
    )
    _verdict(f"bounded load: {errors} errors, every prediction in the log", not errors and complete)


def _verdict(text: str, ok: bool) -> None:
    print(f"  [{'PASS' if ok else 'FAIL'}] {text}")


if __name__ == "__main__":
    main()
