"""Building responses: the headers every answer carries and the Anthropic error shape."""

from __future__ import annotations

import uuid

import orjson
from aiohttp import web

from mockclaude import ids
from mockclaude.clock import Clock, rfc3339
from mockclaude.model.errors import ApiError

JSON_TYPE = "application/json"
SSE_TYPE = "text/event-stream; charset=utf-8"

# Static rate-limit figures until the rate-limit simulator (issue 7) tracks real buckets: the Tier 4 limits of a
# Sonnet-class model, so clients that read these headers see plausible numbers.
_LIMITS = {"requests": 4_000, "tokens": 2_400_000, "input-tokens": 2_000_000, "output-tokens": 400_000}


def organization_id(seed: int) -> str:
    """A stable ``anthropic-organization-id`` derived from the seed."""
    return str(uuid.UUID(bytes=ids.derive(seed, "organization")[:16], version=4))


_RESET_CACHE: dict[int, dict[str, str]] = {}


def _rate_headers(now: float) -> dict[str, str]:
    # The header block only changes once a second: build it once per second, not once per request.
    second = int(now)
    cached = _RESET_CACHE.get(second)
    if cached is None:
        reset = rfc3339(second + 60)
        cached = {}
        for name, limit in _LIMITS.items():
            cached[f"anthropic-ratelimit-{name}-limit"] = str(limit)
            cached[f"anthropic-ratelimit-{name}-remaining"] = str(limit)
            cached[f"anthropic-ratelimit-{name}-reset"] = reset
        _RESET_CACHE.clear()
        _RESET_CACHE[second] = cached
    return cached


def base_headers(request_id: str, org_id: str, clock: Clock) -> dict[str, str]:
    """Headers on every response, errors included (api-spec §0.4, §5.5)."""
    return {"request-id": request_id, "anthropic-organization-id": org_id, **_rate_headers(clock.now())}


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
