"""Cursor pagination shared by the list endpoints (``GET /v1/models``, ``GET /v1/messages/batches``, and the
``page`` tokens of ``GET /v1/files`` and ``GET /v1/skills``).

Both list newest first and take ``after_id`` (the page right after that item: older ones), ``before_id`` (the page
right before it: newer ones) and ``limit`` (1 to 1000, default 20), with the same texts for a bad ``limit``
(api-spec §9.2, §9.3). Each endpoint resolves its own cursors (a model alias; a deleted batch) to a position.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from mockclaude.model.errors import InvalidRequestError

T = TypeVar("T")


def check_limit(limit: object) -> int:
    """``limit`` as the API validates it: an integer from 1 to 1000, else a 400 with pydantic's text."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidRequestError("limit: Input should be a valid integer")
    if limit < 1:
        raise InvalidRequestError("limit: Input should be greater than or equal to 1")
    if limit > 1000:
        raise InvalidRequestError("limit: Input should be less than or equal to 1000")
    return limit


def cursor_page(
    items: Sequence[T],
    position: Callable[[T], int],
    *,
    after: int | None = None,
    before: int | None = None,
    limit: int = 20,
) -> tuple[list[T], bool]:
    """One page of ``items`` (listed newest first) and whether more remain past it.

    ``position(item)`` grows along the list; ``after`` / ``before`` are the cursors' positions on the same scale
    (a cursor need not be in ``items``: filtered out, or deleted). With only ``before``, the page is the one just
    before that cursor and ``has_more`` says whether newer items remain; otherwise it starts right after
    ``after`` (or at the top) and ``has_more`` says whether older items remain.
    """
    limit = check_limit(limit)
    window = [item for item in items if (after is None or position(item) > after)]
    if before is not None:
        window = [item for item in window if position(item) < before]
    if before is not None and after is None:
        return window[-limit:], len(window) > limit
    return window[:limit], len(window) > limit


def page_token(kind: str, position: int) -> str:
    """An opaque ``page_…`` token for the page after ``position`` of a ``kind`` of list (SDK 2.17: "Opaque page
    cursor returned in a prior list response's `next_page`. Prefixed `page_`")."""
    return "page_" + base64.urlsafe_b64encode(f"{kind}{position}".encode()).decode().rstrip("=")


def token_position(kind: str, token: str) -> int | None:
    """The position a :func:`page_token` of ``kind`` names; ``None`` when it is not one (the caller's 400)."""
    if not token.startswith("page_"):
        return None
    raw = token[5:]
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    digits = decoded[len(kind) :]
    if not decoded.startswith(kind) or not digits.isdigit():
        return None
    return int(digits)
