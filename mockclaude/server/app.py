"""The aiohttp application: routes for the Messages API family and the ``/_mock`` control plane."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from mockclaude.boot import gc_paused

# Imports build long-lived objects only: a garbage collection in the middle frees nothing (see gc_paused).
with gc_paused():
    from aiohttp import web

    from mockclaude.model.catalog import list_page, model_info
    from mockclaude.model.errors import (
        ApiError,
        InternalServerError,
        MethodNotAllowedError,
        NotFoundError,
    )
    from mockclaude.pipeline import Pipeline, Settings
    from mockclaude.script import read_yaml as _read_yaml  # noqa: F401  (registers the YAML script reader)
    from mockclaude.server.admin import register_admin
    from mockclaude.server.batches import BATCH_ROUTES
    from mockclaude.server.files import FILE_ROUTES
    from mockclaude.server.openai_compat import CHAT_ROUTES
    from mockclaude.server.respond import (
        Handler,
        base_headers,
        error_response,
        int_query,
        json_response,
        organization_id,
        read_body,
        replace_rate_headers,
    )
    from mockclaude.server.skills import SKILL_ROUTES
    from mockclaude.server.stream import STREAM_STATS, StreamStats, write_reply
    from mockclaude.validate.request import MAX_BODY_BYTES  # Messages and count_tokens: 32 MB (api-spec §1.3)

log = logging.getLogger("mockclaude")


PIPELINE = web.AppKey("pipeline", Pipeline)


def _endpoint(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a handler: request id and base headers, ApiError -> error shape, anything else -> a logged 500."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        pipeline = request.app[PIPELINE]
        rate = pipeline.limiter.idle_headers()
        headers = base_headers(
            pipeline.next_request_id(), _org_id(pipeline.seed), pipeline.settings.clock, rate
        )
        try:
            return await handler(request, pipeline, headers)
        except ApiError as error:
            return error_response(error, headers)
        except (ConnectionResetError, web.HTTPException):
            raise
        except Exception:  # a bug in the mock must never surface as a traceback to the client
            log.exception("unhandled error on %s %s", request.method, request.path)
            return error_response(InternalServerError(), headers)

    return wrapped


ORG_ID = web.AppKey("org_id", str)
# Read per request from the pipeline's seed, not from ORG_ID: the seed can change at run time
# (``POST /_mock/seed``, a pytest marker), and the header must follow it.
_org_id = functools.lru_cache(maxsize=64)(organization_id)


async def create_message(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``POST /v1/messages``: JSON or SSE."""
    served = pipeline.messages(await read_body(request), request.headers, request_id=headers["request-id"])
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
    counted = pipeline.count_tokens(body, request.headers, request_id=headers["request-id"])
    if counted.headers:
        replace_rate_headers(headers, counted.headers)
    return json_response({"input_tokens": counted.total}, headers)


async def list_models(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``GET /v1/models``: newest first, paginated."""
    from mockclaude.validate.headers import authenticate

    authenticate(request.headers, pipeline.policy)
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

    authenticate(request.headers, pipeline.policy)
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


async def method_not_allowed(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """A known route with the wrong method."""
    raise MethodNotAllowedError(f"Method {request.method} is not allowed for {request.path}")


def create_app(settings: Settings | None = None, *, path_prefix: str = "") -> web.Application:
    """The application for one mock instance. API routes also answer under ``path_prefix`` (gateways)."""
    with gc_paused():  # the tokenizer, catalog and engine state: long-lived objects only
        pipeline = Pipeline(settings)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[PIPELINE] = pipeline
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
            resources[path].add_route(method, _endpoint(handler))
        for resource in resources.values():
            resource.add_route("*", _endpoint(method_not_allowed))
    app.router.add_route("GET", "/_mock/health", _endpoint(health))
    register_admin(app, _endpoint)
    app.router.add_route("*", "/{tail:.*}", _endpoint(not_found))
    return app
