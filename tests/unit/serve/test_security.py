"""API keys, request ids, model references and the body size limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shipml.core.errors import ShipmlError
from shipml.serve.security import (
    ApiKeys,
    Gate,
    is_loopback,
    load_api_keys,
    parse_model_ref,
    request_id,
)

from .conftest import run_async


def test_keys_from_env_and_file(tmp_path: Path) -> None:
    file = tmp_path / "keys"
    file.write_text("# ops team\nk2\n\n k3 \n")
    assert load_api_keys(file, {"SHIPML_API_KEYS": "k1, ,k4"}) == ["k1", "k4", "k2", "k3"]
    assert load_api_keys(None, {}) == []
    with pytest.raises(ShipmlError, match="no API key file"):
        load_api_keys(tmp_path / "missing", {})


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n  # another\n", "   \n"])
def test_a_key_file_without_keys_fails_closed(tmp_path: Path, text: str) -> None:
    file = tmp_path / "keys"
    file.write_text(text)
    with pytest.raises(ShipmlError, match="holds no key") as caught:
        load_api_keys(file, {})
    assert caught.value.where == "--api-key-file"


@pytest.mark.parametrize("value", ["", " ", " , ", ",,,"])
def test_a_blank_key_variable_fails_closed(value: str) -> None:
    with pytest.raises(ShipmlError, match="holds no key") as caught:
        load_api_keys(None, {"SHIPML_API_KEYS": value})
    assert caught.value.where == "SHIPML_API_KEYS"


def test_loopback_hosts() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.8.0.2", "localhost", "::1", "[::1]"]))
    assert not any(map(is_loopback, ["0.0.0.0", "10.0.0.5", "::", "example.org", ""]))


def test_keys_are_checked() -> None:
    keys = ApiKeys(["alpha", "beta"])
    assert keys.enabled
    assert keys.allows(None, "beta")
    assert keys.allows("Bearer alpha", None)
    assert keys.allows("bearer alpha", None)
    assert not keys.allows("Bearer gamma", None)
    assert not keys.allows("alpha", None)
    assert not keys.allows(None, None)
    assert not keys.allows(None, "")
    assert ApiKeys([]).allows(None, None)


def test_request_ids() -> None:
    assert request_id("abc-123:x") == "abc-123:x"
    fresh = {request_id(None) for _ in range(100)}
    assert len(fresh) == 100
    assert request_id("bad id with spaces") not in ("bad id with spaces",)
    assert len(request_id("x" * 65)) == 26


@pytest.mark.parametrize("text", ["../etc/passwd", "a/../b", "..", "a..b", "/abs", "x/y/z", ""])
def test_model_references_cannot_traverse(text: str) -> None:
    with pytest.raises(ShipmlError):
        parse_model_ref(text)


def test_model_references() -> None:
    assert str(parse_model_ref("churn")) == "churn@champion"
    assert parse_model_ref("churn/3").version == "3"
    assert parse_model_ref("churn@challenger").alias == "challenger"


async def _call(app: Any, headers: list, chunks: list[bytes]) -> tuple[int, bytes]:
    messages = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": headers}
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def test_body_limit_declared_and_streamed() -> None:
    rejected: list[str] = []
    app = Gate(_echo, max_bytes=lambda: 10, on_reject=rejected.append)
    small = run_async(_call(app, [(b"content-length", b"5")], [b"hello"]))
    assert small == (200, b"hello")
    status, body = run_async(_call(app, [(b"content-length", b"11")], [b"x" * 11]))
    assert status == 413
    assert b"too_large" in body
    assert run_async(_call(app, [], [b"12345", b"678"])) == (200, b"12345678")
    assert run_async(_call(app, [], [b"123456", b"78901"]))[0] == 413
    assert run_async(_call(app, [(b"content-length", b"ten")], [b""]))[0] == 400
    assert rejected == ["too_large", "too_large"]


@pytest.mark.parametrize(
    "headers",
    [
        [(b"x-api-key", b"a"), (b"x-api-key", b"b")],
        [(b"authorization", b"Bearer a"), (b"authorization", b"Bearer b")],
        [(b"x-api-key", b"a"), (b"x-api-key", b"a")],
    ],
)
def test_two_keys_in_one_request_are_refused(headers: list) -> None:
    rejected: list[str] = []
    app = Gate(_echo, max_bytes=lambda: 100, on_reject=rejected.append)
    status, body = run_async(_call(app, headers, [b"{}"]))
    assert (status, rejected) == (400, ["bad_request"])
    assert b"one X-API-Key or one Authorization" in body
    one_each = [(b"x-api-key", b"a"), (b"authorization", b"Bearer a")]
    assert run_async(_call(app, one_each, [b"{}"]))[0] == 200
