"""The validation matrix: for each rule, a request and the exact (status, error type, message) it gets.

Texts come from api-spec §0.4, §1.3, §1.4, §6, §7, §8; the ones the spec marks ⚠ are the mock's choice and
are pinned here so a change is deliberate.
"""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import orjson
import pytest

from mockclaude.ids import sign_thinking
from mockclaude.model.catalog import get_catalog
from mockclaude.model.errors import ApiError
from mockclaude.model.media import (
    b64_prefix,
    decoded_base64_size,
    image_format,
    image_size,
    pdf_page_count,
)
from mockclaude.model.request import Policy
from mockclaude.validate import authenticate, check_version, parse_betas, validate_request

H23 = {"x-api-key": "sk-test", "anthropic-version": "2023-06-01"}
H26 = {"authorization": "Bearer sk-test", "anthropic-version": "2026-10-21"}
BOTH = "x-api-key and Authorization headers were both sent: send one of them"
POLICY = Policy(catalog=get_catalog())
E400 = (400, "invalid_request_error")
TOOL = {"name": "get_weather", "description": "d", "input_schema": {"type": "object", "properties": {}}}


def req(model: str = "claude-sonnet-4-5", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "max_tokens": 4096, "messages": [user("hi")]}
    body.update(fields)
    return body


def _content(content: tuple[Any, ...]) -> Any:
    return content[0] if len(content) == 1 and isinstance(content[0], str | list) else list(content)


def user(*content: Any) -> dict[str, Any]:
    return {"role": "user", "content": _content(content)}


def assistant(*content: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": _content(content)}


def system(*content: Any) -> dict[str, Any]:
    return {"role": "system", "content": _content(content)}


def text(s: str, **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": s, **extra}


def cc(ttl: str | None = None) -> dict[str, Any]:
    return {"cache_control": {"type": "ephemeral", **({"ttl": ttl} if ttl else {})}}


def tool_use(tid: str = "toolu_1", name: str = "get_weather") -> dict[str, Any]:
    return {"type": "tool_use", "id": tid, "name": name, "input": {}}


def tool_result(tid: str = "toolu_1", **extra: Any) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tid, "content": "ok", **extra}


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


def image(data: bytes, media_type: str = "image/png", **extra: Any) -> dict[str, Any]:
    source = {"type": "base64", "media_type": media_type, "data": base64.b64encode(data).decode()}
    return {"type": "image", "source": source, **extra}


def pdf(pages: int) -> dict[str, Any]:
    raw = b"%PDF-1.7\n" + b"".join(b"%d 0 obj << /Type /Page >> endobj\n" % i for i in range(pages))
    source = {"type": "base64", "media_type": "application/pdf", "data": base64.b64encode(raw).decode()}
    return {"type": "document", "source": source}


def run(body: Any, headers: dict[str, str] = H23, policy: Policy = POLICY, kind: str = "messages") -> Any:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return validate_request(raw, headers, policy, kind=kind)  # type: ignore[arg-type]


def error_of(
    body: Any, headers: dict[str, str] = H23, policy: Policy = POLICY, kind: str = "messages"
) -> tuple[int, str, str]:
    with pytest.raises(ApiError) as info:
        run(body, headers, policy, kind)
    return info.value.status, info.value.error_type, info.value.message


THINK = {"type": "enabled", "budget_tokens": 2048}
SIG_OK = sign_thinking(0, "let me think")
TU_CONV = [user("q"), assistant(tool_use()), user(tool_result())]

# (id, body, headers, expected message); all 400 invalid_request_error unless in STATUS below.
CASES: list[tuple[str, Any, dict[str, str], str]] = [
    # -- JSON and shape (pydantic texts) ---------------------------------------------------------------
    (
        "invalid json",
        b'{"model":',
        H23,
        "The request body is not valid JSON: unexpected end of data: line 1 column 10 (char 9)",
    ),
    (
        "empty body",
        b"",
        H23,
        "The request body is not valid JSON: Input is a zero-length, empty document: line 1 column 1 (char 0)",
    ),
    ("body not an object", b"[]", H23, "Input should be a valid dictionary"),
    (
        "missing max_tokens",
        {"model": "claude-sonnet-4-5", "messages": [user("hi")]},
        H23,
        "max_tokens: Field required",
    ),
    ("missing model", {"max_tokens": 5, "messages": [user("hi")]}, H23, "model: Field required"),
    ("messages not a list", req(messages="hi"), H23, "messages: Input should be a valid list"),
    ("max_tokens not an int", req(max_tokens=None), H23, "max_tokens: Input should be a valid integer"),
    (
        "max_tokens float",
        req(max_tokens=1.5),
        H23,
        "max_tokens: Input should be a valid integer, got a number with a fractional part",
    ),
    (
        "max_tokens negative",
        req(max_tokens=-1),
        H23,
        "max_tokens: Input should be greater than or equal to 0",
    ),
    ("temperature > 1", req(temperature=1.5), H23, "temperature: Input should be less than or equal to 1"),
    (
        "temperature < 0",
        req(temperature=-0.1),
        H23,
        "temperature: Input should be greater than or equal to 0",
    ),
    (
        "unknown top-level field",
        req(tool_choise={"type": "auto"}),
        H23,
        "tool_choise: Extra inputs are not permitted",
    ),
    (
        "bad role",
        req(messages=[{"role": "human", "content": "x"}]),
        H23,
        "messages.0.role: Input should be 'user', 'assistant' or 'system'",
    ),
    (
        "text not a string",
        req(messages=[user(text(5))]),
        H23,
        "messages.0.content.0.text.text: Input should be a valid string",
    ),  # type: ignore[arg-type]
    (
        "block without type",
        req(messages=[user({"text": "x"})]),
        H23,
        "messages.0.content.0: Unable to extract tag using discriminator 'type'",
    ),
    (
        "unknown key in tool_use",
        req(messages=[user("q"), assistant({**tool_use(), "text": "x"}), user(tool_result())]),
        H23,
        "messages.1.content.0.tool_use.text: Extra inputs are not permitted",
    ),
    (
        "cache_control on thinking",
        req(
            messages=[
                user("q"),
                assistant({"type": "thinking", "thinking": "t", "signature": "s", **cc()}, text("a")),
                user("more"),
            ]
        ),
        H23,
        "messages.1.content.0.thinking.cache_control: Extra inputs are not permitted",
    ),
    (
        "thinking without signature",
        req(messages=[user("q"), assistant({"type": "thinking", "thinking": "t"}), user("x")]),
        H23,
        "messages.1.content.0.thinking.signature: Field required",
    ),
    (
        "bad cache_control type",
        req(messages=[user(text("x", cache_control={"type": "forever"}))]),
        H23,
        "messages.0.content.0.text.cache_control: Input tag 'forever' found using 'type' does not match any of the expected tags: 'ephemeral'",
    ),
    (
        "bad ttl",
        req(messages=[user(text("x", **cc("2h")))]),
        H23,
        "messages.0.content.0.text.cache_control.ephemeral.ttl: Input should be '5m' or '1h'",
    ),
    ("system block text", req(system=[text(3)]), H23, "system.0.text.text: Input should be a valid string"),  # type: ignore[arg-type]
    (
        "system image block",
        req(system=[image(png(1, 1))]),
        H23,
        "system.0: Input tag 'image' found using 'type' does not match any of the expected tags: 'text'",
    ),
    (
        "tool name pattern",
        req(tools=[{**TOOL, "name": "get weather"}]),
        H23,
        "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'",
    ),
    (
        "tool without input_schema",
        req(tools=[{"name": "x"}]),
        H23,
        "tools.0.custom.input_schema: Field required",
    ),
    (
        "input_schema type",
        req(tools=[{"name": "x", "input_schema": {"type": "string"}}]),
        H23,
        "tools.0.custom.input_schema.type: Input should be 'object'",
    ),
    (
        "server tool wrong name",
        req(tools=[{"type": "text_editor_20250124", "name": "editor"}]),
        H23,
        "tools.0.text_editor_20250124.name: Input should be 'str_replace_editor'",
    ),
    (
        "server tool extra field",
        req(tools=[{"type": "bash_20250124", "name": "bash", "parameters": {}}]),
        H23,
        "tools.0.bash_20250124.parameters: Extra inputs are not permitted",
    ),
    (
        "unknown tool type",
        req(tools=[{"type": "magic_20990101", "name": "m"}]),
        H23,
        "tools.0: Input tag 'magic_20990101' found using 'type' does not match any of the expected tags: 'custom', 'bash_20250124', 'bash_20241022', 'code_execution_20250522', 'code_execution_20250825', 'code_execution_20260120', 'code_execution_20260521', 'browser_toolset_20260801', 'computer_20241022', 'memory_20250818', 'computer_20250124', 'text_editor_20241022', 'computer_20251124', 'computer_toolset_20260801', 'text_editor_20250124', 'text_editor_20250429', 'text_editor_20250728', 'web_search_20250305', 'web_fetch_20250910', 'web_search_20260209', 'web_fetch_20260209', 'web_fetch_20260309', 'web_search_20260318', 'web_fetch_20260318', 'advisor_20260301', 'tool_search_tool_bm25_20251119', 'tool_search_tool_bm25', 'tool_search_tool_regex_20251119', 'tool_search_tool_regex', 'mcp_toolset'",
    ),
    (
        "thinking budget < 1024",
        req(thinking={"type": "enabled", "budget_tokens": 100}),
        H23,
        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
    ),
    (
        "thinking unknown type",
        req(thinking={"type": "on"}),
        H23,
        "thinking: Input tag 'on' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'between_tools', 'adaptive'",
    ),
    (
        "tool_choice.tool without name",
        req(tools=[TOOL], tool_choice={"type": "tool"}),
        H23,
        "tool_choice.tool.name: Field required",
    ),
    (
        "metadata extra key",
        req(metadata={"user_id": "u", "session": "s"}),
        H23,
        "metadata.session: Extra inputs are not permitted",
    ),
    (
        "bad image media type",
        req(
            messages=[
                user(
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/tiff", "data": "AAAA"},
                    }
                )
            ]
        ),
        H23,
        "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
    ),
    (
        "too many messages",
        req(messages=[user("x")] * 100_001),
        H23,
        "messages: List should have at most 100000 items after validation, not 100001",
    ),
    # -- API version 2026-10-21 -------------------------------------------------------------------------
    (
        "2026 temperature default value",
        req(temperature=1.0),
        H26,
        "temperature: Extra inputs are not permitted",
    ),
    ("2026 top_k", req(top_k=5), H26, "top_k: Extra inputs are not permitted"),
    ("2026 top_p out of range still extra", req(top_p=7), H26, "top_p: Extra inputs are not permitted"),
    (
        "2026 extras in input order",
        {"foo": 1, **req(temperature=1.0)},
        H26,
        "foo: Extra inputs are not permitted",
    ),
    (
        "2026 document in assistant",
        req(messages=[user("q"), assistant(pdf(1)), user("x")]),
        H26,
        "messages.1.content.0: `document` blocks are not allowed in `assistant` messages",
    ),
    (
        "2026 citations in user text",
        req(
            messages=[
                user(
                    text(
                        "x",
                        citations=[
                            {
                                "type": "char_location",
                                "cited_text": "c",
                                "document_index": 0,
                                "document_title": None,
                                "start_char_index": 0,
                                "end_char_index": 1,
                            }
                        ],
                    )
                )
            ]
        ),
        H26,
        "messages.0.content.0.text.citations: citations are not allowed on `text` blocks in `user` messages",
    ),
    # -- messages structure -----------------------------------------------------------------------------
    ("no messages", req(messages=[]), H23, "messages: at least one message is required"),
    (
        "empty content",
        req(messages=[user(""), assistant("a"), user("b")]),
        H23,
        "messages.0: all messages must have non-empty content except for the optional final assistant message",
    ),
    (
        "empty content list",
        req(messages=[user("q"), assistant([]), user("b")]),
        H23,
        "messages.1: all messages must have non-empty content except for the optional final assistant message",
    ),
    (
        "empty text block",
        req(messages=[user(text(""))]),
        H23,
        "messages: text content blocks must be non-empty",
    ),
    (
        "whitespace text block",
        req(messages=[user(text(" \n"))]),
        H23,
        "messages: text content blocks must contain non-whitespace text",
    ),
    (
        "whitespace string content",
        req(messages=[user("  ")]),
        H23,
        "messages: text content blocks must contain non-whitespace text",
    ),
    ("empty system text", req(system=[text("")]), H23, "system: text content blocks must be non-empty"),
    (
        "cache_control on empty text",
        req(messages=[user(text("", **cc()))]),
        H23,
        "messages.0.content.0.text: cache_control cannot be set for empty text blocks",
    ),
    (
        "cache_control on empty system text",
        req(system=[text("a"), text("", **cc())]),
        H23,
        "system.1.text: cache_control cannot be set for empty text blocks",
    ),
    (
        "first message assistant (strict policy)",
        req(messages=[assistant("a"), user("q")]),
        H23,
        'messages: first message must use the "user" role',
    ),
    (
        "prefill unsupported",
        req("claude-opus-4-6", messages=[user("q"), assistant("The answer is")]),
        H23,
        "This model does not support assistant message prefill. The conversation must end with a user message.",
    ),
    (
        "prefill trailing whitespace",
        req(messages=[user("q"), assistant("The answer is ")]),
        H23,
        "final assistant content cannot end with trailing whitespace",
    ),
    (
        "prefill with thinking",
        req(thinking=THINK, messages=[user("q"), assistant("The answer is")]),
        H23,
        "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `text`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). To avoid this requirement, disable `thinking`.",
    ),
    (
        "system role unsupported",
        req("claude-opus-4-7", messages=[user("q"), system("env")]),
        H23,
        "role 'system' is not supported on this model",
    ),
    (
        "system message first",
        req("claude-opus-5", messages=[system("env"), user("q")]),
        H23,
        "messages.0: a 'system' message cannot be the first message",
    ),
    (
        "system after assistant",
        req("claude-opus-5", messages=[user("q"), assistant("a"), system("env")]),
        H23,
        "messages.2: a 'system' message must follow a 'user' message",
    ),
    (
        "system then user",
        req("claude-opus-5", messages=[user("q"), system("env"), user("again")]),
        H23,
        "messages.1: a 'system' message must be the last message or be followed by an 'assistant' message",
    ),
    (
        "system message with image",
        req("claude-opus-5", messages=[user("q"), system(text("a"), image(png(1, 1)))]),
        H23,
        "messages.1.content.1: a 'system' message may only contain text blocks",
    ),
    # -- tool use pairing -------------------------------------------------------------------------------
    (
        "unanswered tool_use",
        req(
            tools=[TOOL],
            messages=[
                user("q"),
                assistant(tool_use("toolu_a"), tool_use("toolu_b")),
                user(tool_result("toolu_a"), text("hm")),
            ],
        ),
        H23,
        "messages.2: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_b. Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
    ),
    (
        "tool_use as the last message",
        req(tools=[TOOL], messages=[user("q"), assistant(tool_use())]),
        H23,
        "messages.2: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1. Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
    ),
    (
        "orphan tool_result",
        req(
            tools=[TOOL],
            messages=[user("q"), assistant(tool_use()), user(tool_result(), tool_result("toolu_9"))],
        ),
        H23,
        "messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_9. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.",
    ),
    (
        "tool_result without tool_use",
        req(messages=[user("q"), assistant("a"), user(tool_result())]),
        H23,
        "messages.2: `tool_result` block(s) provided when previous message does not contain any `tool_use` blocks",
    ),
    (
        "tool_result first message",
        req(messages=[user(tool_result())]),
        H23,
        "messages.0: `tool_result` block(s) provided when previous message does not contain any `tool_use` blocks",
    ),
    (
        "duplicate tool_use ids",
        req(tools=[TOOL], messages=[user("q"), assistant(tool_use(), tool_use()), user(tool_result())]),
        H23,
        "messages.1.content.1: `tool_use` ids must be unique",
    ),
    (
        "tool_result after text",
        req(tools=[TOOL], messages=[user("q"), assistant(tool_use()), user(text("first"), tool_result())]),
        H23,
        "messages.2.content.1: `tool_result` blocks must come first in the content of a `user` message, before any other content",
    ),
    (
        "tool_result after text across merged messages",
        req(tools=[TOOL], messages=[user("q"), assistant(tool_use()), user("first"), user(tool_result())]),
        H23,
        "messages.3.content.0: `tool_result` blocks must come first in the content of a `user` message, before any other content",
    ),
    (
        "is_error with empty content",
        req(
            tools=[TOOL],
            messages=[user("q"), assistant(tool_use()), user(tool_result(content="", is_error=True))],
        ),
        H23,
        "messages.2.content.0.tool_result: content cannot be empty if is_error is true",
    ),
    # -- tools and tool_choice --------------------------------------------------------------------------
    ("duplicate tool names", req(tools=[TOOL, TOOL]), H23, "tools: Tool names must be unique."),
    (
        "tool_choice any without tools",
        req(tool_choice={"type": "any"}),
        H23,
        "tool_choice.any may only be specified while providing tools",
    ),
    (
        "tool_choice auto with empty tools",
        req(tools=[], tool_choice={"type": "auto"}),
        H23,
        "tool_choice.auto may only be specified while providing tools",
    ),
    (
        "tool_choice names a missing tool",
        req(tools=[TOOL], tool_choice={"type": "tool", "name": "nope"}),
        H23,
        "tool_choice.tool.name: tool 'nope' was not found in `tools`",
    ),
    (
        "forced tool_choice unsupported",
        req("claude-opus-5-5", tools=[TOOL], tool_choice={"type": "any"}),
        H23,
        'tool_choice: type "tool" and "any" are not supported for this model.',
    ),
    (
        "thinking with forced tool_choice",
        req(thinking=THINK, tools=[TOOL], tool_choice={"type": "any"}),
        H23,
        "Thinking may not be enabled when tool_choice forces tool use.",
    ),
    # -- thinking ---------------------------------------------------------------------------------------
    (
        "budget >= max_tokens",
        req(max_tokens=2048, thinking=THINK),
        H23,
        "`max_tokens` must be greater than `thinking.budget_tokens`.",
    ),
    (
        "budget >= max_tokens, interleaved beta but no tools",
        req(max_tokens=2048, thinking=THINK),
        {**H23, "anthropic-beta": "interleaved-thinking-2025-05-14"},
        "`max_tokens` must be greater than `thinking.budget_tokens`.",
    ),
    (
        "enabled on adaptive-only model",
        req("claude-opus-4-7", thinking=THINK),
        H23,
        '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.',
    ),
    (
        "adaptive on 4.5",
        req("claude-haiku-4-5", thinking={"type": "adaptive"}),
        H23,
        "adaptive thinking is not supported on this model",
    ),
    (
        "disabled on always-thinking model",
        req("claude-fable-5", thinking={"type": "disabled"}),
        H23,
        '"thinking.type.disabled" is not supported for this model. Thinking defaults to adaptive mode when not specified; use "thinking.type.enabled" with "budget_tokens" for extended thinking.',
    ),
    (
        "between_tools unsupported",
        req("claude-opus-5", thinking={"type": "between_tools"}),
        H23,
        '"thinking.type.between_tools" is not supported for this model.',
    ),
    (
        "thinking with temperature",
        req(thinking=THINK, temperature=0.5),
        H23,
        "`temperature` may only be set to 1 when thinking is enabled.",
    ),
    (
        "adaptive with temperature",
        req("claude-opus-4-6", thinking={"type": "adaptive"}, temperature=0.2),
        H23,
        "`temperature` may only be set to 1 when thinking is enabled.",
    ),
    (
        "thinking with top_p",
        req(thinking=THINK, top_p=0.5),
        H23,
        "`top_p` must be unset when thinking is enabled.",
    ),
    (
        "thinking with top_k",
        req(thinking=THINK, top_k=5),
        H23,
        "`top_k` must be unset when thinking is enabled.",
    ),
    # -- sampling under 2023-06-01 ------------------------------------------------------------------------
    (
        "temperature and top_p on one_of model",
        req(temperature=0.5, top_p=0.9),
        H23,
        "`temperature` and `top_p` cannot both be specified for this model. Please use only one.",
    ),
    (
        "temperature on removed model",
        req("claude-opus-4-7", temperature=0.5),
        H23,
        "`temperature` is not supported for this model.",
    ),
    (
        "top_p on removed model",
        req("claude-sonnet-5", top_p=0.5),
        H23,
        "`top_p` is not supported for this model.",
    ),
    (
        "top_k on removed model",
        req("claude-sonnet-5", top_k=5),
        H23,
        "`top_k` is not supported for this model.",
    ),
    # -- max_tokens -------------------------------------------------------------------------------------
    (
        "max_tokens above model max",
        req(max_tokens=100_000),
        H23,
        "max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929",
    ),
    (
        "max_tokens 0 with stream",
        req(max_tokens=0, stream=True),
        H23,
        "`max_tokens: 0` is not supported with `stream: true`.",
    ),
    (
        "max_tokens 0 with thinking",
        req(max_tokens=0, thinking=THINK),
        H23,
        '`max_tokens: 0` is not supported with `thinking.type: "enabled"`.',
    ),
    (
        "max_tokens 0 with format",
        req(max_tokens=0, output_config={"format": {"type": "json_schema", "schema": {"type": "object"}}}),
        H23,
        "`max_tokens: 0` is not supported with `output_config.format`.",
    ),
    (
        "max_tokens 0 with forced tool",
        req(max_tokens=0, tools=[TOOL], tool_choice={"type": "any"}),
        H23,
        "`max_tokens: 0` is not supported with a forced `tool_choice`.",
    ),
    # -- effort -----------------------------------------------------------------------------------------
    (
        "effort on model without it",
        req("claude-haiku-4-5", output_config={"effort": "high"}),
        H23,
        "output_config.effort: This model does not support the effort parameter.",
    ),
    (
        "effort level the model lacks",
        req("claude-opus-4-5", output_config={"effort": "max"}),
        H23,
        "output_config.effort: Input should be 'low', 'medium' or 'high'",
    ),
    (
        "effort not a level",
        req("claude-opus-4-5", output_config={"effort": "extreme"}),
        H23,
        "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'",
    ),
    # -- cache_control ----------------------------------------------------------------------------------
    (
        "five cache_control blocks",
        req(
            tools=[{**TOOL, **cc()}],
            system=[text("s", **cc())],
            messages=[user(text("a", **cc()), text("b", **cc()), text("c", **cc()))],
        ),
        H23,
        "A maximum of 4 blocks with cache_control may be provided. Found 5.",
    ),
    (
        "nested cache_control counts",
        req(
            tools=[TOOL],
            messages=[
                user(text("a", **cc()), text("b", **cc())),
                assistant(tool_use()),
                user({**tool_result(content=[text("r", **cc())]), **cc()}, text("c", **cc())),
            ],
        ),
        H23,
        "A maximum of 4 blocks with cache_control may be provided. Found 5.",
    ),
    (
        "automatic cache_control counts on an unmarked block",
        req(
            cache_control={"type": "ephemeral"},
            messages=[
                user(text("a", **cc()), text("b", **cc()), text("c", **cc()), text("d", **cc()), text("e"))
            ],
        ),
        H23,
        "A maximum of 4 blocks with cache_control may be provided. Found 5.",
    ),
    (
        "1h after 5m",
        req(system=[text("s", **cc())], messages=[user(text("a", **cc("1h")))]),
        H23,
        "messages.0.content.0.cache_control: a ttl='1h' cache_control block must not come after a ttl='5m' one",
    ),
    # -- images and PDFs --------------------------------------------------------------------------------
    (
        "image over 5 MB",
        req(
            messages=[
                user("q"),
                assistant("a"),
                user(
                    text("x"),
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": "A" * 8_388_608},
                    },
                ),
            ]
        ),
        H23,
        "messages.2.content.1.image.source.base64: image exceeds 5 MB maximum: 6291456 bytes > 5242880 bytes",
    ),
    (
        "image media type mismatch",
        req(messages=[user(image(png(10, 10), "image/jpeg"))]),
        H23,
        "messages.0.content.0.image.source.base64.data: The image was specified using the image/jpeg media type, but the image appears to be a image/png image",
    ),
    (
        "more than 100 images",
        req(messages=[user(*[image(png(1, 1)) for _ in range(101)])]),
        H23,
        "messages: A maximum of 100 images may be provided. Found 101.",
    ),
    (
        "more than 100 PDF pages",
        req(messages=[user(pdf(60), pdf(41))]),
        H23,
        "messages.0.content.1.document.source.base64.data: A maximum of 100 PDF pages may be provided.",
    ),
    (
        "not a PDF",
        req(
            messages=[
                user(
                    {
                        "type": "document",
                        "source": {"type": "base64", "media_type": "application/pdf", "data": "aGVsbG8="},
                    }
                )
            ]
        ),
        H23,
        "messages.0.content.0.document.source.base64.data: The PDF specified was not valid.",
    ),
    # -- thinking signatures ----------------------------------------------------------------------------
    (
        "bad signature",
        req(
            thinking=THINK,
            tools=[TOOL],
            messages=[
                user("q"),
                assistant(
                    {"type": "thinking", "thinking": "let me think", "signature": "EqQBforged"}, tool_use()
                ),
                user(tool_result()),
            ],
        ),
        H23,
        "messages.1.content.0: Invalid `signature` in `thinking` block",
    ),
    (
        "modified thinking text",
        req(
            tools=[TOOL],
            messages=[
                user("q"),
                assistant({"type": "thinking", "thinking": "let me think!", "signature": SIG_OK}, tool_use()),
                user(tool_result()),
            ],
        ),
        H23,
        "messages.1.content.0: Invalid `signature` in `thinking` block",
    ),
    (
        "non-ascii signature",
        req(
            messages=[
                user("q"),
                assistant({"type": "thinking", "thinking": "t", "signature": "é"}, text("a")),
                user("b"),
            ]
        ),
        H23,
        "messages.1.content.0: Invalid `signature` in `thinking` block",
    ),
]

STRICT_FIRST_USER = Policy(catalog=get_catalog(), allow_first_assistant=False)


@pytest.mark.parametrize(("name", "body", "headers", "message"), CASES, ids=[c[0] for c in CASES])
def test_rejected(name: str, body: Any, headers: dict[str, str], message: str) -> None:
    policy = STRICT_FIRST_USER if "strict policy" in name else POLICY
    assert error_of(body, headers, policy) == (*E400, message)


def test_image_dimensions_error_only_when_asked() -> None:
    big = image(png(9000, 100))
    run(req(messages=[user(big)]))  # default transformation: downsize, no error
    strict = image(png(9000, 100), transformations={"oversized_image": "error"})
    with pytest.raises(ApiError) as info:
        run(req(messages=[user(image(png(10, 10)), strict)]))
    err = info.value
    assert (err.status, err.error_type) == E400
    assert err.message == "messages.0.content.1: image dimensions exceed max allowed size: 8000 pixels"
    assert err.details == {
        "error_code": "image_dimensions_too_large",
        "max_side_length_pixels": 8000,
        "paths": ["messages.0.content.1"],
    }


def test_many_image_limit_and_nested_paths() -> None:
    small = [image(png(100, 100)) for _ in range(20)]
    wide = image(png(2500, 100), transformations={"oversized_image": "error"})
    run(req(messages=[user(*small[1:], wide)]))  # 20 images: the 8000 px limit applies
    body = req(
        tools=[TOOL], messages=[user(*small), assistant(tool_use()), user({**tool_result(content=[wide])})]
    )
    with pytest.raises(ApiError) as info:
        run(body)
    assert (
        info.value.message
        == "messages.2.content.0.content.0: image dimensions exceed max allowed size for many-image requests: 2000 pixels"
    )
    assert info.value.details is not None and info.value.details["paths"] == [
        "messages.2.content.0.content.0"
    ]


def test_pdf_page_limit_is_600_on_1m_models() -> None:
    run(req("claude-opus-4-6", messages=[user(pdf(150))]))
    with pytest.raises(ApiError, match=r"maximum of 600 PDF pages"):
        run(req("claude-opus-4-6", messages=[user(pdf(601))]))


def test_signature_checks() -> None:
    good = assistant({"type": "thinking", "thinking": "let me think", "signature": SIG_OK}, tool_use())
    run(req(thinking=THINK, tools=[TOOL], messages=[user("q"), good, user(tool_result())]))
    omitted = assistant(
        {"type": "thinking", "thinking": "", "signature": sign_thinking(0, "", nonce=b"x")}, tool_use()
    )
    run(req(tools=[TOOL], messages=[user("q"), omitted, user(tool_result())]))  # display omitted: signs ""
    forged_omitted = assistant({"type": "thinking", "thinking": "", "signature": "anything"}, tool_use())
    with pytest.raises(ApiError, match="Invalid `signature`"):
        run(req(tools=[TOOL], messages=[user("q"), forged_omitted, user(tool_result())]))
    forged = assistant({"type": "thinking", "thinking": "x", "signature": "forged"}, tool_use())
    lenient = Policy(catalog=get_catalog(), verify_signatures=False)
    run(req(tools=[TOOL], messages=[user("q"), forged, user(tool_result())]), policy=lenient)
    other_seed = Policy(catalog=get_catalog(), seed=7)
    with pytest.raises(ApiError, match="Invalid `signature`"):
        run(req(tools=[TOOL], messages=[user("q"), good, user(tool_result())]), policy=other_seed)


def test_unknown_model_is_404() -> None:
    assert error_of(req("claude-nope-9")) == (404, "not_found_error", "model: claude-nope-9")
    assert error_of(req("claude-3-5-haiku-20241022")) == (
        404,
        "not_found_error",
        "model: claude-3-5-haiku-20241022",
    )
    any_model = Policy(catalog=get_catalog(), any_model=True)
    assert (
        run(req("claude-3-5-haiku-20241022", max_tokens=100), policy=any_model).model.id
        == "claude-3-5-haiku-20241022"
    )
    assert run(req("my-gateway-sonnet"), policy=any_model).model.id == "my-gateway-sonnet"


def test_body_over_32_mb_is_413() -> None:
    with pytest.raises(ApiError) as info:
        validate_request(b" " * (32 * 1024 * 1024 + 1), H23, POLICY)
    assert (info.value.status, info.value.error_type) == (413, "request_too_large")


def test_lenient_extra_fields() -> None:
    lenient = Policy(catalog=get_catalog(), strict_extra_fields=False)
    assert run(req(tool_choise=1, frobnicate={"x": 1}), policy=lenient).params.model == "claude-sonnet-4-5"
    # nested shapes stay strict; version-removed fields are still rejected
    assert error_of(req(metadata={"x": 1}), policy=lenient)[2] == "metadata.x: Extra inputs are not permitted"
    assert (
        error_of(req(temperature=1), H26, policy=lenient)[2] == "temperature: Extra inputs are not permitted"
    )


# -- order of checks ------------------------------------------------------------------------------------


def test_order_auth_version_json_shape_model_beta() -> None:
    strict = Policy(catalog=get_catalog(), api_keys=frozenset({"good"}), reject_unknown_betas=True)
    bad_everything = b'{"model":'
    assert error_of(bad_everything, {}, strict)[:2] == (401, "authentication_error")
    assert (
        error_of(bad_everything, {"x-api-key": "good"}, strict)[2] == "anthropic-version: header is required"
    )
    headers = {"x-api-key": "good", "anthropic-version": "2023-06-01", "anthropic-beta": "nope-2099"}
    assert error_of(bad_everything, headers, strict)[2].startswith("The request body is not valid JSON")
    assert error_of({"model": "x"}, headers, strict)[2] == "max_tokens: Field required"
    assert error_of(req("claude-nope"), headers, strict)[0] == 404
    assert error_of(req(), headers, strict)[2].startswith("Unexpected value(s) `nope-2099`")
    assert (
        error_of(req(messages=[]), {**headers, "anthropic-beta": ""}, strict)[2]
        == "messages: at least one message is required"
    )


# -- headers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "keys", "result"),
    [
        ({"x-api-key": "k1"}, None, "k1"),
        ({"authorization": "Bearer k2"}, None, "k2"),
        ({"authorization": "bearer  k2 "}, None, "k2"),
        # Both credentials are a 401 (the Claude API skill, api-spec §0.4); test_both_credentials_when_accepted.
        ({"x-api-key": "k1", "authorization": "Bearer k2"}, None, (401, BOTH)),
        ({"x-api-key": "good"}, {"good"}, "good"),
        ({"authorization": "Bearer good"}, {"good"}, "good"),
        ({"x-api-key": "good", "authorization": "Bearer bad"}, {"good"}, (401, BOTH)),
        ({}, None, (401, "x-api-key header is required")),
        ({"x-api-key": ""}, None, (401, "x-api-key header is required")),
        ({"x-api-key": "bad"}, {"good"}, (401, "invalid x-api-key")),
        ({"authorization": "Bearer bad"}, {"good"}, (401, "Invalid bearer token")),
        ({"authorization": "Basic Zm9v"}, None, (401, "Invalid bearer token")),
        ({"authorization": "Bearer"}, None, (401, "Invalid bearer token")),
    ],
)
def test_authenticate(headers: dict[str, str], keys: set[str] | None, result: Any) -> None:
    policy = Policy(catalog=get_catalog(), api_keys=frozenset(keys) if keys is not None else None)
    if isinstance(result, str):
        assert authenticate(headers, policy) == result
        return
    with pytest.raises(ApiError) as info:
        authenticate(headers, policy)
    assert (info.value.status, info.value.error_type, info.value.message) == (
        result[0],
        "authentication_error",
        result[1],
    )


def test_both_credentials_when_accepted() -> None:
    """With ``reject_both_credentials`` off, x-api-key wins (a 3P probe's observation, 2026-11)."""
    policy = Policy(catalog=get_catalog(), reject_both_credentials=False)
    assert authenticate({"x-api-key": "k1", "authorization": "Bearer k2"}, policy) == "k1"
    strict = Policy(catalog=get_catalog(), api_keys=frozenset({"good"}), reject_both_credentials=False)
    assert authenticate({"x-api-key": "good", "authorization": "Bearer bad"}, strict) == "good"


def test_check_version() -> None:
    assert check_version({"anthropic-version": "2023-06-01"}) == "2023-06-01"
    assert check_version({"anthropic-version": "2026-10-21"}) == "2026-10-21"
    assert check_version({"anthropic-version": "2023-01-01"}) == "2023-06-01"
    for headers, message in [
        ({}, "anthropic-version: header is required"),
        ({"anthropic-version": "2023-10-01"}, 'anthropic-version: "2023-10-01" is not a valid version'),
        (
            {"anthropic-version": "2023-06-01, 2023-06-01"},
            'anthropic-version: "2023-06-01, 2023-06-01" is not a valid version',
        ),
    ]:
        with pytest.raises(ApiError) as info:
            check_version(headers)
        assert (info.value.status, info.value.message) == (400, message)


def test_parse_betas() -> None:
    lenient = POLICY
    strict = Policy(catalog=get_catalog(), reject_unknown_betas=True)
    raw = {"anthropic-beta": " claude-code-20250219, ,interleaved-thinking-2025-05-14,claude-code-20250219"}
    assert parse_betas(raw, strict) == ("claude-code-20250219", "interleaved-thinking-2025-05-14")
    assert parse_betas({}, strict) == ()
    assert parse_betas({"anthropic-beta": "shiny-2099-01-01"}, lenient) == ("shiny-2099-01-01",)
    with pytest.raises(ApiError) as info:
        parse_betas({"anthropic-beta": "files-api-2025-04-14,shiny-2099-01-01"}, strict)
    assert (
        info.value.message
        == "Unexpected value(s) `shiny-2099-01-01` for the `anthropic-beta` header. Please consult our documentation."
    )


# -- media helpers ------------------------------------------------------------------------------------------


def jpeg(width: int, height: int, exif: int = 0) -> bytes:
    app1 = b"\xff\xe1" + struct.pack(">H", exif + 2) + b"\0" * exif if exif else b""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return (
        b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + b"\0" * 9 + app1 + sof + b"\xff\xd9"
    )


def test_image_size_formats() -> None:
    assert image_size(png(640, 480)) == (640, 480)
    assert image_size(jpeg(1024, 768)) == (1024, 768)
    assert image_size(jpeg(33, 44, exif=60_000)) == (33, 44)
    assert image_size(b"GIF89a" + struct.pack("<HH", 300, 200) + b"\0" * 10) == (300, 200)
    vp8 = b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 4 + b"\0\0\0" + b"\x9d\x01\x2a" + struct.pack("<HH", 800, 600)
    assert image_size(vp8) == (800, 600)
    bits = (799) | (599 << 14)
    vp8l = b"RIFF\0\0\0\0WEBPVP8L" + b"\0" * 4 + b"\x2f" + bits.to_bytes(4, "little")
    assert image_size(vp8l) == (800, 600)
    vp8x = (
        b"RIFF\0\0\0\0WEBPVP8X"
        + b"\0" * 4
        + b"\0" * 4
        + (9999).to_bytes(3, "little")
        + (99).to_bytes(3, "little")
    )
    assert image_size(vp8x) == (10000, 100)
    assert image_format(vp8x) == "image/webp"
    for junk in (
        b"",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"RIFF",
        b"hello world",
        b"\xff\xd8\xff\xe0\x00\x01",
    ):
        assert image_size(junk) is None


def test_base64_helpers_and_pdf_pages() -> None:
    for n in range(0, 20):
        encoded = base64.b64encode(b"x" * n).decode()
        assert decoded_base64_size(encoded) == n
        assert decoded_base64_size(encoded[:4] + "\n" + encoded[4:]) == n
    assert b64_prefix(base64.b64encode(png(3, 4)).decode(), 24) == png(3, 4)[:24]
    assert b64_prefix("!!!not base64", 10) == b""
    raw = b"%PDF-1.4\n1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R] /Count 2>> endobj\n2 0 obj <</Type /Page>>\n3 0 obj <</Type/Page /Parent 1 0 R>>"
    assert pdf_page_count(raw) == 2
    assert pdf_page_count(b"%PDF-1.5\n<< /Type /Pages /Count 42 >>") == 42
    assert pdf_page_count(b"not a pdf") == 0
