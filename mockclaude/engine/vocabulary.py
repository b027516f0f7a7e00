"""The closed vocabulary of replies: every key a reply, a content block, a citation or a usage override may hold.

The compiler (``reply_spec``) rejects anything else; the JSON Schema (``mockclaude.script.schema``) is built from
these tables, so the two cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import typing

from mockclaude.engine import servertools
from mockclaude.model.faults import Fault, FaultKind, Latency

STOP_REASONS = (
    "end_turn",
    "max_tokens",
    "stop_sequence",
    "tool_use",
    "pause_turn",
    "refusal",
    "model_context_window_exceeded",
)
REFUSAL_CATEGORIES = ("cyber", "bio", "frontier_llm", "reasoning_extraction", "general_harms")

REPLY_KEYS = (
    "content",
    "text",
    "stop_reason",
    "stop_sequence",
    "stop_details",
    "usage",
    "headers",
    "error",
    "fault",
    "latency",
    "model",
    "container",
    "recorded",
)
"""Keys of one reply (``reply:`` or an item of ``sequence:``). ``recorded`` (engine/recorded.py) takes no other."""
ERROR_REPLY_KEYS = ("error", "headers")
ERROR_KEYS = ("type", "message", "status", "headers", "details")

RESULT_BLOCK_TYPES = tuple(sorted(set(servertools.RESULT_TYPES.values())))
BLOCK_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("type", "text", "citations"),
    "thinking": ("type", "thinking", "signature"),
    "redacted_thinking": ("type", "data"),
    "tool_use": ("type", "name", "input", "id"),
    "server_tool_use": ("type", "name", "input", "id", "result"),
    "container_upload": ("type", "file_id"),
    **{t: ("type", "content", "tool_use_id") for t in RESULT_BLOCK_TYPES},
}
"""Content block type -> its allowed keys."""
REQUIRED_BLOCK_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("text",),
    "thinking": ("thinking",),
    "tool_use": ("name",),
    "server_tool_use": ("name",),
    "container_upload": ("file_id",),
    **{t: ("content",) for t in RESULT_BLOCK_TYPES},
}

CITATION_KEYS: dict[str, tuple[str, ...]] = {
    "char_location": (
        "cited_text",
        "document_index",
        "document_title",
        "start_char_index",
        "end_char_index",
        "file_id",
    ),
    "page_location": (
        "cited_text",
        "document_index",
        "document_title",
        "start_page_number",
        "end_page_number",
        "file_id",
    ),
    "content_block_location": (
        "cited_text",
        "document_index",
        "document_title",
        "start_block_index",
        "end_block_index",
        "file_id",
    ),
    "web_search_result_location": ("cited_text", "url", "title", "encrypted_index"),
    "search_result_location": (
        "cited_text",
        "source",
        "title",
        "search_result_index",
        "start_block_index",
        "end_block_index",
    ),
}
"""Citation type -> its keys (besides ``type``); all are required except ``CITATION_OPTIONAL``."""
CITATION_OPTIONAL = frozenset({"document_title", "file_id", "title", "encrypted_index"})

USAGE_KEYS: dict[str, tuple[str, ...]] = {
    "input_tokens": (),
    "output_tokens": (),
    "cache_creation_input_tokens": (),
    "cache_read_input_tokens": (),
    "cache_creation": ("ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"),
    "server_tool_use": ("web_search_requests", "web_fetch_requests"),
    "output_tokens_details": ("thinking_tokens",),
    "service_tier": (),
    "inference_geo": (),
    "speed": (),
}
"""``usage`` override keys (wire names); a tuple lists the keys of a nested object."""
USAGE_STRINGS = ("service_tier", "inference_geo", "speed")

FAULT_KEYS = tuple(f.name for f in dataclasses.fields(Fault))
LATENCY_KEYS = tuple(f.name for f in dataclasses.fields(Latency))
FAULT_KINDS = typing.get_args(FaultKind)
