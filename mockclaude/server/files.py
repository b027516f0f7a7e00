"""The Files API routes (GA in SDK 2.17, ``resources/files.py``): read the request, call the service, write bytes.

Rules and state live in :mod:`mockclaude.files`; this edge only authenticates (every key is its own
organization), reads the body (up to a 500 MB file plus its multipart envelope) and the query, and lays the
answers out. The beta namespace (``client.beta.files``, ``?beta=true``) reaches the same routes.
"""

from __future__ import annotations

import urllib.parse

from aiohttp import web

from mockclaude.files import UPLOAD_BODY_BYTES, metadata
from mockclaude.pipeline import Pipeline
from mockclaude.server.respond import Handler, int_query, json_response, read_body
from mockclaude.validate.headers import authenticate, check_version, parse_betas

__all__ = ["FILE_ROUTES"]

BASE = "/v1/files"
LEGACY_BETA = (
    "files-api-2025-04-14"  # still sent on raw HTTP: the list keeps its beta shape (SDK 2.17 CHANGELOG)
)


def _scope(request: web.Request, pipeline: Pipeline) -> str:
    """The organization the request acts for: its API key (credentials and ``anthropic-version`` checked)."""
    key = authenticate(request.headers, pipeline.policy)
    check_version(request.headers)
    return key


async def upload(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``POST /v1/files``: multipart ``file`` (+ ``expires_in_seconds``) -> ``FileMetadata``."""
    scope = _scope(request, pipeline)
    body = await read_body(request, UPLOAD_BODY_BYTES)
    record = pipeline.files.upload(scope, body, request.headers.get("Content-Type"))
    return json_response(metadata(record), headers)


async def list_files(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /v1/files``: newest first; ``page`` / ``limit``, or ``ids[]`` (the old beta: ``after_id`` /
    ``before_id``)."""
    scope = _scope(request, pipeline)
    query = request.query
    file_ids = query.getall("ids[]", []) + query.getall("ids", [])
    page = pipeline.files.page(
        scope,
        file_ids=file_ids if ("ids[]" in query or "ids" in query) else None,
        limit=int_query(request, "limit", 20) if "limit" in query else None,
        page=query.get("page"),
        after_id=query.get("after_id"),
        before_id=query.get("before_id"),
        legacy=LEGACY_BETA in parse_betas(request.headers, pipeline.policy),
    )
    return json_response(page, headers)


async def retrieve(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /v1/files/{file_id}``: the metadata (expired files too)."""
    scope = _scope(request, pipeline)
    return json_response(metadata(pipeline.files.get(scope, request.match_info["file_id"])), headers)


async def download(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /v1/files/{file_id}/content``: the bytes of a downloadable file, typed with its MIME type.

    ⚠ unconfirmed: the response headers beyond ``Content-Type`` (a ``Content-Disposition`` naming the file is
    what a download usually carries; the SDK reads only the body).
    """
    scope = _scope(request, pipeline)
    record = pipeline.files.download(scope, request.match_info["file_id"])
    name = record.filename
    disposition = (
        f'attachment; filename="{name}"'
        if name.isascii()
        else f"attachment; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"
    )
    headers = {**headers, "Content-Disposition": disposition}
    return web.Response(body=record.data, content_type=record.mime_type, headers=headers)


async def delete(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``DELETE /v1/files/{file_id}``: ``{"id", "type": "file_deleted"}``."""
    scope = _scope(request, pipeline)
    file_id = request.match_info["file_id"]
    pipeline.files.delete(scope, file_id)
    return json_response({"id": file_id, "type": "file_deleted"}, headers)


FILE_ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", BASE, upload),
    ("GET", BASE, list_files),
    ("GET", BASE + "/{file_id}", retrieve),
    ("DELETE", BASE + "/{file_id}", delete),
    ("GET", BASE + "/{file_id}/content", download),
]
"""``(method, path, handler)`` of every Files route; ``server/app.py`` registers them under every path prefix."""
