"""The Message Batches routes (api-spec §0.3, §9.3): read the request, call the pipeline, write JSON or JSON Lines.

The batch state and its rules live in :mod:`mockclaude.batches`; the pipeline settles due batches before every
read (:meth:`~mockclaude.pipeline.Pipeline.settled_batches`). The edge adds what only it knows: the mock's own
origin and path prefix in ``results_url``, which the SDK downloads as an absolute URL.
"""

from __future__ import annotations

from aiohttp import web

from mockclaude.batches import MAX_BODY_BYTES, Batch
from mockclaude.pipeline import Pipeline
from mockclaude.server.respond import Handler, int_query, json_response, read_body, request_headers
from mockclaude.validate.headers import authenticate, check_version

__all__ = ["BATCH_ROUTES", "RESULTS_TYPE"]

BASE = "/v1/messages/batches"
# ⚠ unconfirmed: the content type of the results download (the SDK asks for application/binary and reads the
# body line by line, whatever it is labelled).
RESULTS_TYPE = "application/binary"


def _authorize(request: web.Request, pipeline: Pipeline) -> str:
    """Every batch route checks the credentials and ``anthropic-version`` as ``/v1/messages`` does; returns the
    API key, whose organization alone sees its batches (another's answer 404)."""
    headers = request_headers(request)
    api_key = authenticate(headers, pipeline.policy)
    check_version(headers)
    return api_key


def _results_url(request: web.Request, batch: Batch) -> str:
    """Where this mock serves the batch's results: the origin the client reached it at, plus the path prefix of
    the route it called (``/anthropic`` behind a gateway), so the SDK's absolute GET comes back here."""
    resource = request.match_info.route.resource
    pattern = resource.canonical if resource is not None else request.path
    prefix = pattern[: max(pattern.rfind(BASE), 0)]
    return f"{request.scheme}://{request.host}{prefix}{BASE}/{batch.id}/results"


def _batch_json(request: web.Request, batch: Batch) -> dict[str, object]:
    return batch.to_json(_results_url(request, batch) if batch.ended else None)


async def create(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``POST /v1/messages/batches``: the new batch, ``in_progress``."""
    body = await read_body(request, MAX_BODY_BYTES)  # up to 256 MB, beyond the 32 MB of Messages
    batch = pipeline.create_batch(body, request_headers(request), request_id=headers["request-id"])
    return json_response(batch, headers)


async def list_batches(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``GET /v1/messages/batches``: newest first, ``limit`` / ``after_id`` / ``before_id``."""
    api_key = _authorize(request, pipeline)
    page, has_more = pipeline.settled_batches().page(
        before_id=request.query.get("before_id"),
        after_id=request.query.get("after_id"),
        limit=int_query(request, "limit", 20),
        api_key=api_key,
    )
    data = [_batch_json(request, batch) for batch in page]
    payload = {
        "data": data,
        "has_more": has_more,
        "first_id": page[0].id if page else None,
        "last_id": page[-1].id if page else None,
    }
    return json_response(payload, headers)


async def retrieve(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /v1/messages/batches/{id}``: the batch as it is now (polled until ``ended``)."""
    api_key = _authorize(request, pipeline)
    batch = pipeline.settled_batches().get(request.match_info["batch_id"], api_key)
    return json_response(_batch_json(request, batch), headers)


async def cancel(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``POST /v1/messages/batches/{id}/cancel``: ``canceling`` until its end time, then ended and canceled."""
    api_key = _authorize(request, pipeline)
    now = pipeline.settings.clock.now()
    batch = pipeline.settled_batches().cancel(request.match_info["batch_id"], now, api_key)
    return json_response(_batch_json(request, batch), headers)


async def delete(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``DELETE /v1/messages/batches/{id}``: only once ended."""
    api_key = _authorize(request, pipeline)
    batch_id = request.match_info["batch_id"]
    pipeline.settled_batches().delete(batch_id, api_key)
    return json_response({"id": batch_id, "type": "message_batch_deleted"}, headers)


async def results(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /v1/messages/batches/{id}/results``: JSON Lines, one per request, in request order."""
    api_key = _authorize(request, pipeline)
    body = pipeline.settled_batches().get(request.match_info["batch_id"], api_key).results()
    return web.Response(body=body, content_type=RESULTS_TYPE, headers=headers)


BATCH_ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", BASE, create),
    ("GET", BASE, list_batches),
    ("GET", BASE + "/{batch_id}", retrieve),
    ("DELETE", BASE + "/{batch_id}", delete),
    ("POST", BASE + "/{batch_id}/cancel", cancel),
    ("GET", BASE + "/{batch_id}/results", results),
]
"""``(method, path, handler)`` of every batch route; ``server/app.py`` registers them under every path prefix."""
