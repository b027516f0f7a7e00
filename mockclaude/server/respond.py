"""Building responses: the headers every answer carries and the Anthropic error shape."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError
from multidict import CIMultiDict, CIMultiDictProxy

from mockclaude.clock import Clock
from mockclaude.limits.limiter import display_headers
from mockclaude.limits.limiter import organization_id as _organization_id
from mockclaude.model.errors import (
    ApiError,
    InternalServerError,
    InvalidRequestError,
    MethodNotAllowedError,
    RequestTooLargeError,
)
from mockclaude.pipeline import Pipeline
from mockclaude.server.guard import BODY_TIMEOUT, ENCODING_INVALID
from mockclaude.validate.request import MAX_BODY_BYTES

log = logging.getLogger("mockclaude")

JSON_TYPE = "application/json"
SSE_TYPE = "text/event-stream; charset=utf-8"


def organization_id(seed: int) -> str:
    """A stable ``anthropic-organization-id`` derived from the seed (the one 429 messages name)."""
    return _organization_id(seed)


def base_headers(
    request_id: str, org_id: str, clock: Clock, rate: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Headers on every response, errors included (api-spec §0.4, §5.5).

    ``rate`` are the ``anthropic-ratelimit-*`` headers from the pipeline's rate limiter; without it, the
    display figures (full buckets of Tier 4 Sonnet limits) that a server with rate limiting off shows.
    """
    limits = rate if rate is not None else display_headers(clock.now())
    return {"request-id": request_id, "anthropic-organization-id": org_id, **limits}


def replace_rate_headers(headers: dict[str, str], rate: Mapping[str, str]) -> None:
    """Swap the ``anthropic-ratelimit-*`` headers in ``headers`` (in place) for ``rate``."""
    for name in [name for name in headers if name.startswith("anthropic-ratelimit-")]:
        del headers[name]
    headers.update(rate)


Handler = Callable[[web.Request, Pipeline, dict[str, str]], Awaitable[web.StreamResponse]]
"""An endpoint: the request, the app's pipeline, and the base headers the answer carries (``app._endpoint``)."""


def int_query(request: web.Request, name: str, default: int) -> int:
    """An integer query parameter (``limit``), with the API's text when it is not one."""
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidRequestError(
            f"{name}: Input should be a valid integer, unable to parse string as an integer"
        ) from None


DRAIN_SECONDS = 2.0
"""How long an oversized body is read and thrown away before its 413 goes out. Loopback delivers 32 MB in tens of
milliseconds; the bound is what a stalled upload can hold a server's shutdown for."""


async def read_body(request: web.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, or ``RequestTooLargeError`` (413) when it is over ``limit`` bytes.

    A body declared too large is read and discarded first (for at most ``DRAIN_SECONDS``): a client sends the
    whole body before it reads the answer, so answering early breaks its pipe instead of showing it the 413.
    Draining here, not in aiohttp's own "lingering close", also lets the server stop at once: that lingering
    waited its full 10 s on such a connection and held a test session's teardown.
    """
    if request.content_length is not None and request.content_length > limit:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DRAIN_SECONDS
        while loop.time() < deadline:
            try:
                async with asyncio.timeout(deadline - loop.time()):
                    if not await request.content.readany():
                        break
            except (TimeoutError, ConnectionError):
                break
        raise RequestTooLargeError()
    # The app is built with MAX_BODY_BYTES as aiohttp's own limit; a larger one (batches) needs a clone.
    source = request if limit == MAX_BODY_BYTES else request.clone(client_max_size=limit)
    try:
        async with asyncio.timeout(request.app.get(BODY_TIMEOUT, DEFAULT_BODY_TIMEOUT)):
            return await source.read()
    except TimeoutError:  # a client sending its body too slowly (slowloris) does not hold a handler for ever
        raise BodyTimeoutError(
            "The request body did not finish arriving in time", details={"error_code": "request_body_timeout"}
        ) from None
    except web.HTTPRequestEntityTooLarge:
        raise RequestTooLargeError() from None
    except (HttpProcessingError, RequestPayloadError):  # aiohttp could not decode the body (gzip, deflate...)
        if request.headers.get("content-encoding"):
            raise encoding_error() from None
        raise InvalidRequestError("The request body could not be read") from None  # ⚠ unconfirmed: the text


DEFAULT_BODY_TIMEOUT = 60.0
"""How long a body may take to arrive when the app runs without ``server.guard`` (its ``ServerLimits`` decide)."""


class BodyTimeoutError(InvalidRequestError):
    """400 ``request_body_timeout`` (api-delta §1.9): the body did not arrive in time; the connection closes."""


def encoding_error() -> InvalidRequestError:
    """The 400 for a body that is not valid for its ``Content-Encoding`` (api-delta §1.9: the API decodes
    compressed bodies; error code ``request_body_encoding_invalid``)."""
    return InvalidRequestError(ENCODING_INVALID, details={"error_code": "request_body_encoding_invalid"})


def _text(value: str) -> str:
    """``value`` as valid Unicode: bytes aiohttp could not decode (it keeps them as surrogates) become U+FFFD."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            return value.encode("utf-8", "replace").decode("utf-8")
    return value


def request_headers(request: web.Request) -> Mapping[str, str]:
    """The request's headers for the pipeline: as they are, unless a value holds bytes that are not UTF-8 (a raw
    0xFF), which become U+FFFD, so nothing downstream (journal, error texts, templates) holds an unencodable
    string. Checking costs one ``isascii`` per header."""
    headers = request.headers
    if all(value.isascii() for value in headers.values()):
        return headers
    clean: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        clean.add(name, _text(value))
    return CIMultiDictProxy(clean)


def _scrub(value: Any, depth: int = 0) -> Any:
    """``value`` with every string made valid Unicode (for a payload orjson refused)."""
    if depth > 256:
        return None
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return {_text(str(k)): _scrub(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, depth + 1) for v in value]
    return value


def dumps(payload: object) -> bytes:
    """``orjson.dumps``; a payload it refuses (a string that is not valid Unicode) is scrubbed and tried again,
    and one it still refuses (nested too deep) raises ``orjson.JSONEncodeError``."""
    try:
        return orjson.dumps(payload)
    except orjson.JSONEncodeError:
        return orjson.dumps(_scrub(payload))


def method_not_allowed(request: web.Request) -> MethodNotAllowedError:
    """The 405 for ``request``: its text, and the ``Allow`` header of the methods its route serves."""
    resource = request.match_info.route.resource
    methods = sorted({r.method for r in resource} - {"*"}) if resource is not None else []
    return MethodNotAllowedError(
        f"Method {request.method} is not allowed for {request.path}",
        headers={"Allow": ", ".join(methods)} if methods else None,
    )


def error_headers(error: ApiError, headers: Mapping[str, str]) -> dict[str, str]:
    """The headers of an error answer: ``headers``, the retry hint, and the error's own (``retry-after``...)."""
    out = dict(headers)
    # The real API marks client errors as not worth retrying; 429/5xx leave the SDK's default (retry).
    if 400 <= error.status < 500 and error.status not in (408, 409, 429):
        out.setdefault("x-should-retry", "false")
    out.update(error.headers)
    return out


def error_response(error: ApiError, headers: dict[str, str]) -> web.Response:
    """The JSON error answer: real status, ``{"type":"error","error":{...},"request_id"}``, retry hints."""
    out = error_headers(error, headers)
    if isinstance(error, BodyTimeoutError):
        out["Connection"] = "close"
    try:
        body = dumps(error.body(out.get("request-id")))
    except (orjson.JSONEncodeError, TypeError):  # the error handler itself must never fail
        log.exception("serialising a %s error", error.status)
        error, out = InternalServerError(), dict(headers)
        body = orjson.dumps(error.body(out.get("request-id")))
    return web.Response(status=error.status, body=body, content_type=JSON_TYPE, headers=out)


def json_response(payload: object, headers: dict[str, str], status: int = 200) -> web.Response:
    """A JSON success answer."""
    return web.Response(status=status, body=dumps(payload), content_type=JSON_TYPE, headers=headers)
