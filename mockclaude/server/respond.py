"""Building responses: the headers every answer carries and the Anthropic error shape."""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from aiohttp import web

from mockclaude.clock import Clock
from mockclaude.limits.limiter import display_headers
from mockclaude.limits.limiter import organization_id as _organization_id
from mockclaude.model.errors import ApiError

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


def error_response(error: ApiError, headers: dict[str, str]) -> web.Response:
    """The JSON error answer: real status, ``{"type":"error","error":{...},"request_id"}``, retry hints."""
    out = dict(headers)
    # The real API marks client errors as not worth retrying; 429/5xx leave the SDK's default (retry).
    if 400 <= error.status < 500 and error.status not in (408, 409, 429):
        out.setdefault("x-should-retry", "false")
    out.update(error.headers)
    body = orjson.dumps(error.body(out.get("request-id")))
    return web.Response(status=error.status, body=body, content_type=JSON_TYPE, headers=out)


def json_response(payload: object, headers: dict[str, str], status: int = 200) -> web.Response:
    """A JSON success answer."""
    return web.Response(status=status, body=orjson.dumps(payload), content_type=JSON_TYPE, headers=headers)
