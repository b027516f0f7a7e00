"""The ``/_mock/...`` control plane: what a test in any language, or a CI job, uses to steer a running mock.

Routes register themselves with :func:`admin_route`; :func:`register_admin` mounts them all on an app with the
app's own endpoint wrapper (request id, base headers, errors in the Anthropic shape). A wrong method on a known
admin path answers 405. Bodies are JSON objects; bad input answers 400 ``invalid_request_error``.

Routes (DESIGN.md rule 9):

==========================  =========================================================================
``GET /_mock/clock``         the mock's time: ``{"now": <epoch seconds>, "time": "<RFC 3339>"}``
``POST /_mock/clock/advance`` ``{"seconds": N}`` (also ``minutes`` / ``hours``): move time forward, no waiting
``POST /_mock/clock/set``     ``{"timestamp": <epoch seconds>}`` or ``{"time": "<RFC 3339>"}``: jump
``GET /_mock/cache``          prompt-cache counters, entries per scope, live entries (``?api_key=&model=&limit=``)
``DELETE /_mock/cache``       delete entries (all, or ``?api_key=`` / ``?model=``): ``{"deleted": n}``
``GET /_mock/usage``          tokens and USD per API key and model, with what caching saved (``?api_key=&model=``)
``DELETE /_mock/usage``       reset the usage totals
``GET /_mock/stubs``          the stubs in matching order: ``{"data": [...]}``
``POST /_mock/stubs``         add one stub (a script file's stub entry) or ``{"stubs": [...]}``: ``{"data": [...]}``
``DELETE /_mock/stubs[/ID]``  remove every stub, or one: ``{"deleted": n}``
``POST /_mock/script``        load ``{"path": FILE_OR_DIR}`` (``"replace": true`` reloads it) or ``{"script": {...}}``
``GET /_mock/journal``        requests and what was served: ``{"data": [...], "total": n}`` (``?limit=&unmatched=``)
``GET /_mock/journal/unmatched`` requests no stub matched, each with its near misses
``POST /_mock/journal/search`` ``{"match": {...}}``: the matching requests and why the others miss (assert_called)
``DELETE /_mock/journal``     forget the journal
``POST /_mock/reset``         everything back to a fresh instance; optional ``{"seed", "strict", "any_model", ...}``
``GET|POST /_mock/seed``      ``{"seed": N}``; changing it rebuilds (resets) the mock
``POST /_mock/strict``        ``{"strict": true}``: unmatched requests get a 400 naming the nearest stubs
``GET /_mock/scenarios``      ``{"scenarios": {name: state}}``; ``POST`` ``{"name", "state"}`` sets one
``DELETE /_mock/scenarios``   back to their start state (all, or ``?name=``)
``GET /_mock/check``          what a test's ``check()`` fails on: ``{"ok": bool, "problems": [...]}``
==========================  =========================================================================

Access (every route above; ``/_mock/health`` is open): without ``Settings.admin_token`` (``serve
--admin-token``) only loopback callers are answered (403 otherwise); with it, only callers that send it as
``Authorization: Bearer <token>`` or ``x-admin-token: <token>`` (401 otherwise), wherever they connect from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from mockclaude.clock import rfc3339
from mockclaude.model.errors import InvalidRequestError, MethodNotAllowedError
from mockclaude.pipeline import Pipeline
from mockclaude.server.respond import json_response

AdminHandler = Callable[[web.Request, Pipeline, dict[str, str]], Awaitable[web.StreamResponse]]
Wrapper = Callable[[AdminHandler], Callable[[web.Request], Awaitable[web.StreamResponse]]]

PREFIX = "/_mock"
ROUTES: list[
    tuple[str, str, AdminHandler]
] = []  # (method, path under PREFIX, handler), in registration order


def admin_route(method: str, path: str) -> Callable[[AdminHandler], AdminHandler]:
    """Register ``handler`` for ``method`` on ``/_mock{path}`` (mounted by :func:`register_admin`)."""

    def register(handler: AdminHandler) -> AdminHandler:
        ROUTES.append((method.upper(), path, handler))
        return handler

    return register


async def _method_not_allowed(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    raise MethodNotAllowedError(f"Method {request.method} is not allowed for {request.path}")


def register_admin(app: web.Application, wrap: Wrapper) -> None:
    """Mount every registered admin route on ``app``; ``wrap`` is the app's endpoint wrapper."""
    by_path: dict[str, list[tuple[str, AdminHandler]]] = {}
    for method, path, handler in ROUTES:
        by_path.setdefault(path, []).append((method, handler))
    for path, handlers in by_path.items():
        resource = app.router.add_resource(PREFIX + path)
        for method, handler in handlers:
            resource.add_route(method, wrap(_guarded(handler)))
        resource.add_route("*", wrap(_guarded(_method_not_allowed)))


# -- request helpers ------------------------------------------------------------------------------------------


async def json_object(request: web.Request, allowed: frozenset[str]) -> dict[str, Any]:
    """The body as a JSON object whose keys are all in ``allowed`` (an empty body is ``{}``)."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestError(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidRequestError("The request body must be a JSON object")
    for key in data:
        if key not in allowed:
            raise InvalidRequestError(f"{key}: Extra inputs are not permitted")
    return data


def _number(data: dict[str, Any], name: str, *, minimum: float | None = None) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequestError(f"{name}: Input should be a valid number")
    if minimum is not None and value < minimum:
        raise InvalidRequestError(f"{name}: Input should be greater than or equal to {minimum:g}")
    return float(value)


def _int_query(request: web.Request, name: str, default: int, minimum: int = 1) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequestError(f"{name}: Input should be a valid integer") from None
    if value < minimum:
        raise InvalidRequestError(f"{name}: Input should be greater than or equal to {minimum}")
    return value


def _model_query(request: web.Request, pipeline: Pipeline) -> str | None:
    """``?model=`` as a canonical id (aliases accepted)."""
    name = request.query.get("model")
    if name is None:
        return None
    spec = pipeline.policy.catalog.resolve(name)
    return spec.id if spec is not None else name


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
    _movable(pipeline, "advance").advance(
        amounts["seconds"] or 0.0, minutes=amounts["minutes"] or 0.0, hours=amounts["hours"] or 0.0
    )
    return json_response(_clock_json(pipeline), headers)


@admin_route("POST", "/clock/set")
async def set_clock(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``POST /_mock/clock/set {"timestamp": T}`` or ``{"time": "2026-01-01T00:00:00Z"}``: jump to a time."""
    data = await json_object(request, frozenset({"timestamp", "time"}))
    timestamp = _number(data, "timestamp", minimum=0)
    if timestamp is None:
        text = data.get("time")
        if text is None:
            raise InvalidRequestError("timestamp: Field required")
        try:
            parsed = dt.datetime.fromisoformat(str(text))
        except ValueError:
            raise InvalidRequestError(f"time: Input should be an RFC 3339 date-time, got {text!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        timestamp = parsed.timestamp()
    _movable(pipeline, "set").set(timestamp)
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
