"""Admin routes for time and money: the clock, the prompt cache and the usage ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from mockclaude.clock import MAX_TIMESTAMP, check_time, rfc3339
from mockclaude.model.errors import (
    InvalidRequestError,
)
from mockclaude.pipeline import Pipeline
from mockclaude.server.admin.base import (
    _int_query,
    _model_query,
    _number,
    admin_route,
    json_object,
)
from mockclaude.server.respond import json_response

# -- clock ----------------------------------------------------------------------------------------------------


def _clock_json(pipeline: Pipeline) -> dict[str, Any]:
    now = pipeline.settings.clock.now()
    return {"now": now, "time": rfc3339(now)}


def _movable(pipeline: Pipeline, verb: str) -> Any:
    clock = pipeline.settings.clock
    if not callable(getattr(clock, verb, None)):
        raise InvalidRequestError(f"this mock's clock ({type(clock).__name__}) cannot be moved")
    return clock


@admin_route("GET", "/clock")
async def get_clock(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /_mock/clock``: the time every TTL, window and timestamp of the mock is read from."""
    return json_response(_clock_json(pipeline), headers)


@admin_route("POST", "/clock/advance")
async def advance_clock(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``POST /_mock/clock/advance {"seconds": N}``: move time forward (cache entries expire, windows reset)."""
    data = await json_object(request, frozenset({"seconds", "minutes", "hours"}))
    amounts = {name: _number(data, name, minimum=0) for name in ("seconds", "minutes", "hours")}
    if all(value is None for value in amounts.values()):
        raise InvalidRequestError("seconds: Field required")
    name = next(name for name, value in amounts.items() if value is not None)
    step = (
        (amounts["seconds"] or 0.0) + 60.0 * (amounts["minutes"] or 0.0) + 3600.0 * (amounts["hours"] or 0.0)
    )
    try:  # past clock.MAX_TIMESTAMP: refused, the clock left as it was (checked here too for any Clock)
        check_time(pipeline.settings.clock.now() + step)
        _movable(pipeline, "advance").advance(
            amounts["seconds"] or 0.0, minutes=amounts["minutes"] or 0.0, hours=amounts["hours"] or 0.0
        )
    except (ValueError, OverflowError) as exc:
        raise InvalidRequestError(f"{name}: {exc}") from None
    return json_response(_clock_json(pipeline), headers)


@admin_route("POST", "/clock/set")
async def set_clock(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``POST /_mock/clock/set {"timestamp": T}`` or ``{"time": "2026-01-01T00:00:00Z"}``: jump to a time."""
    data = await json_object(request, frozenset({"timestamp", "time"}))
    timestamp, name = _number(data, "timestamp", minimum=0), "timestamp"
    if timestamp is None:
        text, name = data.get("time"), "time"
        if text is None:
            raise InvalidRequestError("timestamp: Field required")
        if not isinstance(text, str) or len(text) > 64:
            raise InvalidRequestError("time: Input should be an RFC 3339 date-time string")
        try:
            parsed = dt.datetime.fromisoformat(text)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            timestamp = parsed.timestamp()
        except (ValueError, OverflowError):
            raise InvalidRequestError(f"time: Input should be an RFC 3339 date-time, got {text!r}") from None
    try:  # 0 .. clock.MAX_TIMESTAMP
        check_time(timestamp)
        _movable(pipeline, "set").set(timestamp)
    except (ValueError, OverflowError) as exc:
        millis = name == "timestamp" and 0 <= timestamp / 1000 <= MAX_TIMESTAMP  # the easy mistake
        hint = " (this looks like milliseconds: send seconds since the epoch)" if millis else ""
        raise InvalidRequestError(f"{name}: {exc}{hint}") from None
    return json_response(_clock_json(pipeline), headers)


# -- prompt cache and usage -----------------------------------------------------------------------------------


@admin_route("GET", "/cache")
async def get_cache(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /_mock/cache``: counters, entries per (API key, model), live entries most recently used first."""
    snapshot = pipeline.cache.snapshot(
        api_key=request.query.get("api_key"),
        model=_model_query(request, pipeline),
        limit=_int_query(request, "limit", 100, minimum=0),
    )
    return json_response(snapshot, headers)


@admin_route("DELETE", "/cache")
async def delete_cache(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``DELETE /_mock/cache``: drop entries (all, or one key's / one model's)."""
    deleted = pipeline.cache.clear(
        api_key=request.query.get("api_key"), model=_model_query(request, pipeline)
    )
    return json_response({"deleted": deleted}, headers)


@admin_route("GET", "/usage")
async def get_usage(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /_mock/usage``: served tokens and their price per (API key, model), and what caching saved."""
    report = pipeline.ledger.report(
        api_key=request.query.get("api_key"), model=_model_query(request, pipeline)
    )
    return json_response(report, headers)


@admin_route("DELETE", "/usage")
async def delete_usage(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``DELETE /_mock/usage``: start the totals again from zero."""
    pipeline.ledger.clear()
    return json_response({"deleted": True}, headers)


# -- rate limits ----------------------------------------------------------------------------------------------


@admin_route("GET", "/limits")
async def get_limits(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /_mock/limits``: the rate-limit buckets per (API key, model class) with their levels now."""
    return json_response(pipeline.limiter.snapshot(), headers)
