"""The aiohttp application: routes for the Messages API family and the ``/_mock`` control plane."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import orjson

from mockclaude.boot import gc_paused

if TYPE_CHECKING:
    from mockclaude.record.config import RecordConfig

# Imports build long-lived objects only: a garbage collection in the middle frees nothing (see gc_paused).
with gc_paused():
    from aiohttp import web

    from mockclaude.model.catalog import list_page, model_info
    from mockclaude.model.errors import (
        ApiError,
        InternalServerError,
        NotFoundError,
    )
    from mockclaude.pipeline import Pipeline, Settings
    from mockclaude.script import read_yaml as _read_yaml  # noqa: F401  (registers the YAML script reader)
    from mockclaude.server.admin import register_admin
    from mockclaude.server.batches import BATCH_ROUTES
    from mockclaude.server.files import FILE_ROUTES
    from mockclaude.server.guard import ErrorBody
    from mockclaude.server.inspector import install as install_inspector
    from mockclaude.server.openai_compat import CHAT_ROUTES, openai_error_response
    from mockclaude.server.recorder import RECORDER, Recorder
    from mockclaude.server.respond import (
        Handler,
        base_headers,
        error_response,
        int_query,
        json_response,
        method_not_allowed,
        organization_id,
        read_body,
        replace_rate_headers,
        request_headers,
    )
    from mockclaude.server.skills import SKILL_ROUTES
    from mockclaude.server.stream import STREAM_STATS, StreamStats, write_reply
    from mockclaude.validate.request import MAX_BODY_BYTES  # Messages and count_tokens: 32 MB (api-spec §1.3)

log = logging.getLogger("mockclaude")


PIPELINE = web.AppKey("pipeline", Pipeline)


ErrorShape = Callable[[ApiError, dict[str, str]], web.Response]


def _endpoint(
    handler: Handler, shape: ErrorShape = error_response
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a handler: request id and base headers, ApiError -> error shape (``shape``: the Anthropic one, or
    OpenAI's on the chat route), anything else -> a logged 500 in that shape."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        pipeline = request.app[PIPELINE]
        request_id = pipeline.next_request_id()
        try:
            rate = pipeline.limiter.idle_headers()
            headers = base_headers(request_id, _org_id(pipeline.seed), pipeline.settings.clock, rate)
        except Exception:  # no state (a clock set by hand...) may keep a route from answering
            log.exception("building the base headers of %s %s", request.method, request.path)
            headers = {"request-id": request_id}
        try:
            return await handler(request, pipeline, headers)
        except ApiError as error:
            return shape(error, headers)
        except (ConnectionResetError, web.HTTPException):
            raise
        except Exception:  # a bug in the mock must never surface as a traceback to the client
            log.exception("unhandled error on %s %s", request.method, request.path)
            return shape(InternalServerError(), headers)

    return wrapped


ORG_ID = web.AppKey("org_id", str)
CHAT_PATHS = frozenset(path for _, path, _ in CHAT_ROUTES)
# Read per request from the pipeline's seed, not from ORG_ID: the seed can change at run time
# (``POST /_mock/seed``, a pytest marker), and the header must follow it.
_org_id = functools.lru_cache(maxsize=64)(organization_id)


async def create_message(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``POST /v1/messages``: JSON or SSE."""
    served = pipeline.messages(
        await read_body(request), request_headers(request), request_id=headers["request-id"]
    )
    headers.update(served.headers)
    headers.update(served.reply.headers)
    settings = pipeline.settings
    return await write_reply(  # JSON or SSE, paced by the reply's latency, broken by its fault (server/stream.py)
        request,
        served.reply,
        stream=served.stream,
        headers=headers,
        clock=settings.clock,
        seed=settings.seed,
        time_scale=settings.time_scale,
    )


async def count_tokens(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``POST /v1/messages/count_tokens``.

    With rate limiting on, the rate headers are those of the token-counting bucket: ``requests-*`` only (counting
    is free), the caller's bucket once counted, a full one on errors before that. ⚠ unconfirmed: whether the real
    API sends rate-limit headers on count_tokens at all. A 429 carries its own (limiter.admit_count_tokens).
    """
    limiter = pipeline.limiter
    if limiter.enabled:
        replace_rate_headers(headers, limiter.count_tokens_headers(None))
    body = await read_body(request)
    counted = pipeline.count_tokens(body, request_headers(request), request_id=headers["request-id"])
    if counted.headers:
        replace_rate_headers(headers, counted.headers)
    return json_response({"input_tokens": counted.total}, headers)


async def list_models(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``GET /v1/models``: newest first, paginated."""
    from mockclaude.validate.headers import authenticate

    authenticate(request_headers(request), pipeline.policy)
    lifecycle = request.query.getall("lifecycle[]", []) or None
    page = list_page(
        pipeline.policy.catalog,
        before_id=request.query.get("before_id"),
        after_id=request.query.get("after_id"),
        limit=int_query(request, "limit", 20),
        lifecycle=lifecycle,
    )
    return json_response(page, headers)


async def get_model(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /v1/models/{model_id}``: an id or an alias."""
    from mockclaude.validate.headers import authenticate

    authenticate(request_headers(request), pipeline.policy)
    model_id = request.match_info["model_id"]
    spec = pipeline.policy.catalog.resolve(model_id)
    if spec is None:
        raise NotFoundError(f"model: {model_id}")
    return json_response(model_info(spec), headers)


async def health(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /_mock/health``: 200 once the server is serving."""
    return json_response({"status": "ok", "seed": pipeline.seed}, headers)


async def not_found(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """Any unknown route: 404 in the Anthropic error shape."""
    raise NotFoundError()


def _shape(path: str) -> ErrorShape:
    """The error shape of a route: OpenAI's on the chat completions route, the Anthropic one elsewhere."""
    return openai_error_response if path in CHAT_PATHS else error_response


async def wrong_method(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """A known route with the wrong method: 405 with ``Allow``."""
    raise method_not_allowed(request)


def error_body_for(app: web.Application) -> ErrorBody:
    """How the connection layer (``server.guard``) words its own errors: the API's shape, this app's next
    request id and base headers (only the id when the app has no pipeline)."""

    def render(status: int, message: str, details: dict[str, Any] | None) -> tuple[bytes, dict[str, str]]:
        pipeline = app.get(PIPELINE)
        headers: dict[str, str] = {}
        if pipeline is not None:
            headers = {"request-id": pipeline.next_request_id()}
            with contextlib.suppress(Exception):
                rate = pipeline.limiter.idle_headers()
                headers = base_headers(
                    headers["request-id"], _org_id(pipeline.seed), pipeline.settings.clock, rate
                )
        kind = _STATUS_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
        error: dict[str, Any] = {"type": kind, "message": message}
        if details is not None:
            error["details"] = details
        if 400 <= status < 500 and status not in (408, 409, 429):
            headers["x-should-retry"] = "false"
        body = orjson.dumps({"type": "error", "error": error, "request_id": headers.get("request-id")})
        return body, headers

    return render


_STATUS_TYPES = {413: "request_too_large", 529: "overloaded_error", 504: "timeout_error"}


@web.middleware
async def _recording(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Hand API requests to the recording session when one runs (server/recorder.py); else straight through."""
    recorder = request.app[RECORDER]
    if recorder.config is None or request.path.startswith("/_mock/"):
        return await handler(request)
    return await recorder.handle(request, handler, request.app[PIPELINE])


def create_app(
    settings: Settings | None = None, *, path_prefix: str = "", record: RecordConfig | None = None
) -> web.Application:
    """The application for one mock instance. API routes also answer under ``path_prefix`` (gateways).

    ``record`` starts a recording session (README "Record and replay"); ``app[RECORDER]`` starts and stops
    others later (the pytest plugin does, per test).
    """
    with gc_paused():  # the tokenizer, catalog and engine state: long-lived objects only
        pipeline = Pipeline(settings)
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[_recording])
    app[PIPELINE] = pipeline
    recorder = Recorder(path_prefix)
    app[RECORDER] = recorder
    app.on_cleanup.append(recorder.close)
    if record is not None:
        recorder.start(record, pipeline)
    app[ORG_ID] = organization_id(pipeline.seed)
    app[STREAM_STATS] = StreamStats()
    prefixes = [""]
    if path_prefix.strip("/"):
        prefixes.append("/" + path_prefix.strip("/"))
    api: list[tuple[str, str, Handler]] = [
        ("POST", "/v1/messages", create_message),
        ("POST", "/v1/messages/count_tokens", count_tokens),
        ("GET", "/v1/models", list_models),
        ("GET", "/v1/models/{model_id}", get_model),
    ]
    api += BATCH_ROUTES
    api += FILE_ROUTES
    api += SKILL_ROUTES
    api += CHAT_ROUTES
    for prefix in prefixes:
        # One resource per path, whatever methods it serves (GET and DELETE /v1/messages/batches/{id}); the
        # catch-all for other methods goes last, since aiohttp refuses routes after a "*" on the same resource.
        resources: dict[str, web.Resource] = {}
        for method, path, handler in api:
            if path not in resources:
                resources[path] = app.router.add_resource(prefix + path)
            resources[path].add_route(method, _endpoint(handler, _shape(path)))
        for path, resource in resources.items():
            resource.add_route("*", _endpoint(wrong_method, _shape(path)))
    app.router.add_route("GET", "/_mock/health", _endpoint(health))
    register_admin(app, _endpoint)
    install_inspector(app)  # ends the inspector's event streams on shutdown
    app.router.add_route("*", "/{tail:.*}", _endpoint(not_found))
    return app
