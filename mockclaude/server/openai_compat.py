"""``POST /v1/chat/completions``: the OpenAI-compatible endpoint (CometAPI's, and Anthropic's compatibility layer;
api-spec §12), answered by the same pipeline as ``/v1/messages``.

The edge translates, the core decides (DESIGN.md rule 1): ``validate.openai_chat`` rewrites the OpenAI body into a
Messages body, ``Pipeline.messages`` decides the reply exactly as for ``/v1/messages`` (stubs, usage, the catalog,
rate limits, the journal, which records the translated request), and ``render.openai_chat`` lays the reply out as
a ``chat.completion`` or a ``chat.completion.chunk`` stream. Errors use OpenAI's shape
``{"error": {"message", "type", "param", "code"}}`` with the Anthropic status and ``error.type``.

Pacing: a reply's latency is acted out with the same waits as its Anthropic stream (server/pacing.py). Faults:
``stream_error`` ends a stream with an error chunk (and is an error response when not streaming, as for
``/v1/messages``); ⚠ unconfirmed: the other fault kinds (drop, stall, malformed, empty_body, slow_headers) are
not acted out here: the reply is served whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from aiohttp import web

from mockclaude.clock import Clock
from mockclaude.model.errors import ApiError
from mockclaude.model.reply import Reply
from mockclaude.pipeline import Pipeline
from mockclaude.render.openai_chat import completion_bytes, error_chunk, stream_chunks
from mockclaude.render.sse import frames
from mockclaude.server.pacing import plan_waits
from mockclaude.server.respond import (
    JSON_TYPE,
    SSE_TYPE,
    Handler,
    dumps,
    error_headers,
    read_body,
    request_headers,
)
from mockclaude.server.stream import wait_for_client
from mockclaude.validate.headers import authenticate
from mockclaude.validate.openai_chat import COMPAT_API_VERSION, ChatRequest, translate_request

__all__ = ["CHAT_ROUTES", "chat_completions", "openai_error_response"]


async def chat_completions(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``POST /v1/chat/completions``: JSON or an SSE stream of chunks, errors in OpenAI's shape."""
    body = b""
    # Lower-cased names, as the validator expects; the layer needs no anthropic-version from OpenAI clients.
    sent = {name.lower(): value for name, value in request_headers(request).items()}
    try:
        body = await read_body(request)
        authenticate(sent, pipeline.policy)  # a wrong key is a 401 whatever the body says, as on /v1/messages
        chat = translate_request(body)
    except ApiError as error:
        return _refused(pipeline, error, headers, sent, body)
    try:
        served = pipeline.messages(
            chat.body, {**sent, "anthropic-version": COMPAT_API_VERSION}, request_id=headers["request-id"]
        )
    except ApiError as error:  # journaled by the pipeline
        return openai_error_response(error, headers)
    headers.update(served.headers)
    headers.update(served.reply.headers)
    settings = pipeline.settings
    created = int(settings.clock.now())
    reply = served.reply
    if reply.wire is not None:  # a recorded Messages reply: its content, laid out as OpenAI chunks
        reply = dataclasses.replace(reply, wire=None, latency=None)
    latency = reply.latency
    scale = latency.scale(settings.time_scale) if latency is not None else 0.0
    waits = plan_waits(frames(reply), reply, latency, scale, settings.seed) if latency and scale > 0 else None
    if not chat.stream:
        if waits and not await wait_for_client(request, settings.clock, sum(waits)):
            return web.Response(status=200)  # the client left: never sent
        payload = completion_bytes(reply, created=created)
        return web.Response(body=payload, content_type=JSON_TYPE, headers=headers)
    return await _stream(request, reply, chat, created, headers, waits, settings.clock)


def _refused(
    pipeline: Pipeline, error: ApiError, headers: dict[str, str], sent: Mapping[str, str], body: bytes
) -> web.Response:
    """An error found before the pipeline (credentials, the OpenAI body): journaled like any other request."""
    clock = pipeline.settings.clock
    pipeline.journal.begin("messages", headers["request-id"], clock.now(), sent, body).failed(error)
    return openai_error_response(error, headers)


def openai_error_response(error: ApiError, headers: dict[str, str]) -> web.Response:
    """``{"error": {"message", "type", "param": null, "code": null}}`` with the error's real status and headers.

    ⚠ unconfirmed: ``type`` is the Anthropic ``error.type`` (api-spec §12: the CometAPI / new-api convention;
    Anthropic's own layer may answer in the Anthropic shape).
    """
    out = error_headers(error, headers)
    payload = {"error": {"message": error.message, "type": error.error_type, "param": None, "code": None}}
    return web.Response(status=error.status, body=dumps(payload), content_type=JSON_TYPE, headers=out)


async def _stream(
    request: web.Request,
    reply: Reply,
    chat: ChatRequest,
    created: int,
    headers: dict[str, str],
    waits: list[float] | None,
    clock: Clock,
) -> web.StreamResponse:
    """Write the chunks, paced like the Anthropic stream of the same reply, until ``[DONE]`` or the fault."""
    groups = stream_chunks(reply, created=created, include_usage=chat.include_usage)
    fault = reply.fault if reply.fault is not None and reply.fault.kind == "stream_error" else None
    strike = fault.strikes_at(len(groups)) if fault is not None else len(groups)
    headers["Content-Type"] = SSE_TYPE
    headers["Cache-Control"] = "no-cache"
    response = web.StreamResponse(status=200, headers=headers)
    await response.prepare(request)
    pending: list[bytes] = []
    try:
        for index, group in enumerate(groups):
            if index == strike and fault is not None:
                pending.append(error_chunk(fault.error_type, fault.error_message))
                break
            if waits is not None and waits[index] > 0:
                await _flush(response, pending)
                if not await wait_for_client(request, clock, waits[index]):
                    return response
            pending.extend(group)
        await _flush(response, pending)
        await response.write_eof()
    except ConnectionResetError:  # the client went away mid-stream: nothing to clean up
        pass
    return response


async def _flush(response: web.StreamResponse, pending: list[bytes]) -> None:
    if pending:
        data = b"".join(pending)
        pending.clear()
        await response.write(data)


CHAT_ROUTES: list[tuple[str, str, Handler]] = [("POST", "/v1/chat/completions", chat_completions)]
"""The routes of this module, registered by ``server/app.py`` under every path prefix."""
