"""Serve: API keys, the request size limit, safe request ids and model references.

Keys come from SHIPML_API_KEYS (comma-separated) and/or a file (one per line, `#` comments).
Authentication fails closed: a variable or file that yields no key is an error at start, and a
server without keys runs only when asked for explicitly (`--no-auth`, loopback unless
`--allow-open`). A request presents a key as `Authorization: Bearer KEY` or `X-API-Key: KEY`;
keys are compared as SHA-256 digests in constant time. `Gate` runs before any route: it answers
400 to a request that carries two keys (two X-API-Key or Authorization headers: which one would
count is ambiguous) and 413 to a body over the size limit.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import itertools
import os
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import orjson

from shipml.core.errors import ShipmlError
from shipml.registry.models import ModelRef

KEYS_ENV = "SHIPML_API_KEYS"
_PREFIX = uuid.uuid4().hex[:16]
_COUNTER = itertools.count(1)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def load_api_keys(file: Path | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    """The keys of the variable and the file; a source that is given but holds no key is an
    error, never an open server."""
    env = os.environ if env is None else env
    keys: list[str] = []
    if KEYS_ENV in env:
        keys = [k.strip() for k in env[KEYS_ENV].split(",") if k.strip()]
        if not keys:
            raise ShipmlError(
                f"{KEYS_ENV} is set but holds no key",
                where=KEYS_ENV,
                fix="put one or more comma-separated keys in it, or unset it",
            )
    if file is not None:
        keys += _file_keys(file)
    return keys


def _file_keys(file: Path) -> list[str]:
    if not file.is_file():
        raise ShipmlError(f"no API key file at {file}", where="--api-key-file")
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ShipmlError(
            f"the API key file {file} cannot be read ({type(exc).__name__})",
            where="--api-key-file",
            fix="write one key per line in UTF-8 text",
        ) from None
    found = [s.strip() for s in lines if s.strip() and not s.strip().startswith("#")]
    if not found:
        raise ShipmlError(
            f"the API key file {file} holds no key (only blank or # lines)",
            where="--api-key-file",
            fix="write one key per line",
        )
    return found


def is_loopback(host: str) -> bool:
    """True for addresses only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ApiKeys:
    def __init__(self, keys: Iterable[str]) -> None:
        self._digests = [hashlib.sha256(k.encode()).digest() for k in keys]

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    def allows(self, authorization: str | None, api_key: str | None) -> bool:
        if not self._digests:
            return True
        presented = api_key
        if presented is None and authorization and authorization[:7].lower() == "bearer ":
            presented = authorization[7:].strip()
        if not presented:
            return False
        digest = hashlib.sha256(presented.encode()).digest()
        found = False
        for known in self._digests:  # no early exit: the time does not tell which key is close
            found |= hmac.compare_digest(digest, known)
        return found


def request_id(header: str | None) -> str:
    """The caller's X-Request-ID when it is short and plain; a fresh one otherwise: a random
    per-process prefix and a counter (no system call per request, unlike uuid4)."""
    if header and _REQUEST_ID.match(header):
        return header
    return f"{_PREFIX}{next(_COUNTER):010x}"


def parse_model_ref(text: str) -> ModelRef:
    """A model reference; names are letters, digits and . _ - (no paths, no traversal)."""
    ref = ModelRef.parse(text)
    if ".." in ref.name:
        raise ShipmlError(f"{text!r} is not a model reference", fix="a name has no '..'")
    return ref


def error_body(kind: str, message: str, rid: str) -> bytes:
    return orjson.dumps({"error": kind, "message": message, "request_id": rid, "detail": []})


class Gate:
    """ASGI middleware before every route: 400 for two keys in one request, 413 for a body over
    the size limit (declared or streamed). `max_bytes` is read per request, so a reload that
    changes the schema changes the limit."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: Callable[[], int],
        on_reject: Callable[[str], None] | None = None,
    ) -> None:
        self.app, self.limit, self.on_reject = app, max_bytes, on_reject

    @property
    def max_bytes(self) -> int:
        return self.limit()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        keys = 0
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"x-api-key" or name == b"authorization":
                keys += 1
        if keys > 1 and _two_of_a_kind(scope["headers"]):
            if self.on_reject is not None:
                self.on_reject("bad_request")
            await _reply(send, 400, "bad_request", "send one X-API-Key or one Authorization header")
            return
        if length is not None:
            if not length.isdigit():
                await _reply(send, 400, "bad_request", "Content-Length is not a number")
            elif int(length) > self.limit():
                await self._reject(send)
            else:
                await self.app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        await self._buffered(scope, receive, send)

    async def _buffered(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A streamed (chunked) body: read it up to the limit, then replay it to the app."""
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.limit():
                await self._reject(send)
                return
        body, sent = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _reject(self, send: Send) -> None:
        if self.on_reject is not None:
            self.on_reject("too_large")
        await _reply(send, 413, "too_large", f"the request body is over {self.limit()} bytes")


def _two_of_a_kind(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    names = [n for n, _ in headers if n in (b"x-api-key", b"authorization")]
    return names.count(b"x-api-key") > 1 or names.count(b"authorization") > 1


async def _reply(send: Send, status: int, kind: str, message: str) -> None:
    body = error_body(kind, message, request_id(None))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
