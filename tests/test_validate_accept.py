"""What real clients send must be accepted, and no input may raise anything but an ApiError.

The official SDK is the oracle: requests are built by ``anthropic.Anthropic`` itself and captured from its
HTTP transport (public API only), then fed to ``validate_request`` with the headers the SDK sent.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import anthropic
import httpx2
import orjson
import pytest
from anthropic.types import Message
from anthropic.types.beta import BetaMessage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockclaude.ids import sign_thinking
from mockclaude.model.catalog import get_catalog
from mockclaude.model.errors import ApiError
from mockclaude.model.request import Policy, ValidatedRequest
from mockclaude.model.wire import MessageCreateParams, TextBlock, ToolResultBlock
from mockclaude.validate import validate_request

POLICY = Policy(catalog=get_catalog())
CANNED = {
    "id": "msg_011CA",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [{"type": "text", "text": "ok"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}


class Capture:
    """An SDK client whose transport records each request instead of sending it."""

    def __init__(self, **client_kwargs: Any) -> None:
        self.requests: list[httpx2.Request] = []

        def handler(request: httpx2.Request) -> httpx2.Response:
            self.requests.append(request)
            if request.url.path.endswith("count_tokens"):
                return httpx2.Response(200, json={"input_tokens": 1})
            return httpx2.Response(200, json=CANNED)

        http = httpx2.Client(transport=httpx2.MockTransport(handler))
        kwargs = {"api_key": "sk-test", "base_url": "http://mock.test", "max_retries": 0, **client_kwargs}
        self.client = anthropic.Anthropic(http_client=http, **kwargs)

    def validate(self, policy: Policy = POLICY) -> ValidatedRequest:
        request = self.requests[-1]
        headers = {k.lower(): v for k, v in request.headers.items()}
        kind = "count_tokens" if request.url.path.endswith("count_tokens") else "messages"
        return validate_request(request.content, headers, policy, kind=kind)


def tool(name: str, size: int = 200, **extra: Any) -> dict[str, Any]:
    props = {f"p{i}": {"type": "string", "description": "x" * 40} for i in range(size // 60 + 1)}
    return {
        "name": name,
        "description": ("Use this tool carefully. " * (size // 25 + 1))[:size],
        "input_schema": {
            "type": "object",
            "properties": props,
            "required": ["p0"],
            "additionalProperties": False,
        },
        **extra,
    }


CC_TOOLS = ["Agent", "Bash", "Edit", "ListAgents", "Read", "ReportFindings", "ScheduleWakeup", "Skill", "ToolSearch", "Workflow", "DeferredToolPlaceholder", "Write"]  # fmt: skip
CC_BETAS = (
    "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,per-turn-control-2026-07-01,"
    "mid-conversation-tool-changes-2026-07-01,thinking-token-count-2026-05-13,advanced-tool-use-2025-11-20,"
    "effort-2025-11-24"
)
CC_HEADERS = {
    "anthropic-version": "2023-06-01",
    "x-api-key": "test",
    "anthropic-beta": CC_BETAS,
    "anthropic-dangerous-direct-browser-access": "true",
    "x-app": "cli",
    "user-agent": "claude-cli/2.1.330 (external, sdk-cli)",
    "x-stainless-package-version": "0.128.0",
    "content-type": "application/json",
}
CC_USER_ID = json.dumps(
    {"device_id": "d" * 64, "account_uuid": "", "session_id": "0b5b3c2e-7f1a-4c1e-9d7a-2f9e1c0b8a11"}
)


def claude_code_body(turn: int = 1, *, model: str = "claude-opus-5-5") -> dict[str, Any]:
    """About 50 KB, shaped like Claude Code 2.1.330's first/second request (clients.md §4)."""
    system = [
        {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.330; cc_entrypoint=sdk-cli"},
        {
            "type": "text",
            "text": "You are Claude Code, Anthropic's official CLI for Claude.",
            "cache_control": {"type": "ephemeral"},
        },
        {
            "type": "text",
            "text": "You are an interactive agent. " * 250,
            "cache_control": {"type": "ephemeral"},
        },
    ]
    tools = [tool(n, 1500) for n in CC_TOOLS]
    tools[CC_TOOLS.index("DeferredToolPlaceholder")]["defer_loading"] = True
    first_user = {
        "role": "user",
        "content": [
            {
                "type": "text",
                "text": "<system-reminder>\nAs you answer, use the context below.\n</system-reminder>",
            },
            {"type": "text", "text": "say hi then run echo hi"},
        ],
    }
    env = [{"type": "text", "text": "<env>Working directory: /tmp/x\nPlatform: linux</env>"}]
    messages: list[dict[str, Any]] = [first_user, {"role": "system", "content": env}]
    if turn == 2:
        messages[1] = {"role": "system", "content": "<env>Working directory: /tmp/x</env>"}
        messages += [
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "", "signature": sign_thinking(0, "", nonce=b"turn-1")},
                    {"type": "text", "text": "Running it."},
                    {"type": "tool_use", "id": "toolu_01A", "name": "Bash", "input": {"command": "echo hi"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_01A",
                        "content": "hi",
                        "is_error": False,
                        "cache_control": {"type": "ephemeral"},
                    }
                ],
            },
        ]
    return {
        "model": model,
        "max_tokens": 128000,
        "stream": True,
        "thinking": {"type": "adaptive", "display": "omitted"},
        "output_config": {"effort": "medium"},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "metadata": {"user_id": CC_USER_ID},
        "system": system,
        "tools": tools,
        "messages": messages,
    }


def run(
    body: dict[str, Any], headers: dict[str, str], policy: Policy = POLICY, kind: str = "messages"
) -> ValidatedRequest:
    return validate_request(orjson.dumps(body), headers, policy, kind=kind)  # type: ignore[arg-type]


# -- Claude Code ------------------------------------------------------------------------------------------


def test_claude_code_first_turn() -> None:
    body = claude_code_body()
    assert 40_000 < len(orjson.dumps(body)) < 70_000
    r = run(body, CC_HEADERS)
    assert r.model.id == "claude-opus-5-5"
    assert r.thinking.mode == "adaptive" and r.thinking.display == "omitted" and r.thinking.interleaved
    assert r.effort == "medium"
    assert r.betas[0] == "claude-code-20250219"
    assert [m.role for m in r.params.messages] == ["user", "system"]
    assert isinstance(r.params, MessageCreateParams) and r.params.metadata is not None
    assert r.params.metadata.user_id == CC_USER_ID


def test_claude_code_tool_turn_and_bearer() -> None:
    body = claude_code_body(2)
    body["tools"][-1]["cache_control"] = {"type": "ephemeral"}  # a 4th mark is still fine
    headers = {**CC_HEADERS, "authorization": "Bearer test"}
    del headers["x-api-key"]
    r = run(body, headers)
    assert [m.role for m in r.params.messages] == ["user", "system", "assistant", "user"]
    result = r.params.messages[3].content[0]
    assert isinstance(result, ToolResultBlock) and result.content == [TextBlock(type="text", text="hi")]


def test_claude_code_haiku() -> None:
    body = claude_code_body(model="claude-haiku-4-5")
    body.update(max_tokens=32000, thinking={"type": "enabled", "budget_tokens": 31999, "display": "omitted"})
    del body["output_config"]
    body["messages"] = body["messages"][:1]
    headers = {
        **CC_HEADERS,
        "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27",
    }
    r = run(body, headers)
    assert (r.thinking.mode, r.thinking.budget_tokens, r.thinking.display) == ("enabled", 31999, "omitted")
    assert r.effort is None and r.model.id == "claude-haiku-4-5-20251001"


def test_claude_code_defaults_and_validated_shape() -> None:
    body = claude_code_body()
    del body["thinking"], body["output_config"]
    r = run(body, CC_HEADERS)
    assert r.thinking.mode == "adaptive" and r.thinking.display == "omitted"  # the model's defaults
    assert r.effort == "medium"  # Opus 5.5 default
    for block in r.params.messages[0].content:
        if block.type == "text":
            assert block.text
    assert r.params.system is not None and len(r.params.system) == 3
    assert r.headers["x-app"] == "cli"


def test_merging_and_normalisation() -> None:
    body = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 100,
        "system": "be brief",
        "messages": [
            {"role": "user", "content": "a"},
            {"role": "user", "content": [{"type": "text", "text": "b"}]},
            {"role": "assistant", "content": "c"},
            {"role": "assistant", "content": "d"},
            {"role": "user", "content": "e"},
        ],
    }
    r = run(body, {"x-api-key": "k", "anthropic-version": "2023-06-01"})
    msgs = r.params.messages
    assert [(m.role, [b.text for b in m.content if isinstance(b, TextBlock)]) for m in msgs] == [
        ("user", ["a", "b"]),
        ("assistant", ["c", "d"]),
        ("user", ["e"]),
    ]
    assert r.params.system == [TextBlock(type="text", text="be brief")]
    body["system"] = ""
    assert run(body, {"x-api-key": "k", "anthropic-version": "2023-06-01"}).params.system == []
    del body["system"]
    assert run(body, {"x-api-key": "k", "anthropic-version": "2023-06-01"}).params.system is None


def test_interleaved_thinking_budget_may_exceed_max_tokens_with_tools() -> None:
    headers = {
        "x-api-key": "k",
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "interleaved-thinking-2025-05-14",
    }
    body = {"model": "claude-sonnet-4-5", "max_tokens": 4096, "thinking": {"type": "enabled", "budget_tokens": 16000}, "tools": [WEATHER], "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    plan = run(body, headers).thinking
    assert (plan.mode, plan.budget_tokens, plan.interleaved, plan.display) == (
        "enabled",
        16000,
        True,
        "summarized",
    )


def test_assistant_first_and_prefill_accepted() -> None:
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    body = {"model": "claude-haiku-4-5", "max_tokens": 100, "messages": [{"role": "assistant", "content": "Hi!"}, {"role": "user", "content": "Hello"}, {"role": "assistant", "content": "The answer is ("}]}  # fmt: skip
    r = run(body, headers)
    assert r.params.messages[-1].role == "assistant"
    body["messages"][-1]["content"] = ""  # an empty final assistant message is allowed
    run(body, headers)


def test_pause_turn_continuation_is_not_prefill() -> None:
    assistant = {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Searching."},
            {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {"query": "q"}},
            {
                "type": "web_search_tool_result",
                "tool_use_id": "srvtoolu_01",
                "content": [
                    {
                        "type": "web_search_result",
                        "url": "https://e.x",
                        "title": "t",
                        "encrypted_content": "e",
                        "page_age": None,
                    }
                ],
            },
        ],
    }
    body = {"model": "claude-sonnet-5", "max_tokens": 100, "tools": [{"type": "web_search_20260318", "name": "web_search"}], "messages": [{"role": "user", "content": "q"}, assistant]}  # fmt: skip
    run(body, {"x-api-key": "k", "anthropic-version": "2023-06-01"})


# -- SDK round trips ------------------------------------------------------------------------------------------

SIGNED = sign_thinking(0, "Let me work through this.")
FULL_RESPONSE: dict[str, Any] = {
    **CANNED,
    "content": [
        {"type": "thinking", "thinking": "Let me work through this.", "signature": SIGNED},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj"},
        {"type": "text", "text": "Plain.", "citations": None},
        {"type": "text", "text": "Cited.", "citations": [
            {"type": "char_location", "cited_text": "c", "document_index": 0, "document_title": "Doc", "start_char_index": 0, "end_char_index": 1, "file_id": None},
            {"type": "page_location", "cited_text": "c", "document_index": 0, "document_title": None, "start_page_number": 1, "end_page_number": 2},
            {"type": "content_block_location", "cited_text": "c", "document_index": 0, "document_title": None, "start_block_index": 0, "end_block_index": 1},
            {"type": "web_search_result_location", "cited_text": "c", "encrypted_index": "e", "title": "t", "url": "https://e.x"},
            {"type": "search_result_location", "cited_text": "c", "search_result_index": 0, "source": "s", "start_block_index": 0, "end_block_index": 0, "title": None},
        ]},
        {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {"query": "q"}, "caller": {"type": "direct"}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "caller": {"type": "direct"}, "content": [{"type": "web_search_result", "url": "https://e.x", "title": "t", "encrypted_content": "e", "page_age": "April 30, 2025"}]},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_02", "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}},
        {"type": "web_fetch_tool_result", "tool_use_id": "srvtoolu_03", "content": {"type": "web_fetch_result", "url": "https://e.x", "retrieved_at": "2026-01-01T00:00:00Z", "content": {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "page"}, "title": None, "citations": {"enabled": True}}}},
        {"type": "code_execution_tool_result", "tool_use_id": "srvtoolu_04", "content": {"type": "code_execution_result", "stdout": "1", "stderr": "", "return_code": 0, "content": [{"type": "code_execution_output", "file_id": "file_01"}]}},
        {"type": "code_execution_tool_result", "tool_use_id": "srvtoolu_05", "content": {"type": "encrypted_code_execution_result", "encrypted_stdout": "x", "stderr": "", "return_code": 0, "content": []}},
        {"type": "bash_code_execution_tool_result", "tool_use_id": "srvtoolu_06", "content": {"type": "bash_code_execution_result", "stdout": "", "stderr": "", "return_code": 1, "content": []}},
        {"type": "bash_code_execution_tool_result", "tool_use_id": "srvtoolu_07", "content": {"type": "bash_code_execution_tool_result_error", "error_code": "unavailable"}},
        {"type": "text_editor_code_execution_tool_result", "tool_use_id": "srvtoolu_08", "content": {"type": "text_editor_code_execution_view_result", "content": "x", "file_type": "text", "num_lines": 1, "start_line": 1, "total_lines": 1}},
        {"type": "text_editor_code_execution_tool_result", "tool_use_id": "srvtoolu_09", "content": {"type": "text_editor_code_execution_str_replace_result", "lines": ["a"], "new_lines": 1, "new_start": 1, "old_lines": 1, "old_start": 1}},
        {"type": "tool_search_tool_result", "tool_use_id": "srvtoolu_10", "content": {"type": "tool_search_tool_search_result", "tool_references": [{"type": "tool_reference", "tool_name": "get_weather"}]}},
        {"type": "container_upload", "file_id": "file_02"},
        {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}, "caller": {"type": "direct"}, "toolset_name": None},
        {"type": "tool_use", "id": "toolu_02", "name": "get_weather", "input": {}, "caller": {"type": "code_execution_20250825", "tool_id": "srvtoolu_04"}},
    ],
    "stop_reason": "tool_use",
}  # fmt: skip
WEATHER = {"name": "get_weather", "description": "Weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}  # fmt: skip
RESULTS = {
    "role": "user",
    "content": [
        {"type": "tool_result", "tool_use_id": "toolu_01", "content": [{"type": "text", "text": "sunny"}, {"type": "image", "source": {"type": "url", "url": "https://e.x/a.png"}}]},
        {"type": "tool_result", "tool_use_id": "toolu_02", "content": [{"type": "tool_reference", "tool_name": "get_weather"}], "is_error": False},
        {"type": "text", "text": "thanks"},
    ],
}  # fmt: skip


def test_message_to_param_round_trip_ga() -> None:
    message = Message.model_validate(FULL_RESPONSE)
    cap = Capture()
    cap.client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=4096,
        thinking={"type": "enabled", "budget_tokens": 2048},
        tools=[WEATHER, {"type": "web_search_20250305", "name": "web_search"}],
        messages=[{"role": "user", "content": "weather?"}, message.to_param(), RESULTS],  # type: ignore[list-item]
    )
    sent = orjson.loads(cap.requests[-1].content)
    assert sent["messages"][1]["content"][2] == {"type": "text", "text": "Plain.", "citations": None}
    assert cap.requests[-1].headers["anthropic-version"] == "2026-10-21"
    r = cap.validate()
    assert [b.type for b in r.params.messages[1].content] == [b["type"] for b in FULL_RESPONSE["content"]]


def test_message_to_param_round_trip_beta() -> None:
    response = {
        **FULL_RESPONSE,
        "content": [
            *FULL_RESPONSE["content"][:3],
            {
                "type": "mcp_tool_use",
                "id": "mcptoolu_01",
                "name": "search",
                "server_name": "docs",
                "input": {"q": "x"},
            },
            {
                "type": "mcp_tool_result",
                "tool_use_id": "mcptoolu_01",
                "is_error": False,
                "content": [{"type": "text", "text": "found"}],
            },
            {"type": "compaction", "content": "summary", "encrypted_content": None},
            {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {}},
        ],
    }
    message = BetaMessage.model_validate(response)
    cap = Capture()
    cap.client.beta.messages.create(
        model="claude-opus-4-8",
        max_tokens=4096,
        tools=[WEATHER],
        mcp_servers=[{"type": "url", "name": "docs", "url": "https://mcp.e.x/sse"}],
        betas=["mcp-client-2025-11-20", "compact-2026-01-12"],
        messages=[
            {"role": "user", "content": "weather?"},
            message.to_param(),
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "sunny"}],
            },
        ],  # type: ignore[list-item]
    )
    r = cap.validate()
    assert r.betas == ("mcp-client-2025-11-20", "compact-2026-01-12")


def _tool_examples() -> dict[str, dict[str, Any]]:
    def named(t: str, name: str, **extra: Any) -> dict[str, Any]:
        return {"type": t, "name": name, "cache_control": {"type": "ephemeral"}, **extra}

    examples: dict[str, dict[str, Any]] = {"custom": {**WEATHER, "input_schema": {**WEATHER["input_schema"], "additionalProperties": False}, "type": "custom", "strict": True, "eager_input_streaming": None, "input_examples": [{"city": "Oslo"}], "allowed_callers": ["direct", "code_execution_20250825"]}}  # fmt: skip
    for t in ("bash_20250124", "bash_20241022"):
        examples[t] = named(t, "bash")
    for t in (
        "code_execution_20250522",
        "code_execution_20250825",
        "code_execution_20260120",
        "code_execution_20260521",
    ):
        examples[t] = named(t, "code_execution")
    for t in ("text_editor_20250124", "text_editor_20241022"):
        examples[t] = named(t, "str_replace_editor")
    examples["text_editor_20250429"] = named("text_editor_20250429", "str_replace_based_edit_tool")
    examples["text_editor_20250728"] = named(
        "text_editor_20250728", "str_replace_based_edit_tool", max_characters=1000
    )
    examples["memory_20250818"] = named("memory_20250818", "memory", defer_loading=False)
    loc = {
        "type": "approximate",
        "city": "Paris",
        "country": "FR",
        "region": None,
        "timezone": "Europe/Paris",
    }
    for t in ("web_search_20250305", "web_search_20260209", "web_search_20260318"):
        examples[t] = named(t, "web_search", max_uses=3, allowed_domains=["e.x"], user_location=loc)
    examples["web_search_20260318"]["response_inclusion"] = "excluded"
    for t in ("web_fetch_20250910", "web_fetch_20260209", "web_fetch_20260309", "web_fetch_20260318"):
        examples[t] = named(t, "web_fetch", max_uses=2, citations={"enabled": True}, max_content_tokens=1000, url_sources={"user_input": {"type": "all"}})  # fmt: skip
    examples["web_fetch_20260318"]["use_cache"] = True
    for t in ("tool_search_tool_bm25_20251119", "tool_search_tool_bm25"):
        examples[t] = named(t, "tool_search_tool_bm25")
    for t in ("tool_search_tool_regex_20251119", "tool_search_tool_regex"):
        examples[t] = named(t, "tool_search_tool_regex")
    examples["browser_toolset_20260801"] = {
        "type": "browser_toolset_20260801",
        "configs": {"navigate": {"enabled": True}},
    }
    examples["computer_toolset_20260801"] = {"type": "computer_toolset_20260801", "configs": {"zoom": {"enabled": False, "defer_loading": None}}}  # fmt: skip
    for t in ("computer_20241022", "computer_20250124", "computer_20251124"):
        examples[t] = named(t, "computer", display_width_px=1024, display_height_px=768, display_number=1)
    examples["computer_20251124"]["enable_zoom"] = True
    examples["advisor_20260301"] = named("advisor_20260301", "advisor", model="claude-opus-5", max_uses=2, caching={"type": "ephemeral", "ttl": "5m"})  # fmt: skip
    examples["mcp_toolset"] = {"type": "mcp_toolset", "mcp_server_name": "docs", "default_config": {"enabled": True}, "configs": {"search": {"defer_loading": True}}}  # fmt: skip
    return examples


TOOL_EXAMPLES = _tool_examples()


def _sdk_tool_types() -> set[str]:
    import anthropic.types.beta.beta_tool_union_param as beta_tools
    import anthropic.types.tool_union_param as ga_tools

    out: set[str] = set()
    for union in (ga_tools.ToolUnionParam, beta_tools.BetaToolUnionParam):
        for typed in get_args(union):
            for lit in get_args(get_type_hints(typed)["type"]):
                out.update(a for a in (get_args(lit) or (lit,)) if isinstance(a, str))
    return out


def test_every_sdk_tool_type_has_an_example() -> None:
    assert _sdk_tool_types() == set(TOOL_EXAMPLES)


@pytest.mark.parametrize("tool_type", sorted(TOOL_EXAMPLES))
def test_every_tool_type_accepted(tool_type: str) -> None:
    cap = Capture()
    tools: list[Any] = (
        [TOOL_EXAMPLES[tool_type]] if tool_type == "custom" else [WEATHER, TOOL_EXAMPLES[tool_type]]
    )
    cap.client.beta.messages.create(model="claude-opus-4-8", max_tokens=100, messages=[{"role": "user", "content": "hi"}], tools=tools)  # fmt: skip
    assert cap.validate().params.tools is not None


def test_every_sdk_param_ga() -> None:
    cap = Capture()
    cap.client.messages.create(
        model="claude-opus-4-8",
        max_tokens=1000,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
                ],
            }
        ],
        cache_control={"type": "ephemeral"},
        container={
            "id": "container_01",
            "skills": [{"type": "anthropic", "skill_id": "pptx", "version": "latest"}],
        },
        diagnostics={"previous_message_id": "msg_01"},
        inference_geo="us",
        metadata={"user_id": "u-1"},
        output_config={
            "effort": "xhigh",
            "format": {"type": "json_schema", "schema": {"type": "object", "additionalProperties": False}},
        },
        service_tier="standard_only",
        speed="fast",
        stop_sequences=["END"],
        system=[{"type": "text", "text": "sys", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        thinking={"type": "adaptive", "display": "summarized"},
        tool_choice={"type": "auto", "disable_parallel_tool_use": True},
        tools=[WEATHER],
        user_profile_id="uprof_01",
        workspace_id="wrkspc_01",
    )
    r = cap.validate()
    assert r.effort == "xhigh" and r.thinking.display == "summarized"


def test_every_sdk_param_beta() -> None:
    cap = Capture()
    cap.client.beta.messages.create(
        model="claude-opus-5",
        max_tokens=1000,
        messages=[
            {"role": "user", "content": "hi"},
            {
                "role": "system",
                "content": "be terse",
                "clear_at": "next_user_message",
                "output_config": {"effort": "low"},
            },
        ],
        billing_policy={"type": "billing_policy", "bill_to": "self"},
        compaction={"type": "summarize", "instructions": "short"},
        container="container_01",
        context_management={
            "edits": [
                {
                    "type": "clear_tool_uses_20250919",
                    "trigger": {"type": "input_tokens", "value": 100000},
                    "keep": {"type": "tool_uses", "value": 3},
                },
                {"type": "clear_thinking_20251015", "keep": {"type": "thinking_turns", "value": 1}},
            ]
        },
        fallback_credit_token={"token": "fct_01", "mode": "best_effort"},
        fallbacks=[{"model": "claude-sonnet-5", "max_tokens": 500}],
        mcp_servers=[
            {
                "type": "url",
                "name": "docs",
                "url": "https://mcp.e.x",
                "authorization_token": "t",
                "tool_configuration": {"allowed_tools": ["a"]},
            }
        ],
        output_config={"effort": "high", "task_budget": {"type": "tokens", "total": 50000}},
        thinking={
            "type": "adaptive",
            "display": "updates",
            "block_binding": {"prefix_mismatch_behavior": "drop_block"},
        },
        thread={"type": "create"},
        tools=[WEATHER, TOOL_EXAMPLES["mcp_toolset"]],
        betas=["context-management-2025-06-27", "mcp-client-2025-11-20"],
    )
    r = cap.validate()
    assert r.thinking.mode == "adaptive" and "mcp-client-2025-11-20" in r.betas


def test_count_tokens_via_sdk() -> None:
    cap = Capture()
    cap.client.messages.count_tokens(
        model="claude-sonnet-4-6",
        messages=[{"role": "user", "content": "hi"}],
        system="sys",
        tools=[WEATHER],
        tool_choice={"type": "auto"},
        thinking={"type": "enabled", "budget_tokens": 2000},
        output_config={"effort": "low"},
        cache_control={"type": "ephemeral"},
        speed="standard",
    )
    r = cap.validate()
    assert r.kind == "count_tokens" and r.thinking.budget_tokens == 2000
    cap.client.beta.messages.count_tokens(
        model="claude-opus-4-8",
        messages=[{"role": "user", "content": "hi"}],
        context_management={"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        betas=["context-management-2025-06-27"],
    )
    assert cap.validate().kind == "count_tokens"


@pytest.mark.parametrize("field", ["max_tokens", "stream", "metadata", "stop_sequences", "service_tier"])
def test_count_tokens_rejects_generation_fields(field: str) -> None:
    values = {
        "max_tokens": 10,
        "stream": True,
        "metadata": {},
        "stop_sequences": ["x"],
        "service_tier": "auto",
    }
    body = {
        "model": "claude-sonnet-4-6",
        "messages": [{"role": "user", "content": "hi"}],
        field: values[field],
    }
    with pytest.raises(ApiError) as info:
        run(body, {"x-api-key": "k", "anthropic-version": "2023-06-01"}, kind="count_tokens")
    assert info.value.message == f"{field}: Extra inputs are not permitted"


def test_count_tokens_same_rules() -> None:
    headers = {"x-api-key": "k", "anthropic-version": "2026-10-21"}
    body = {"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "hi"}], "temperature": 1}
    with pytest.raises(ApiError, match=r"^temperature: Extra inputs are not permitted$"):
        run(body, headers, kind="count_tokens")
    body = {"model": "claude-sonnet-4-6", "messages": []}
    with pytest.raises(ApiError, match=r"^messages: at least one message is required$"):
        run(body, headers, kind="count_tokens")


def test_count_tokens_counts_full_transcripts() -> None:
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    transcript = [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}],
        },
    ]
    body = {"model": "claude-opus-4-6", "tools": [WEATHER], "messages": transcript}
    assert run(body, headers, kind="count_tokens").kind == "count_tokens"
    with pytest.raises(ApiError, match="does not support assistant message prefill"):
        run({**body, "max_tokens": 10}, headers)


# -- other clients ------------------------------------------------------------------------------------------


def test_langchain_like_tool_loop() -> None:
    cap = Capture(default_headers={"User-Agent": "langchain-anthropic/1.7.7"})
    cap.client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        system="You are a helpful assistant.",
        tools=[WEATHER],
        messages=[
            {"role": "user", "content": [{"type": "text", "text": "What's the weather in Paris?"}]},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Let me check."},
                    {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}},
                ],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "18C"}],
            },
        ],
        stream=False,
    )
    cap.validate()


def test_old_sdk_and_litellm_style() -> None:
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01", "user-agent": "litellm/1.106.2"}
    body = {"model": "claude-sonnet-4-6", "max_tokens": 1024, "temperature": 0.7, "messages": [{"role": "user", "content": "hi"}], "stream": True}  # fmt: skip
    run(body, headers)
    body = {"model": "claude-opus-5", "max_tokens": 128000, "stream": True, "tool_choice": {"type": "auto"}, "tools": [WEATHER], "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    assert run(body, headers).thinking.mode == "adaptive"


def test_odd_but_well_typed_values_accepted() -> None:
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    odd_tool = {"name": "odd", "input_schema": {"type": "object", "properties": {"a": 5, "b": None, "c": [1, 2]}, "$defs": {}, "x-vendor": True}}  # fmt: skip
    body = {"model": "claude-sonnet-4-5", "max_tokens": 10, "tools": [odd_tool], "metadata": {"user_id": None}, "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    run(body, headers)
    body = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 0,
        "messages": [{"role": "user", "content": "warm the cache"}],
    }
    run(body, headers)


# -- speed --------------------------------------------------------------------------------------------------


def _median_us(fn: Callable[[], object], n: int) -> float:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return samples[n // 2] * 1e6


def test_speed_budget() -> None:
    small = orjson.dumps({"model": "claude-sonnet-4-6", "max_tokens": 1024, "system": "Be brief.", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "how are you?"}]})  # fmt: skip
    big = orjson.dumps(claude_code_body(2))
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    t_small = _median_us(lambda: validate_request(small, headers, POLICY), 200)
    t_big = _median_us(lambda: validate_request(big, CC_HEADERS, POLICY), 50)
    # generous bounds: a guard against pathologies, not a benchmark
    assert t_small < 2_000 and t_big < 20_000, (t_small, t_big)


# -- fuzz ---------------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(["type", "text", "content", "role", "id", "tool_use_id", "name", "input", "cache_control", "thinking", "signature", "source", "data", "media_type", "budget_tokens", "citations", "is_error", "ttl", "display", "effort", "transformations"])  # fmt: skip
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "x-api-key": st.sampled_from(["k", "", " "]),
        "authorization": st.sampled_from(["Bearer k", "Bearer", "Basic x", ""]),
        "anthropic-version": st.sampled_from(["2023-06-01", "2026-10-21", "2023-01-01", "nope", ""]),
        "anthropic-beta": st.sampled_from(["", ",,", "interleaved-thinking-2025-05-14", "x, y"]),
    },
)
SEEDS: list[dict[str, Any]] = [
    claude_code_body(2),
    {
        "model": "claude-sonnet-4-5",
        "max_tokens": 4096,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "tools": [WEATHER, {"type": "web_search_20250305", "name": "web_search"}],
        "messages": [
            {"role": "user", "content": "weather?"},
            {"role": "assistant", "content": FULL_RESPONSE["content"]},
            RESULTS,
        ],
    },
    {
        "model": "claude-opus-4-6",
        "max_tokens": 100,
        "system": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        "messages": [
            {
                "role": "user",
                "content": [
                    {
                        "type": "image",
                        "source": {
                            "type": "base64",
                            "media_type": "image/png",
                            "data": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
                        },
                        "transformations": {"oversized_image": "error"},
                    },
                    {
                        "type": "document",
                        "source": {
                            "type": "base64",
                            "media_type": "application/pdf",
                            "data": "JVBERi0xLjQKPDwvVHlwZS9QYWdlPj4=",
                        },
                    },
                    {"type": "text", "text": "q"},
                ],
            }
        ],
    },
]


def _mutate(data: st.DataObject, value: Any, depth: int = 0) -> Any:
    """Replace, delete or add at one random point of a JSON value."""
    if depth > 8 or not isinstance(value, dict | list) or not value or data.draw(st.integers(0, 4)) == 0:
        return data.draw(JSON)
    if isinstance(value, list):
        i = data.draw(st.integers(0, len(value) - 1))
        op = data.draw(st.sampled_from(["descend", "delete", "duplicate"]))
        out = list(value)
        if op == "delete":
            del out[i]
        elif op == "duplicate":
            out.insert(i, out[i])
        else:
            out[i] = _mutate(data, out[i], depth + 1)
        return out
    key = data.draw(st.sampled_from(sorted(value)))
    op = data.draw(st.sampled_from(["descend", "descend", "delete", "add"]))
    out = dict(value)
    if op == "delete":
        del out[key]
    elif op == "add":
        out[data.draw(KEYS)] = data.draw(JSON)
    else:
        out[key] = _mutate(data, out[key], depth + 1)
    return out


def _validate_or_api_error(raw: bytes, headers: dict[str, str], kind: str = "messages") -> None:
    with contextlib.suppress(ApiError):
        validate_request(raw, headers, POLICY, kind=kind)  # type: ignore[arg-type]


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip


@FUZZ
@given(value=JSON, headers=HEADERS, kind=st.sampled_from(["messages", "count_tokens"]))
def test_fuzz_random_json(value: Any, headers: dict[str, str], kind: str) -> None:
    _validate_or_api_error(orjson.dumps(value), headers, kind)


@FUZZ
@given(raw=st.binary(max_size=64))
def test_fuzz_random_bytes(raw: bytes) -> None:
    _validate_or_api_error(raw, {"x-api-key": "k", "anthropic-version": "2023-06-01"})


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    data=st.data(),
    seed=st.sampled_from(range(len(SEEDS))),
    version=st.sampled_from(["2023-06-01", "2026-10-21"]),
)
def test_fuzz_mutated_valid_bodies(data: st.DataObject, seed: int, version: str) -> None:
    body = SEEDS[seed]
    for _ in range(data.draw(st.integers(1, 3))):
        body = _mutate(data, body)
    kind = data.draw(st.sampled_from(["messages", "count_tokens"]))
    _validate_or_api_error(orjson.dumps(body), {"x-api-key": "k", "anthropic-version": version}, kind)


@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_fuzz_seeds_are_valid(seed: int) -> None:
    validate_request(orjson.dumps(SEEDS[seed]), {"x-api-key": "k", "anthropic-version": "2023-06-01"}, POLICY)


# -- wire names: every key the SDK can send is a field here ---------------------------------------------------


def _tagged(annotated: Any) -> dict[str, type]:
    """tag → class of one of wire.py's ``Annotated[Union[Annotated[cls, Tag(t)], ...], Discriminator]``."""
    from pydantic import Tag

    union = get_args(annotated)[0]
    members = get_args(union) if get_args(union) and not isinstance(get_args(union)[1], Tag) else (union,)
    out: dict[str, type] = {}
    for member in members:
        cls, *meta = get_args(member)
        out.update({m.tag: cls for m in meta if isinstance(m, Tag)})
    return out


def _sdk_shapes(union: Any) -> dict[str, set[str]]:
    """type tag → keys, for every TypedDict (request param) or model (response block) of an SDK union."""
    out: dict[str, set[str]] = {}
    for typed in _members(union):
        if isinstance(typed, type) and hasattr(typed, "model_fields"):
            keys = {f.alias or name for name, f in typed.model_fields.items()}
            tags = get_args(typed.model_fields["type"].annotation)
        else:
            hints = get_type_hints(typed)
            keys, tags = set(hints), get_args(hints["type"])
        for tag in tags:
            for value in get_args(tag) or (tag,):
                if isinstance(value, str):
                    out.setdefault(value, set()).update(keys)
    return out


def _members(union: Any) -> list[Any]:
    """The classes of a (possibly nested, possibly Annotated) union."""
    if get_origin(union) is Annotated:
        return _members(get_args(union)[0])
    if get_origin(union) in (Union, UnionType):
        return [m for arg in get_args(union) for m in _members(arg)]
    return [union]


def _fields(cls: Any) -> set[str]:
    return {f.alias or name for name, f in cls.model_fields.items()}


def test_sdk_block_and_tool_keys_are_fields() -> None:
    import anthropic.types.beta.beta_content_block_param as beta_blocks
    import anthropic.types.beta.beta_tool_union_param as beta_tools
    import anthropic.types.content_block_param as ga_blocks
    import anthropic.types.tool_union_param as ga_tools
    from anthropic.types import ContentBlock as GAResponseBlock
    from anthropic.types.beta import BetaContentBlock

    from mockclaude.model import wire

    blocks = _tagged(wire.ContentBlock)
    for union in (
        ga_blocks.ContentBlockParam,
        beta_blocks.BetaContentBlockParam,
        GAResponseBlock,
        BetaContentBlock,
    ):
        for tag, keys in _sdk_shapes(union).items():
            assert tag in blocks, tag
            assert keys <= _fields(blocks[tag]), (tag, keys - _fields(blocks[tag]))
    tools = _tagged(wire.Tool)
    for union in (ga_tools.ToolUnionParam, beta_tools.BetaToolUnionParam):
        for tag, keys in _sdk_shapes(union).items():
            assert keys <= _fields(tools[tag]), (tag, keys - _fields(tools[tag]))


def test_sdk_top_level_keys_are_fields() -> None:
    import anthropic.types.beta.message_count_tokens_params as beta_count
    import anthropic.types.beta.message_create_params as beta_create
    import anthropic.types.message_count_tokens_params as ga_count
    import anthropic.types.message_create_params as ga_create

    from mockclaude.model import wire

    for params, model in (
        (ga_create.MessageCreateParamsStreaming, wire.MessageCreateParams),
        (beta_create.MessageCreateParamsStreaming, wire.MessageCreateParams),
        (ga_count.MessageCountTokensParams, wire.CountTokensParams),
        (beta_count.MessageCountTokensParams, wire.CountTokensParams),
    ):
        keys = set(get_type_hints(params)) - {"betas"}  # `betas` travels as the anthropic-beta header
        assert keys <= _fields(model), keys - _fields(model)
