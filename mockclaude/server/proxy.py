"""Sending a request on to the upstream and relaying its answer as it comes, while keeping a copy to record.

JSON answers are relayed whole; a stream is relayed chunk by chunk the moment each arrives (the client sees the
upstream's own pacing), and parsed into events stamped with the milliseconds since the request went out. The
client's key goes upstream unless the session has its own (``--upstream-key``), which then takes the place of the
client's in the same header. Transport headers are the proxy's own business on each side and are not passed on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from mockclaude.model.errors import ApiError
from mockclaude.record.sse import SseParser

HOP_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
        "accept-encoding",  # the proxy negotiates (and decodes) its own compression with the upstream
    }
)
"""Request headers not sent upstream."""
RELAY_DROP = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"}
)
"""Upstream response headers not passed to the client (the proxy frames its own answer)."""
SSE = "text/event-stream"


class UpstreamError(ApiError):
    """The upstream could not be reached, or broke off: a 502 in the API's error shape (nothing is recorded)."""

    status = 502
    error_type = "api_error"
    default_message = "mockclaude: the upstream did not answer"


@dataclass(slots=True)
class Relayed:
    """What came back from the upstream, as relayed."""

    status: int
    headers: dict[str, str]  # names lower-cased; a repeated header keeps its last value
    content: bytes | None  # the body, when not a stream
    events: list[tuple[float, str | None, str]] | None  # a stream: (ms, event name, data text)
    ms: float  # when the whole answer had arrived
    complete: bool  # False when the client left before the end (not worth recording)


def upstream_url(base: str, route: str, query_string: str) -> str:
    """The upstream's URL for ``route`` (``base`` may carry a path prefix, as gateways do)."""
    return base.rstrip("/") + route + (f"?{query_string}" if query_string else "")


def upstream_headers(headers: Mapping[str, str], key: str | None) -> CIMultiDict[str]:
    """The request headers to send upstream: hop-by-hop ones out, and ``key`` (when given) in the place of the
    client's own: as a bearer token if the client sent ``Authorization: Bearer``, else as ``x-api-key``."""
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        if name.lower() not in HOP_HEADERS:
            out.add(name, value)
    if key is not None:
        bearer = out.get("authorization", "").lower().startswith("bearer ")
        out.popall("authorization", None)
        out.popall("x-api-key", None)
        if bearer:
            out["Authorization"] = f"Bearer {key}"
        else:
            out["x-api-key"] = key
    return out


def _relay_headers(headers: Mapping[str, str]) -> CIMultiDict[str]:
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        if name.lower() not in RELAY_DROP:
            out.add(name, value)
    return out


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


async def forward(
    client: aiohttp.ClientSession,
    request: web.Request,
    url: str,
    body: bytes,
    headers: CIMultiDict[str],
    rewrite: Callable[[bytes], bytes] | None = None,
) -> tuple[web.StreamResponse, Relayed]:
    """Send the request upstream and answer ``request`` with what comes back; raises ``UpstreamError``.

    ``rewrite`` changes a body that is not a stream before it is relayed (and kept): the upstream's own URLs
    (a batch's ``results_url``) become the proxy's, so the client comes back here for them.
    """
    start = time.perf_counter()
    try:
        async with client.request(
            request.method, url, data=body or None, headers=headers, allow_redirects=False
        ) as up:
            kept = {name.lower(): value for name, value in up.headers.items()}
            if up.headers.get("content-type", "").startswith(SSE):
                return await _stream(request, up, kept, start)
            content = await up.read()
            if rewrite is not None:
                content = rewrite(content)
            answer = web.Response(status=up.status, body=content, headers=_relay_headers(up.headers))
            return answer, Relayed(up.status, kept, content, None, _ms(start), True)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise UpstreamError(
            f"mockclaude: the upstream {url} did not answer: {exc or type(exc).__name__}"
        ) from None


async def _stream(
    request: web.Request, up: aiohttp.ClientResponse, kept: dict[str, str], start: float
) -> tuple[web.StreamResponse, Relayed]:
    answer = web.StreamResponse(status=up.status, headers=_relay_headers(up.headers))
    await answer.prepare(request)
    parser = SseParser()
    events: list[tuple[float, str | None, str]] = []
    complete = True
    try:
        async for chunk in up.content.iter_any():
            at = _ms(start)
            events.extend((at, name, data) for name, data in parser.feed(chunk))
            try:
                await answer.write(chunk)
            except ConnectionResetError:  # the client left: stop reading, record nothing
                complete = False
                break
    except (aiohttp.ClientError, TimeoutError):  # the upstream broke off mid-stream: so does the client's
        if request.transport is not None:
            request.transport.close()
        return answer, Relayed(up.status, kept, None, events, _ms(start), False)
    at = _ms(start)
    events.extend((at, name, data) for name, data in parser.close())
    if complete:
        try:
            await answer.write_eof()
        except ConnectionResetError:
            complete = False
    return answer, Relayed(up.status, kept, None, events, at, complete)
