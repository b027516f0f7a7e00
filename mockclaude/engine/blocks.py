"""Content blocks in their three forms (final JSON, ``content_block_start`` form, deltas), for generated and
scripted replies alike. Deltas are decided here, so the renderers only lay them out (DESIGN.md rule 2)."""

from __future__ import annotations

import random
from typing import Any

import orjson

from mockclaude.engine import chunking
from mockclaude.model.reply import JSON, ReplyBlock
from mockclaude.tokenize.encoding import TokenCounter

TOOL_USE_FRAMING_TOKENS = 12
"""Output tokens a tool call costs beyond its name and JSON input: the call's own framing. An estimate."""


def text_block(text: str, rng: random.Random, citations: list[JSON] | None = None) -> ReplyBlock:
    """A ``text`` block; citations (if any) stream as ``citations_delta`` events before the text deltas, and the
    block's ``content_block_start`` carries ``citations: []``, as recorded real streams show (document and web
    search citations alike: the cited block starts ``{"citations": [], "type": "text", "text": ""}``, then its
    ``citations_delta``, then its text)."""
    final: JSON = {"type": "text", "text": text}
    start: JSON = {"type": "text", "text": ""}
    deltas: list[JSON] = []
    if citations:
        final["citations"] = citations
        start["citations"] = []
        deltas = [{"type": "citations_delta", "citation": c} for c in citations]
    deltas += chunking.text_deltas(chunking.text_chunks(text, rng))
    return ReplyBlock(final=final, start=start, deltas=deltas)


def thinking_block(text: str, signature: str, rng: random.Random) -> ReplyBlock:
    """A ``thinking`` block: thinking deltas in sentence batches, then exactly one ``signature_delta``.

    With ``display: "omitted"`` the text is empty and only the signature streams (api-spec §4.3).
    """
    deltas: list[JSON] = [
        {"type": "thinking_delta", "thinking": c} for c in chunking.sentence_chunks(text, rng)
    ]
    deltas.append({"type": "signature_delta", "signature": signature})
    return ReplyBlock(
        final={"type": "thinking", "thinking": text, "signature": signature},
        start={"type": "thinking", "thinking": "", "signature": ""},
        deltas=deltas,
    )


def tool_use_block(
    kind: str, tool_id: str, name: str, value: Any, rng: random.Random, payload: str | None = None
) -> ReplyBlock:
    """A ``tool_use`` or ``server_tool_use`` block: starts with ``input: {}``, then ``input_json_delta`` pieces.

    ``payload`` is the streamed JSON text when it is not ``value`` in full (a call cut by ``max_tokens``: the
    text is unfinished and ``value`` is what parses of it).
    """
    if payload is None:
        payload = orjson.dumps(value).decode()
    return ReplyBlock(
        final={"type": kind, "id": tool_id, "name": name, "input": value},
        start={"type": kind, "id": tool_id, "name": name, "input": {}},
        deltas=[{"type": "input_json_delta", "partial_json": c} for c in chunking.json_chunks(payload, rng)],
    )


def whole_block(final: JSON) -> ReplyBlock:
    """A block sent complete in ``content_block_start`` with no deltas (redacted thinking, tool results)."""
    return ReplyBlock(final=final, start=dict(final))


def output_tokens(counter: TokenCounter, final: JSON) -> int:
    """Output tokens a block costs. Tool results and citations' ``cited_text`` are not output (§3.3)."""
    kind = final.get("type")
    if kind == "text":
        return counter.count(final["text"])
    if kind == "thinking":
        return counter.count(final["thinking"])
    if kind == "redacted_thinking":
        return max(1, len(final.get("data", "")) // 6)
    if kind in ("tool_use", "server_tool_use"):
        payload = orjson.dumps(final.get("input", {})).decode()
        return counter.count(final["name"]) + counter.count(payload) + TOOL_USE_FRAMING_TOKENS
    return 0


def with_ids(blocks: list[ReplyBlock], ids_by_index: dict[int, str]) -> list[ReplyBlock]:
    """Blocks with fresh tool ids: ``tool_use`` / ``server_tool_use`` at the given indices get their new id, and
    result blocks pointing at a replaced id follow. Blocks are shared, so they are copied, never mutated."""
    if not ids_by_index:
        return blocks
    renamed: dict[str, str] = {}
    out: list[ReplyBlock] = []
    for i, block in enumerate(blocks):
        new_id = ids_by_index.get(i)
        if new_id is not None:
            renamed[block.final["id"]] = new_id
            out.append(
                ReplyBlock(
                    final={**block.final, "id": new_id},
                    start={**block.start, "id": new_id},
                    deltas=block.deltas,
                )
            )
        elif "tool_use_id" in block.final and block.final["tool_use_id"] in renamed:
            final = {**block.final, "tool_use_id": renamed[block.final["tool_use_id"]]}
            out.append(ReplyBlock(final=final, start=dict(final), deltas=block.deltas))
        else:
            out.append(block)
    return out
