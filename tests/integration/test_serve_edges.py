"""The real server's hard edges: it never starts open by mistake, and slow clients hold nothing."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import shipml
from shipml.cli import app

from .test_serve import KEY, server

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--api-key-file", "{empty}"], {}, "holds no key"),
        (["--api-key-file", "{comments}"], {}, "holds no key"),
        ([], {"SHIPML_API_KEYS": " , "}, "SHIPML_API_KEYS is set but holds no key"),
        ([], {"SHIPML_API_KEYS": ""}, "SHIPML_API_KEYS is set but holds no key"),
        ([], {}, "does not serve without authentication"),
        (["--no-auth", "--host", "0.0.0.0"], {}, "would let any machine"),
        (["--no-auth", "--host", "10.1.2.3"], {}, "would let any machine"),
        (["--no-auth"], {"SHIPML_API_KEYS": KEY}, "--no-auth was given while API keys"),
        (["--allow-open"], {"SHIPML_API_KEYS": KEY}, "only applies with --no-auth"),
    ],
)
def test_serve_refuses_to_start_open(
    home: Path, tmp_path: Path, args: list[str], env: dict[str, str], says: str
) -> None:
    (tmp_path / "empty").write_text("")
    (tmp_path / "comments").write_text("# the ops team's keys\n\n   # none yet\n")
    args = [a.format(empty=tmp_path / "empty", comments=tmp_path / "comments") for a in args]
    started = time.perf_counter()
    result = runner.invoke(app, ["serve", "shop", *args], env={"SHIPML_API_KEYS": None} | env)
    assert result.exit_code == 2, result.output
    assert says in " ".join(result.output.split())
    assert time.perf_counter() - started < 5  # refused before any model is loaded or bound


def _partial(port: int, payload: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(payload)
    return s


def _closed(s: socket.socket) -> bool:
    s.settimeout(0.5)
    try:
        return s.recv(1024) == b""
    except (TimeoutError, BlockingIOError):
        return False
    except OSError:
        return True


@pytest.mark.slow
def test_slow_clients_are_cut_off(
    trained: shipml.TrainingResult, home: Path, tmp_path: Path
) -> None:
    assert trained.registered is not None
    ref = f"shop/{trained.registered.version}"
    args = ["--read-timeout", "2", "--log-dir", str(tmp_path / "log")]
    with server(home, ref, *args, env={"SHIPML_API_KEYS": KEY}) as url:
        port = int(url.rsplit(":", 1)[1])
        head = b"POST /v1/predict HTTP/1.1\r\nHost: x\r\nX-API-Key: " + KEY.encode()
        stalled = [_partial(port, head) for _ in range(100)]  # headers never finished
        body = head + b"\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"
        stalled += [_partial(port, body) for _ in range(80)]  # a body that never comes
        stalled += [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]  # silent
        started = time.perf_counter()
        answer = httpx.get(f"{url}/healthz", timeout=5)
        assert answer.status_code == 200
        assert time.perf_counter() - started < 1.0
        time.sleep(4.0)
        still_open = sum(not _closed(s) for s in stalled)
        for s in stalled:
            s.close()
        assert still_open == 0
        again = httpx.get(f"{url}/v1/model", headers={"x-api-key": KEY}, timeout=5)
        assert again.status_code == 200
