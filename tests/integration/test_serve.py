"""The real server: `shipml serve` (uvicorn) in a subprocess on 127.0.0.1, called over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

import shipml
from shipml.batch import predict_file
from shipml.cli import app

from .conftest import make_table, write_spec
from .test_registry_history import register

SHIPML = str(Path(sys.executable).with_name("shipml"))
KEY = "test-key-123"
runner = CliRunner()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(home: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    port = free_port()
    env = os.environ | {"SHIPML_HOME": str(home)} | (env or {})
    env.pop("MLFLOW_TRACKING_URI", None)
    cmd = [SHIPML, "serve", *args, "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None:
                raise AssertionError(proc.stdout.read().decode() if proc.stdout else "exited")
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)  # a graceful shutdown: the log is closed
        proc.wait(timeout=60)


def as_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        record = {}
        for k, v in row.items():
            if isinstance(v, pd.Timestamp):
                v = v.isoformat()
            elif isinstance(v, float) and np.isnan(v):
                v = None
            elif hasattr(v, "item"):
                v = v.item()
            record[k] = v
        out.append(record)
    return out


def batch_scores(ref: str, frame: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """What `shipml predict` (the batch path, native engine) writes for these rows."""
    data, out = folder / "score.parquet", folder / "scored.parquet"
    frame.to_parquet(data)
    predict_file(ref, data, out)
    return pd.read_parquet(out)


@pytest.fixture(scope="module")
def shop_server(
    trained: shipml.TrainingResult, home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    assert trained.registered is not None
    keys = tmp_path_factory.mktemp("keys") / "keys.txt"
    keys.write_text(f"# serving keys\n{KEY}\n")
    ref = f"shop/{trained.registered.version}"
    log = tmp_path_factory.mktemp("shop-log")
    with server(home, ref, "--api-key-file", str(keys), "--log-dir", str(log)) as url:
        yield url, ref


def post(url: str, path: str, body: Any, **kw: Any) -> httpx.Response:
    headers = {"x-api-key": KEY} | kw.pop("headers", {})
    return httpx.post(f"{url}{path}", json=body, headers=headers, timeout=30, **kw)


def test_answers_equal_the_batch_path(shop_server: tuple[str, str], tmp_path: Path) -> None:
    url, ref = shop_server
    frame = make_table(40, seed=5).drop(columns=["bought"])
    frame.loc[:2, "colour"] = "purple"
    records = as_records(frame)
    want = batch_scores(ref, frame, tmp_path)
    batch = post(url, "/v1/predict/batch", {"records": records}).json()["predictions"]
    single = [post(url, "/v1/predict", r).json() for r in records[:10]]
    got = np.array([p["probabilities"]["yes"] for p in batch])
    np.testing.assert_allclose(got, want["proba_yes"], rtol=0, atol=1e-6)
    one = np.array([p["probabilities"]["yes"] for p in single])
    np.testing.assert_allclose(one, want["proba_yes"][:10], rtol=0, atol=1e-6)
    assert [p["decision"] for p in batch] == list(want["prediction"])
    assert single[0]["warnings"] == [
        "colour: a category never seen in training; scored as the unknown bucket"
    ]
    assert single[0]["model_version"] == ref.split("/")[1]
    metrics = httpx.get(f"{url}/metrics", headers={"x-api-key": KEY}).text
    assert 'shipml_unseen_categories_total{column="colour"}' in metrics
    assert 'shipml_predictions_total{decision="yes"' in metrics


def test_bad_requests_get_field_level_4xx(shop_server: tuple[str, str]) -> None:
    url, _ = shop_server
    good = as_records(make_table(1, seed=2).drop(columns=["bought"]))[0]
    cases = {
        "missing": {k: v for k, v in good.items() if k != "x1"},
        "wrong type": good | {"x1": "high"},
        "unknown field": good | {"shoe_size": 44},
    }
    fields = {"missing": "x1", "wrong type": "x1", "unknown field": "shoe_size"}
    for name, body in cases.items():
        r = post(url, "/v1/predict", body)
        assert r.status_code == 422, name
        assert fields[name] in [d["field"] for d in r.json()["detail"]], name
    empty = httpx.post(
        f"{url}/v1/predict",
        content=b"",
        headers={"x-api-key": KEY, "content-type": "application/json"},
    )
    assert empty.status_code == 422
    huge = httpx.post(
        f"{url}/v1/predict",
        content=b"{" + b" " * (3 << 20),
        headers={"x-api-key": KEY, "content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert post(url, "/v1/predict", good, headers={"x-api-key": "wrong"}).status_code == 401
    assert httpx.post(f"{url}/v1/predict", json=good).status_code == 401
    for r in (empty, huge):
        assert "Traceback" not in r.text
        assert r.json()["request_id"]


def test_schemathesis_finds_no_server_errors(shop_server: tuple[str, str], tmp_path: Path) -> None:
    url, _ = shop_server
    st = str(Path(sys.executable).with_name("schemathesis"))
    cmd = [
        st, "run", f"{url}/openapi.json", "--checks", "not_a_server_error",
        "--max-examples", "50", "--header", f"X-API-Key: {KEY}", "--seed", "1",
        "--generation-database", "none", "--phases", "examples,coverage,fuzzing",
        "--workers", "1", "--no-color",
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_cli_refuses_bad_references(home: Path) -> None:
    keys = {"SHIPML_API_KEYS": KEY}
    assert runner.invoke(app, ["serve", "../etc/passwd"], env=keys).exit_code == 2
    result = runner.invoke(app, ["serve", "no-such-model"], env=keys)
    assert result.exit_code == 2
    assert "no-such-model" in result.output


@pytest.fixture(scope="module")
def gbm(home: Path, tmp_path_factory: pytest.TempPathFactory) -> shipml.TrainingResult:
    """A LightGBM champion (served through ONNX Runtime) without a datetime column."""
    folder = tmp_path_factory.mktemp("gbm")
    table = make_table(600, seed=4).drop(columns=["day"])
    spec = write_spec(
        folder,
        table,
        name="serve-gbm",
        models={"ladder": ["lightgbm"]},
        constraints={"n_trials": 2},
    )
    return shipml.train(spec)


def test_export_onnx_is_verified(gbm: shipml.TrainingResult, tmp_path: Path) -> None:
    out = tmp_path / "gbm.onnx"
    result = runner.invoke(
        app, ["export", "serve-gbm", "--format", "onnx", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["max_abs_diff"] <= 1e-4
    assert "x1" in report["inputs"]
    assert out.stat().st_size > 0


class Traffic(threading.Thread):
    """Requests sent without pause while the test moves aliases and the server reloads."""

    def __init__(self, url: str, record: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.url, self.record = url, record
        self.stop = threading.Event()
        self.statuses: list[int] = []
        self.versions: list[str] = []

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.stop.is_set():
                try:
                    r = client.post(f"{self.url}/v1/predict", json=self.record)
                except httpx.HTTPError:
                    self.statuses.append(-1)  # a dropped request
                    return
                self.statuses.append(r.status_code)
                if r.status_code == 200:
                    self.versions.append(r.json()["model_version"])


def test_rollback_reloads_without_dropping_requests(
    gbm: shipml.TrainingResult, home: Path, tmp_path: Path
) -> None:
    assert gbm.registered is not None
    assert gbm.registered.alias == "champion"
    v1 = gbm.registered.version
    v2 = register(gbm.bundle_dir, 0.999, name="serve-gbm").version
    frame = make_table(30, seed=8).drop(columns=["day", "bought"])
    records = as_records(frame)
    log = tmp_path / "log"
    with server(
        home, "serve-gbm", "--no-auth", "--poll-seconds", "0.5", "--log-dir", str(log)
    ) as url:
        info = httpx.get(f"{url}/v1/model").json()
        assert (info["version"], info["engine"]) == (v1, "onnx")
        want = batch_scores(f"serve-gbm/{v1}", frame, tmp_path)
        got = httpx.post(f"{url}/v1/predict/batch", json={"records": records}).json()
        scores = [p["probabilities"]["yes"] for p in got["predictions"]]
        np.testing.assert_allclose(scores, want["proba_yes"], rtol=0, atol=1e-4)
        traffic = Traffic(url, records[0])
        traffic.start()
        code = runner.invoke(
            app, ["promote", "serve-gbm", v2, "--reason", "better", "--force"]
        ).exit_code
        assert code == 0
        reloaded = httpx.post(f"{url}/admin/reload").json()  # polling may have been first
        assert reloaded["version"] == v2
        assert httpx.post(f"{url}/v1/predict", json=records[0]).json()["model_version"] == v2
        assert runner.invoke(app, ["rollback", "serve-gbm"]).exit_code == 0
        deadline = time.time() + 30  # polling picks the rollback up, no admin call
        while httpx.get(f"{url}/v1/model").json()["version"] != v1:
            assert time.time() < deadline
            time.sleep(0.2)
        time.sleep(0.3)
        traffic.stop.set()
        traffic.join()
    assert traffic.statuses
    assert set(traffic.statuses) == {200}
    assert {v1, v2} <= set(traffic.versions)
    history = runner.invoke(app, ["models", "history", "serve-gbm", "--json"])
    moves = [(m["from_version"], m["to_version"], m["action"]) for m in json.loads(history.stdout)]
    assert (v1, v2, "promote") in moves
    assert (v2, v1, "rollback") in moves
    rows = sum(pq.read_metadata(f).num_rows for f in log.glob("*.parquet"))
    assert rows == len(traffic.statuses) + len(records) + 1


def test_the_spec_deploy_section_sets_canary_and_shadow(
    trained: shipml.TrainingResult, tmp_path: Path
) -> None:
    from shipml.registry.bundle import read_manifest, write_manifest
    from shipml.registry.models import ModelRef
    from shipml.serve.loading import ServeOptions, load_snapshot

    bundle = tmp_path / "bundle"
    shutil.copytree(trained.bundle_dir, bundle)
    spec = bundle / "evaluation" / "spec.yaml"
    deploy = {
        "canary": {"alias": "challenger", "percent": 25},
        "shadow": {"alias": "challenger"},
        "pii_mask": ["customer_id"],
        "strict": True,
    }
    spec.write_text(spec.read_text() + yaml.safe_dump({"deploy": deploy}))
    write_manifest(bundle, read_manifest(bundle).body())
    ref = ModelRef.parse("split-shop")
    register(bundle, 0.8, name="split-shop")
    alone = load_snapshot(ref, ServeOptions(engine="native"), None)
    assert alone.traffic.describe() == {}
    assert alone.notes == (
        "canary off: split-shop has no @challenger",
        "shadow off: split-shop has no @challenger",
    )
    assert alone.strict
    assert [c for c, _, masked in alone.layout.columns if masked] == ["customer_id"]
    register(bundle, 0.7, name="split-shop")
    both = load_snapshot(ref, ServeOptions(engine="native"), alone)
    assert both.traffic.describe() == {
        "canary": {"alias": "challenger", "version": "2", "percent": 25.0},
        "shadow": {"alias": "challenger", "version": "2"},
    }
    assert both.champion.compiled is alone.champion.compiled  # v1 reused, not reloaded
