"""The connection layer under the app: slow clients, too many connections, shutdown, and malformed HTTP.

aiohttp's own connection handler waits for a request head for ever (a slowloris connection lives until the
keep-alive timeout of an hour, and with a 1,024-file limit 1,100 half-sent connections stopped the server
accepting), takes every connection offered, and answers what its parser refuses (a bad request line, a header
it cannot decode, a body it cannot inflate) with a plain-text 400 that has no ``request-id``. ``guarded_runner``
builds the ``AppRunner`` that ``serve`` and the test thread use, with:

- a **head timeout**: a request head not complete ``head_timeout`` seconds after the connection opened (or after
  its first byte, on a kept-alive connection) closes the connection with a 408;
- a **body timeout**: a body not complete after ``body_timeout`` seconds is a 400 with
  ``error_code: request_body_timeout`` (api-delta §1.9), read in ``server.respond.read_body``;
- a **connection cap**: past ``max_connections`` open connections, a new one is answered 529 ``overloaded_error``
  and closed (by default the file limit less some room, so the server always keeps accepting);
- a **shutdown grace**: on stop, open requests (streams) get ``shutdown_grace`` seconds, then are cancelled;
- **errors of the HTTP parser in the API's shape**, with a request id.
"""

from __future__ import annotations

import asyncio
import resource
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import ContentEncodingError
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_server import Server

__all__ = ["BODY_TIMEOUT", "ErrorBody", "ServerLimits", "default_max_connections", "guarded_runner"]

ErrorBody = Callable[[int, str, dict[str, Any] | None], tuple[bytes, dict[str, str]]]
"""``(status, message, details) -> (JSON body, headers)``: an error in the API's shape with a fresh request id."""

ENCODING_INVALID = "The request body is not valid for its `Content-Encoding`."
"""The 400 text for such a body, wherever it is found (here, or reading it in ``server.respond``). ⚠ unconfirmed."""

BODY_TIMEOUT = web.AppKey("body_timeout", float)
"""The app's body timeout (seconds), read by ``read_body``; set by :func:`guarded_runner`."""


def default_max_connections() -> int:
    """The file limit less 64 (room for the listening socket, log and script files), at least 16."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 10_000
    return max(16, int(soft) - 64)


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """The connection layer's bounds (``serve --head-timeout`` and friends)."""

    head_timeout: float = 15.0
    body_timeout: float = 60.0
    keepalive_timeout: float = 75.0
    max_connections: int | None = None  # None: default_max_connections()
    shutdown_grace: float = 5.0


class _GuardedServer(Server):
    """aiohttp's ``Server`` whose connections are :class:`_GuardedHandler` (set on an instance by class swap)."""

    mock_limits: ServerLimits
    mock_error_body: ErrorBody

    def __call__(self) -> RequestHandler:
        return _GuardedHandler(self, loop=self._loop, **self._kwargs)


class _GuardedHandler(RequestHandler):
    """One connection: a head timer, the connection cap, and parser errors in the API's shape."""

    def __init__(self, manager: _GuardedServer, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._mock_server = manager
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        limits = self._mock_server.mock_limits
        cap = limits.max_connections or default_max_connections()
        if len(self._mock_server.connections) > cap:
            self._refused = True
            body, headers = self._mock_server.mock_error_body(
                529, "mockclaude: too many open connections", None
            )
            self._raw_answer(529, "Overloaded", body, headers)
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        before = self._request_count
        super().data_received(data)
        if self._request_count != before:  # a whole head arrived: the request is on its way
            self._disarm()
        elif data and self._head_timer is None and not getattr(self, "_request_in_progress", False):
            self._arm()  # the first bytes of a new head on a kept-alive connection

    def connection_lost(self, exc: BaseException | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        timeout = self._mock_server.mock_limits.head_timeout
        if timeout > 0:
            self._head_timer = self._loop.call_later(timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if getattr(self, "_request_in_progress", False):
            return
        body, headers = self._mock_server.mock_error_body(
            408, "mockclaude: the request head did not arrive in time", None
        )
        self._raw_answer(408, "Request Timeout", body, headers)

    def _raw_answer(self, status: int, reason: str, body: bytes, headers: dict[str, str]) -> None:
        """Answer outside any request (none was parsed) and close."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        lines = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        self.force_close()
        transport.close()

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """aiohttp's error answer (its logging and checks kept), as JSON in the API's shape with a request id."""
        plain = super().handle_error(request, status, exc, message)
        details: dict[str, Any] | None = None
        if isinstance(exc, ContentEncodingError) and "install" in str(exc):  # br / zstd without their library
            text = "The request's `Content-Encoding` is not supported."
            details = {"error_code": "request_body_encoding_unsupported"}
        elif isinstance(exc, ContentEncodingError):
            text = ENCODING_INVALID
            details = {"error_code": "request_body_encoding_invalid"}
        elif status >= 500:
            text = "Internal server error"
        else:
            text = (
                f"Bad request: {(message or getattr(exc, 'message', '') or 'malformed HTTP').strip()[:200]}"
            )
        body, headers = self._mock_server.mock_error_body(plain.status, text, details)
        answer = web.Response(
            status=plain.status, body=body, content_type="application/json", headers=headers
        )
        answer.force_close()
        return answer


class _GuardedRunner(web.AppRunner):
    """An ``AppRunner`` whose server is a :class:`_GuardedServer`."""

    def __init__(
        self, app: web.Application, limits: ServerLimits, error_body: ErrorBody, **kwargs: Any
    ) -> None:
        kwargs.setdefault("lingering_time", 2.0)  # reading an unread body after the answer: 2 s, not 10
        super().__init__(
            app, shutdown_timeout=limits.shutdown_grace, keepalive_timeout=limits.keepalive_timeout, **kwargs
        )
        self._mock_limits = limits
        self._mock_error_body = error_body

    async def _make_server(self) -> Server:
        server = await super()._make_server()
        server.__class__ = _GuardedServer
        guarded: _GuardedServer = server  # type: ignore[assignment]
        guarded.mock_limits = self._mock_limits
        guarded.mock_error_body = self._mock_error_body
        return server


def guarded_runner(
    app: web.Application, limits: ServerLimits, error_body: ErrorBody, **kwargs: Any
) -> web.AppRunner:
    """The ``AppRunner`` for ``app`` with the connection layer's bounds (module docstring)."""
    app[BODY_TIMEOUT] = limits.body_timeout
    return _GuardedRunner(app, limits, error_body, **kwargs)
