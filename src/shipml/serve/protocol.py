"""Serve: uvicorn's httptools protocol with a deadline on reading each request.

uvicorn closes a connection that idles between requests (its keep-alive timeout) but waits
forever for a request that has started and not finished: a client that sends half its headers,
or a body slower than a byte a minute, holds a connection and its memory for as long as it likes
(a slowloris). Here a connection has `read_timeout` seconds from its first byte (or from its
opening) until its request is complete, headers and body; past that it is closed. A request that
arrives whole in time is untouched, and the answer's own time is not counted.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_READ_TIMEOUT = 10.0


class DeadlineHttpTools(HttpToolsProtocol):
    read_timeout: float = DEFAULT_READ_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None:  # the first bytes of the next request on this connection
            self._arm()
        super().data_received(data)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.read_timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def with_read_timeout(seconds: float) -> type[DeadlineHttpTools]:
    """The protocol class for uvicorn's `http` setting, with its own deadline."""
    return type("DeadlineHttpTools", (DeadlineHttpTools,), {"read_timeout": float(seconds)})
