"""Where a request's cache breakpoints sit and the fingerprint of every prefix (api-spec §6.1, §6.2, §6.7).

A breakpoint is the index of a :class:`~mockclaude.tokenize.accounting.Segment` (one top-level block of the prompt
in the order ``tools`` → ``system`` → ``messages``) plus its TTL. The fingerprint of the prefix through segment
``i`` is a rolling hash seeded by the scope (API key and model, so nothing crosses keys or models) over every
block's content digest, its path and its role, with two "tier" salts mixed in where §6.7 says a setting starts
to matter:

* the **system salt**, before the first system or message block: ``speed`` and whether any document has
  citations enabled (§6.7: those invalidate the system and messages caches but not the tools cache);
* the **messages salt**, before the first message block: ``tool_choice``, the thinking parameters and whether
  the prompt holds any image (§6.7: those invalidate only the messages cache).

Tool definitions and the model need no salt: the tools are the start of every prefix and the model is in the
scope, so changing either changes every fingerprint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mockclaude.model.request import ValidatedRequest
from mockclaude.tokenize.accounting import Segment

# §6.2: from each breakpoint the service checks at most 20 block boundaries (the breakpoint's own included:
# "30 blocks, breakpoint on 30 … the window is blocks 30…11") for the longest prefix already written.
LOOKBACK_BLOCKS = 20

TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}

# Blocks the automatic (top-level) cache_control skips when it looks for the last cacheable block (§6.1).
_UNMARKABLE = frozenset({"thinking", "redacted_thinking"})
# Block types that hold other blocks (``content`` or ``source.content``); every other type is a leaf. Checking the
# type first matters: a missing attribute on a pydantic model costs a raised AttributeError.
_CONTAINERS = frozenset({"tool_result", "search_result", "document", "mcp_tool_result"})


def _children(block: Any) -> list[Any]:
    children: list[Any] = []
    content = getattr(block, "content", None)
    if isinstance(content, list):
        children.extend(content)
    source_content = getattr(getattr(block, "source", None), "content", None)
    if isinstance(source_content, list):
        children.extend(source_content)
    return children


@dataclass(frozen=True, slots=True)
class Breakpoint:
    """A cache breakpoint: the segment it closes (index into ``PromptLayout.segments``) and its TTL."""

    index: int
    ttl: str  # "5m" | "1h"


def _nested_ttls(block: Any) -> Iterator[str]:
    """TTLs of ``cache_control`` marks on blocks nested inside ``block`` (tool_result / search_result content,
    document content sources)."""
    for child in _children(block):
        control = getattr(child, "cache_control", None)
        if control is not None:
            yield control.ttl or "5m"
        if child.type in _CONTAINERS:
            yield from _nested_ttls(child)


def _automatic_path(req: ValidatedRequest) -> str | None:
    """The path of the block the top-level ``cache_control`` lands on: the last cacheable block (§6.1)."""
    params = req.params
    for m in range(len(params.messages) - 1, -1, -1):
        content = params.messages[m].content
        for b in range(len(content) - 1, -1, -1):
            block = content[b]
            if block.type in _UNMARKABLE or (block.type == "text" and not getattr(block, "text", "")):
                continue
            return f"messages.{m}.content.{b}"
    if params.system:
        return f"system.{len(params.system) - 1}"
    if params.tools:
        return f"tools.{len(params.tools) - 1}"
    return None


def find_breakpoints(req: ValidatedRequest, segments: Sequence[Segment]) -> list[Breakpoint]:
    """Every breakpoint of the request in prompt order, one per segment (the longer TTL wins on a tie).

    Explicit marks on top-level blocks come from ``Segment.cache_ttl``. A mark on a nested block (inside a
    ``tool_result``, a ``search_result`` or a document's content source) is placed on the top-level block that
    holds it. ⚠ unconfirmed: the real service may cache up to the nested block itself; the mock rounds the
    prefix up to the end of the enclosing block, which only differs when the nested block is not the last one.
    The top-level ``cache_control`` adds a breakpoint on the last cacheable block (§6.1).
    """
    params = req.params
    ttls: dict[int, str] = {}
    by_path: dict[str, int] | None = None

    def mark(index: int, ttl: str) -> None:
        if ttls.get(index) != "1h":
            ttls[index] = ttl

    for i, segment in enumerate(segments):
        if segment.cache_ttl is not None:
            mark(i, segment.cache_ttl)
    for m, message in enumerate(params.messages):
        for b, block in enumerate(message.content):
            if block.type not in _CONTAINERS:
                continue
            for ttl in _nested_ttls(block):
                by_path = by_path or {s.path: i for i, s in enumerate(segments)}
                index = by_path.get(f"messages.{m}.content.{b}")
                if index is not None:
                    mark(index, ttl)
    if params.cache_control is not None:
        path = _automatic_path(req)
        if path is not None:
            by_path = by_path or {s.path: i for i, s in enumerate(segments)}
            index = by_path.get(path)
            if index is not None and index not in ttls:
                # A block already marked keeps its own mark: the automatic one adds nothing (validate/blocks.py
                # counts it the same way toward the limit of 4).
                ttls[index] = params.cache_control.ttl or "5m"
    return [Breakpoint(i, ttls[i]) for i in sorted(ttls)]


def _has_image(blocks: Sequence[Any]) -> bool:
    for block in blocks:
        kind = block.type
        if kind == "image" or (kind in _CONTAINERS and _has_image(_children(block))):
            return True
    return False


def _citations_on(blocks: Sequence[Any]) -> bool:
    for block in blocks:
        kind = block.type
        if kind in ("document", "search_result") and getattr(block.citations, "enabled", False):
            return True
        if kind in _CONTAINERS and _citations_on(_children(block)):
            return True
    return False


def tier_salts(req: ValidatedRequest) -> tuple[bytes, bytes]:
    """``(system salt, messages salt)``: the request settings that invalidate a tier of the cache (§6.7)."""
    params = req.params
    blocks = [block for message in params.messages for block in message.content]
    speed = params.speed or "standard"
    system = f"speed={speed};citations={_citations_on(blocks)}"
    choice = params.tool_choice.model_dump_json(exclude_none=True) if params.tool_choice is not None else "-"
    thinking = req.thinking
    # ⚠ unconfirmed: §6.7 names "enable/disable/budget"; whether `display` also counts is not documented, so
    # it is left out. Image *presence* (not count) per §6.11.
    messages = (
        f"tool_choice={choice};thinking={thinking.mode}/{thinking.budget_tokens};images={_has_image(blocks)}"
    )
    return system.encode(), messages.encode()


def scope_seed(api_key: str, model_id: str) -> bytes:
    """The start of every fingerprint in one scope: entries never cross API keys or models (§6.2 isolation)."""
    return hashlib.blake2b(f"{api_key}\x1f{model_id}".encode(), digest_size=16).digest()


def prefix_keys(req: ValidatedRequest, segments: Sequence[Segment], upto: int) -> list[bytes]:
    """The fingerprint of the prefix through each segment ``0..upto`` (the cache key of a breakpoint there)."""
    system_salt, messages_salt = tier_salts(req)
    roles = [message.role for message in req.params.messages]
    h = scope_seed(req.api_key, req.model.id)
    keys: list[bytes] = []
    salted_system = salted_messages = False
    blake = hashlib.blake2b
    for segment in segments[: upto + 1]:
        part = segment.part
        if part != "tools" and not salted_system:
            h = blake(h + b"\x00system\x00" + system_salt, digest_size=16).digest()
            salted_system = True
        tag = segment.path
        if part == "messages":
            if not salted_messages:
                h = blake(h + b"\x00messages\x00" + messages_salt, digest_size=16).digest()
                salted_messages = True
            # The role is not in the path; two prompts that differ only in a turn's role must not share keys.
            tag += "@" + roles[int(segment.path.split(".", 2)[1])]
        h = blake(h + tag.encode() + b"\x00" + segment.digest, digest_size=16).digest()
        keys.append(h)
    return keys
