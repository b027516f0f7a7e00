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

import dataclasses
import datetime as dt
import hmac
import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from mockclaude.clock import rfc3339
from mockclaude.engine.issues import ScriptError
from mockclaude.engine.journal import problems, search
from mockclaude.engine.stubs import Stub, check_file
from mockclaude.model.errors import (
    AuthenticationError,
    InvalidRequestError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionError_,
)
from mockclaude.pipeline import Pipeline
from mockclaude.server.respond import json_response
from mockclaude.tokenize.encoding import TokenizerUnavailableError, get_counter

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


async def json_object(request: web.Request, allowed: frozenset[str] | None) -> dict[str, Any]:
    """The body as a JSON object whose keys are all in ``allowed`` (an empty body is ``{}``; ``None``: any keys,
    checked by the caller)."""
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
        if allowed is not None and key not in allowed:
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


# -- access ---------------------------------------------------------------------------------------------------

Req = web.Request
Out = web.StreamResponse
Hdrs = dict[str, str]


def _is_loopback(remote: str | None) -> bool:
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1
    return address.is_loopback


def authorize(request: web.Request, token: str | None) -> None:
    """Let the caller steer the mock, or raise: with a token, only callers that send it (401); without one,
    only loopback callers (403), so a server bound to a public address cannot be scripted by strangers."""
    if token:
        sent = request.headers.get("x-admin-token")
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if sent is None and scheme.lower() == "bearer":
            sent = value.strip()
        if sent is None or not hmac.compare_digest(sent.encode(), token.encode()):
            raise AuthenticationError(
                "mockclaude admin routes need the admin token: Authorization: Bearer <token> or x-admin-token"
            )
    elif not _is_loopback(request.remote):
        raise PermissionError_(
            "mockclaude admin routes answer loopback callers only; start the server with --admin-token to "
            "allow others"
        )


def _guarded(handler: AdminHandler) -> AdminHandler:
    async def guarded(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
        authorize(request, pipeline.settings.admin_token)
        return await handler(request, pipeline, headers)

    guarded.__doc__ = handler.__doc__
    return guarded


# -- stubs and scripts ------------------------------------------------------------------------------------------


def _script_error(exc: ScriptError) -> InvalidRequestError:
    return InvalidRequestError(str(exc), details={"issues": [issue.to_json() for issue in exc.issues]})


def _add_all(pipeline: Pipeline, specs: list[Any], source: str) -> list[Stub]:
    """Add stubs all or nothing (a bad one removes the ones added before it)."""
    stubs = pipeline.engine.stubs
    added: list[Stub] = []
    try:
        for spec in specs:
            added.append(stubs.add(spec, source=source))
    except ScriptError as exc:
        for stub in added:
            stubs.remove(stub.id)
        raise _script_error(exc) from None
    return added


@admin_route("GET", "/stubs")
async def list_stubs(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/stubs``: every stub in matching order, with its counters."""
    return json_response({"data": pipeline.engine.stubs.list()}, headers)


@admin_route("POST", "/stubs")
async def add_stubs(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/stubs``: one stub entry of the script vocabulary, or ``{"stubs": [...]}``."""
    data = await json_object(request, None)
    specs = data["stubs"] if set(data) == {"stubs"} else [data]
    if not isinstance(specs, list):
        raise InvalidRequestError("stubs: Input should be a valid list")
    added = _add_all(pipeline, specs, "<admin>")
    return json_response({"data": [stub.describe() for stub in added]}, headers)


@admin_route("DELETE", "/stubs")
async def clear_stubs(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``DELETE /_mock/stubs``: remove every stub."""
    count = len(pipeline.engine.stubs)
    pipeline.engine.stubs.clear()
    return json_response({"deleted": count}, headers)


@admin_route("DELETE", "/stubs/{stub_id}")
async def delete_stub(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``DELETE /_mock/stubs/{id}``: remove one stub (404 when there is none)."""
    stub_id = request.match_info["stub_id"]
    if not pipeline.engine.stubs.remove(stub_id):
        raise NotFoundError(f"stub: {stub_id}")
    return json_response({"deleted": 1}, headers)


@admin_route("POST", "/script")
async def load_script(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/script``: ``{"path": ...}`` (a file or directory the server can read; ``"replace": true``
    first drops what was loaded from it) or ``{"script": {"version": 1, "stubs": [...]}}``. All or nothing."""
    data = await json_object(request, frozenset({"path", "replace", "script"}))
    if ("path" in data) == ("script" in data):
        raise InvalidRequestError("give exactly one of path or script")
    if "path" in data:
        if not isinstance(data["path"], str):
            raise InvalidRequestError("path: Input should be a valid string")
        try:
            stubs = pipeline.engine.stubs.load(data["path"], replace=data.get("replace") is True)
        except ScriptError as exc:
            raise _script_error(exc) from None
    else:
        try:
            entries = check_file(data["script"], "<admin script>", {})
        except ScriptError as exc:
            raise _script_error(exc) from None
        stubs = _add_all(pipeline, [entry for entry, _ in entries], "<admin script>")
    return json_response({"data": [stub.describe() for stub in stubs]}, headers)


# -- journal, check, reset, seed, scenarios ------------------------------------------------------------------


@admin_route("GET", "/journal")
async def get_journal(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/journal``: the kept requests, oldest first (``?limit=N``: the last N; ``?unmatched=true``)."""
    entries = pipeline.journal.entries()
    if request.query.get("unmatched", "").lower() in ("1", "true"):
        entries = [e for e in entries if e.unmatched]
    limit = _int_query(request, "limit", len(entries), minimum=0)
    entries = entries[len(entries) - limit :] if limit < len(entries) else entries
    payload = {"data": [e.to_json() for e in entries], "total": pipeline.journal.total}
    return json_response(payload, headers)


@admin_route("GET", "/journal/unmatched")
async def get_unmatched(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/journal/unmatched``: requests no stub matched, each with ``near_misses`` (stub, reasons)."""
    data = []
    for entry in pipeline.journal.unmatched():
        near = pipeline.engine.near_misses(entry.request) if entry.request is not None else []
        data.append({**entry.to_json(), "near_misses": near})
    return json_response({"data": data}, headers)


@admin_route("POST", "/journal/search")
async def search_journal(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/journal/search {"match": {...}, "endpoint": "messages"}``: what ``assert_called`` reads."""
    data = await json_object(request, frozenset({"match", "endpoint"}))
    match = data.get("match") or {}
    endpoint = data.get("endpoint", "messages")
    if not isinstance(match, dict):
        raise InvalidRequestError("match: Input should be a valid dictionary")
    entries = [e for e in pipeline.journal.entries() if e.endpoint == endpoint]
    try:
        found, misses = search(entries, match, pipeline.policy)
    except ScriptError as exc:
        raise _script_error(exc) from None
    payload = {
        "count": len(found),
        "data": [e.to_json() for e in found],
        "misses": [{"index": e.index, "reasons": why} for e, why in misses],
    }
    return json_response(payload, headers)


@admin_route("DELETE", "/journal")
async def clear_journal(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``DELETE /_mock/journal``: forget every entry."""
    count = len(pipeline.journal)
    pipeline.journal.clear()
    return json_response({"deleted": count}, headers)


@admin_route("GET", "/check")
async def check(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/check``: unmatched requests (strict mode), stubs not used up, callback errors."""
    lines = problems(pipeline.engine, pipeline.journal)
    return json_response({"ok": not lines, "problems": lines}, headers)


_RESET_KEYS = frozenset({"seed", "strict", "any_model", "api_keys", "tokenizer", "script"})


@admin_route("POST", "/reset")
async def reset(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/reset``: stubs, journal, cache, usage, scenarios, rate limits and ids back to a fresh
    instance's; the optional options change the settings from now on (a new seed rebuilds the mock)."""
    data = await json_object(request, _RESET_KEYS)
    settings = pipeline.settings
    changes: dict[str, Any] = {}
    for key, kind in (("seed", int), ("strict", bool), ("any_model", bool), ("tokenizer", str)):
        if key in data:
            if not isinstance(data[key], kind) or (kind is int and isinstance(data[key], bool)):
                raise InvalidRequestError(f"{key}: Input should be a valid {kind.__name__}")
            changes[key] = data[key]
    if "api_keys" in data:
        keys = data["api_keys"]
        if keys is not None and not (isinstance(keys, list) and all(isinstance(k, str) and k for k in keys)):
            raise InvalidRequestError("api_keys: Input should be a list of non-empty strings, or null")
        changes["api_keys"] = frozenset(keys) if keys else None
    script = data.get("script")
    paths = [script] if isinstance(script, str) else script or []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise InvalidRequestError("script: Input should be a path or a list of paths")
    if "tokenizer" in changes:
        try:  # before rebuilding: a rebuild that fails half-way would leave a broken mock
            get_counter(changes["tokenizer"])
        except (ValueError, TokenizerUnavailableError) as exc:
            raise InvalidRequestError(f"tokenizer: {exc}") from None
    if any(getattr(settings, k) != v for k, v in changes.items() if k != "strict"):
        pipeline.reconfigure(dataclasses.replace(settings, **changes))
    else:
        settings.strict = changes.get("strict", settings.strict)
        pipeline.reset()
    try:
        for path in paths:
            pipeline.engine.stubs.load(path)
    except ScriptError as exc:
        raise _script_error(exc) from None
    return json_response({"seed": pipeline.seed, "strict": pipeline.engine.strict}, headers)


@admin_route("GET", "/seed")
async def get_seed(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/seed``: ``{"seed": N}``."""
    return json_response({"seed": pipeline.seed}, headers)


@admin_route("POST", "/seed")
async def set_seed(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/seed {"seed": N}``: a new seed rebuilds the mock (a fresh instance, as ``--seed N``)."""
    data = await json_object(request, frozenset({"seed"}))
    seed = data.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidRequestError("seed: Input should be a valid integer")
    if seed != pipeline.seed:
        pipeline.reconfigure(dataclasses.replace(pipeline.settings, seed=seed))
    return json_response({"seed": pipeline.seed}, headers)


@admin_route("POST", "/strict")
async def set_strict(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/strict {"strict": true}``: turn strict mode on or off (until the next reset)."""
    data = await json_object(request, frozenset({"strict"}))
    if not isinstance(data.get("strict"), bool):
        raise InvalidRequestError("strict: Input should be a valid boolean")
    pipeline.engine.strict = data["strict"]
    return json_response({"strict": pipeline.engine.strict}, headers)


@admin_route("GET", "/scenarios")
async def get_scenarios(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/scenarios``: every scenario that left its start state."""
    return json_response({"scenarios": pipeline.engine.scenarios.snapshot()}, headers)


@admin_route("POST", "/scenarios")
async def set_scenario(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/scenarios {"name": ..., "state": ...}``: move a scenario."""
    data = await json_object(request, frozenset({"name", "state"}))
    for key in ("name", "state"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise InvalidRequestError(f"{key}: Input should be a non-empty string")
    pipeline.engine.scenarios.set(data["name"], data["state"])
    return json_response({"scenarios": pipeline.engine.scenarios.snapshot()}, headers)


@admin_route("DELETE", "/scenarios")
async def reset_scenarios(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``DELETE /_mock/scenarios`` (``?name=``): back to the start state."""
    pipeline.engine.scenarios.reset(request.query.get("name"))
    return json_response({"scenarios": pipeline.engine.scenarios.snapshot()}, headers)
