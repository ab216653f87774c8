"""Serve: the two predict routes as plain ASGI endpoints, the hot path of the server.

They read the body bytes and answer bytes, skipping FastAPI's dependency solving and
Starlette's Request and Response objects: about a third of a no-op FastAPI route's cost per
request, the budget the model itself needs. They still sit in the FastAPI app's router (405 for
another method, 404 elsewhere), and `openapi.py` documents them from the generated models.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import orjson
from starlette.concurrency import run_in_threadpool

from shipml.serve.handlers import ApiError, Services
from shipml.serve.security import Receive, Scope, Send, request_id

log = logging.getLogger("shipml.serve")
Handler = Callable[[Services, bytes, str, bool, float], dict[str, Any]]
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}
_JSON = (b"content-type", b"application/json")
THREAD_BODY_BYTES = 256 << 10


class PredictEndpoint:
    def __init__(self, services: Services, handler: Handler, path: str) -> None:
        self.s, self.handler, self.path = services, handler, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        s = self.s
        rid_header = key = authorization = content_type = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                rid_header = value.decode("latin-1")
            elif name == b"x-api-key":
                key = value.decode("latin-1")
            elif name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value
        rid = request_id(rid_header)
        try:
            if not s.keys.allows(authorization, key):
                raise ApiError(401, "unauthorized", "send a valid key: X-API-Key or Bearer")
            if not is_json(content_type):
                raise ApiError(415, "unsupported_media_type", "send Content-Type: application/json")
            explain = parse_explain(scope.get("query_string", b""))
            body = await read_body(receive)
            if body is None:  # the client left (or was cut off) before its body arrived
                return
            if len(body) > THREAD_BODY_BYTES:  # a big batch: score it off the event loop
                args = (s, body, rid, explain, started)
                payload, status = await run_in_threadpool(self.handler, *args), 200
            else:
                payload, status = self.handler(s, body, rid, explain, started), 200
        except ApiError as exc:
            s.metrics.error(exc.kind)
            payload, status = exc.payload(rid), exc.status
        except Exception:
            log.exception("request %s failed", rid)  # the traceback stays in the server log
            s.metrics.error("internal")
            error = ApiError(500, "internal", "the server failed; the request id is in its log")
            payload, status = error.payload(rid), 500
        data = orjson.dumps(payload)
        headers = [_JSON, (b"content-length", b"%d" % len(data)), (b"x-request-id", rid.encode())]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})
        s.metrics.observe(self.path, status, time.perf_counter() - started)


def is_json(content_type: bytes | None) -> bool:
    """application/json, with parameters (charset=utf-8) or as a +json suffix type."""
    if content_type is None:
        return False
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (
        media.startswith(b"application/") and media.endswith(b"+json")
    )


async def read_body(receive: Receive) -> bytes | None:
    """The whole body, or None when the connection closed before it was complete."""
    message = await receive()
    if message["type"] == "http.disconnect":
        return None
    body = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    while message.get("more_body", False):
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
    return b"".join(chunks)


def parse_explain(query: bytes) -> bool:
    if not query:
        return False
    values = parse_qs(query.decode("latin-1"), keep_blank_values=True).get("explain", ["false"])
    value = values[-1].strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    detail = [{"field": "explain", "message": "expected true or false", "type": "bool_parsing"}]
    raise ApiError(422, "validation", "explain is true or false", detail)
