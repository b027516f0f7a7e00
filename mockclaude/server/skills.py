"""The Skills API routes (GA in SDK 2.17, ``resources/skills/``): read the request, call the service, write JSON.

Rules and state live in :mod:`mockclaude.skills`; this edge authenticates (every key is its own organization),
reads multipart uploads (30 MB of files) and the query. ``client.beta.skills`` (``?beta=true``) reaches the same
routes with the same shapes (SDK CHANGELOG 1.2.0).

⚠ not modelled: the beta-only ``GET /v1/skills/{id}/versions/{version}/content`` archive, and the older beta
shapes a raw request with ``skills-2025-10-02`` still receives (``display_title``, epoch ``version`` fields).
"""

from __future__ import annotations

from aiohttp import web

from mockclaude.pipeline import Pipeline
from mockclaude.server.respond import Handler, int_query, json_response, read_body
from mockclaude.skills import UPLOAD_BODY_BYTES
from mockclaude.validate.headers import authenticate, check_version

__all__ = ["SKILL_ROUTES"]

BASE = "/v1/skills"


def _scope(request: web.Request, pipeline: Pipeline) -> str:
    key = authenticate(request.headers, pipeline.policy)
    check_version(request.headers)
    return key


def _paging(request: web.Request) -> tuple[int | None, str | None]:
    limit = int_query(request, "limit", 20) if "limit" in request.query else None
    return limit, request.query.get("page")


async def create(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``POST /v1/skills``: multipart ``files[]`` (+ ``display_name``) -> the Skill."""
    scope = _scope(request, pipeline)
    body = await read_body(request, UPLOAD_BODY_BYTES)
    return json_response(pipeline.skills.create(scope, body, request.headers.get("Content-Type")), headers)


async def list_skills(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``GET /v1/skills``: ``limit``, ``page``, ``source``."""
    scope = _scope(request, pipeline)
    limit, page = _paging(request)
    source = request.query.get("source")
    return json_response(pipeline.skills.page(scope, limit=limit, page=page, source=source), headers)


async def retrieve(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /v1/skills/{skill_id}``."""
    scope = _scope(request, pipeline)
    return json_response(pipeline.skills.get(scope, request.match_info["skill_id"]), headers)


async def delete(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``DELETE /v1/skills/{skill_id}``: with all its versions."""
    scope = _scope(request, pipeline)
    return json_response(pipeline.skills.delete(scope, request.match_info["skill_id"]), headers)


async def create_version(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``POST /v1/skills/{skill_id}/versions``: multipart ``files[]`` -> the new SkillVersion."""
    scope = _scope(request, pipeline)
    body = await read_body(request, UPLOAD_BODY_BYTES)
    content_type = request.headers.get("Content-Type")
    version = pipeline.skills.create_version(scope, request.match_info["skill_id"], body, content_type)
    return json_response(version, headers)


async def list_versions(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``GET /v1/skills/{skill_id}/versions``: ``limit``, ``page``."""
    scope = _scope(request, pipeline)
    limit, page = _paging(request)
    versions = pipeline.skills.versions_page(scope, request.match_info["skill_id"], limit=limit, page=page)
    return json_response(versions, headers)


async def retrieve_version(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``GET /v1/skills/{skill_id}/versions/{version}``: a version id, or ``latest``."""
    scope = _scope(request, pipeline)
    match = request.match_info
    return json_response(pipeline.skills.get_version(scope, match["skill_id"], match["version"]), headers)


async def delete_version(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``DELETE /v1/skills/{skill_id}/versions/{version}``."""
    scope = _scope(request, pipeline)
    match = request.match_info
    return json_response(pipeline.skills.delete_version(scope, match["skill_id"], match["version"]), headers)


SKILL_ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", BASE, create),
    ("GET", BASE, list_skills),
    ("GET", BASE + "/{skill_id}", retrieve),
    ("DELETE", BASE + "/{skill_id}", delete),
    ("POST", BASE + "/{skill_id}/versions", create_version),
    ("GET", BASE + "/{skill_id}/versions", list_versions),
    ("GET", BASE + "/{skill_id}/versions/{version}", retrieve_version),
    ("DELETE", BASE + "/{skill_id}/versions/{version}", delete_version),
]
"""``(method, path, handler)`` of every Skills route; ``server/app.py`` registers them under every path prefix."""
