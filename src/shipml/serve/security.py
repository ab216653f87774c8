"""Serve: API keys, the request size limit, safe request ids and model references.

Keys come from SHIPML_API_KEYS (comma-separated) and/or a file (one per line, `#` comments);
with none, the server is open (bind it to 127.0.0.1). A request presents one as
`Authorization: Bearer KEY` or `X-API-Key: KEY`; keys are compared as SHA-256 digests in
constant time. The size limit runs before any route reads the body.
"""

from __future__ import annotations

import hashlib
import hmac
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
    env = os.environ if env is None else env
    keys = [k.strip() for k in env.get(KEYS_ENV, "").split(",") if k.strip()]
    if file is not None:
        if not file.is_file():
            raise ShipmlError(f"no API key file at {file}", where="--api-key-file")
        lines = file.read_text(encoding="utf-8").splitlines()
        keys += [s.strip() for s in lines if s.strip() and not s.strip().startswith("#")]
    return keys


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


class BodyLimit:
    """ASGI middleware: 413 for a body over `max_bytes`, declared or streamed."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, on_reject: Callable[[], None] | None = None
    ) -> None:
        self.app, self.max_bytes, self.on_reject = app, max_bytes, on_reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
                break
        if length is not None:
            if not length.isdigit():
                await _reply(send, 400, "bad_request", "Content-Length is not a number")
            elif int(length) > self.max_bytes:
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
            if size > self.max_bytes:
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
            self.on_reject()
        await _reply(send, 413, "too_large", f"the request body is over {self.max_bytes} bytes")


async def _reply(send: Send, status: int, kind: str, message: str) -> None:
    body = error_body(kind, message, request_id(None))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
