"""What a journal entry may cost: large bodies kept shortened, with a marker, and a byte estimate per entry.

The journal keeps 1,000 entries by default; before these bounds each kept its whole body and parsed request
(31 MB measured for one entry; a valid 4.5 MB request cost 115 MB), so a few large requests held gigabytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from mockclaude.model.jsonbody import loads

__all__ = ["ENTRY_BODY_BYTES", "JOURNAL_BYTES", "STRING_KEEP", "entry_cost", "shorten"]

JOURNAL_BYTES = 128 * 1024 * 1024
"""About how many bytes the whole journal may hold (``Settings.journal_bytes``); the oldest entries go first."""
ENTRY_BODY_BYTES = 1024 * 1024
"""A body over this size is kept shortened (its long strings cut, else its first bytes) and without its parsed
request (searches validate the shortened body again)."""
STRING_KEEP = 4096
"""How many characters of each long string a shortened body keeps."""


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > STRING_KEEP:
        return value[:STRING_KEEP] + f"…[mockclaude: {len(value)} characters, shortened for the journal]"
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut(v) for v in value]
    return value


def shorten(body: bytes) -> bytes:
    """``body`` as the journal keeps it: itself when small; else the same JSON with every long string cut to
    :data:`STRING_KEEP` characters and a marker; else (not JSON, or still too large) its first
    :data:`ENTRY_BODY_BYTES` bytes and a marker (then ``entry.body`` is that text)."""
    if len(body) <= ENTRY_BODY_BYTES:
        return body
    try:
        cut = orjson.dumps(_cut(loads(body)))
    except (orjson.JSONDecodeError, orjson.JSONEncodeError, RecursionError):
        cut = body
    if len(cut) <= ENTRY_BODY_BYTES:
        return cut
    marker = f"…[mockclaude: {len(body)} bytes, shortened for the journal]".encode()
    return body[:ENTRY_BODY_BYTES] + marker


def entry_cost(body: bytes, headers: Mapping[str, str], kept_request: bool, original: int) -> int:
    """A rough size of one entry: the kept body, the parsed request if kept (about the body's size again), the
    headers and the entry itself."""
    head = sum(len(k) + len(v) for k, v in headers.items())
    return len(body) + (original if kept_request else 0) + head + 1024
