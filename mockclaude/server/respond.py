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


def base_headers(request_id: str, org_id: str, clock: Clock) -> dict[str, str]:
    """Headers on every response, errors included (api-spec §0.4, §5.5)."""
    reset = rfc3339(clock.now() + 60)
    headers = {"request-id": request_id, "anthropic-organization-id": org_id}
    for name, limit in _LIMITS.items():
        headers[f"anthropic-ratelimit-{name}-limit"] = str(limit)
        headers[f"anthropic-ratelimit-{name}-remaining"] = str(limit)
        headers[f"anthropic-ratelimit-{name}-reset"] = reset
    return headers


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
