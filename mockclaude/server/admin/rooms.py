"""Admin routes for the API rooms that hold user state: files (and, through them, what a tool "created")."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from mockclaude.files import metadata
from mockclaude.model.errors import InvalidRequestError
from mockclaude.pipeline import Pipeline
from mockclaude.server.admin.base import admin_route, json_object
from mockclaude.server.respond import json_response

_FILE_KEYS = frozenset(
    {"api_key", "filename", "content", "content_base64", "mime_type", "downloadable", "expires_in_seconds"}
)


def _text(data: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise InvalidRequestError(f"{name}: Field required")
        return None
    if not isinstance(value, str):
        raise InvalidRequestError(f"{name}: Input should be a valid string")
    return value


def file_content(data: dict[str, Any]) -> bytes:
    """The bytes of ``{"content": text}`` (UTF-8) or ``{"content_base64": b64}``: exactly one of them."""
    text, encoded = _text(data, "content"), _text(data, "content_base64")
    if (text is None) == (encoded is None):
        raise InvalidRequestError("content: give exactly one of `content` and `content_base64`")
    if text is not None:
        return text.encode()
    try:
        return base64.b64decode(encoded or "", validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequestError("content_base64: Invalid base64 data") from None


@admin_route("POST", "/files")
async def add_file(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``POST /_mock/files {"api_key", "filename", "content" | "content_base64", "mime_type"?,
    "downloadable"?}``: put a file in a key's organization as a skill or the code execution tool would have
    created it (``downloadable`` defaults to true); answers its ``FileMetadata``."""
    data = await json_object(request, _FILE_KEYS)
    downloadable = data.get("downloadable", True)
    if not isinstance(downloadable, bool):
        raise InvalidRequestError("downloadable: Input should be a valid boolean")
    expires = data.get("expires_in_seconds")
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int) or expires <= 0):
        raise InvalidRequestError("expires_in_seconds: Input should be a positive integer")
    record = pipeline.files.add(
        _text(data, "api_key", required=True) or "",
        file_content(data),
        filename=_text(data, "filename", required=True) or "",
        mime_type=_text(data, "mime_type"),
        downloadable=downloadable,
        expires_in_seconds=expires,
    )
    return json_response(metadata(record), headers)
