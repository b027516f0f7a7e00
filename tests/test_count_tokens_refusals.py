"""count_tokens accepts and refuses what the docs say (DOCS token-counting, 2026-12): server tools (all but the
advisor), the MCP connector, and ``url`` / ``file`` image and document sources are a 400 ``invalid_request_error``
there, while ``/v1/messages`` takes the same requests."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from tests.test_usage import jpeg, pdf

MODEL = "claude-sonnet-4-6"
ASK = [{"role": "user", "content": "What is new?"}]

SERVER_TOOLS = [
    {"type": "web_search_20250305", "name": "web_search"},
    {"type": "web_search_20260318", "name": "web_search"},
    {"type": "web_fetch_20250910", "name": "web_fetch"},
    {"type": "code_execution_20250825", "name": "code_execution"},
    {"type": "tool_search_tool_regex_20251119", "name": "tool_search_tool_regex"},
    {"type": "tool_search_tool_bm25_20251119", "name": "tool_search_tool_bm25"},
]
COUNTED_TOOLS = [
    {
        "type": "advisor_20260301",
        "name": "advisor",
        "model": "claude-opus-4-7",
    },  # the one server tool counted
    {"type": "bash_20250124", "name": "bash"},
    {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool"},
    {"type": "memory_20250818", "name": "memory"},
    {"type": "computer_20250124", "name": "computer", "display_width_px": 1024, "display_height_px": 768},
    {"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}},
]


def _refused(client: anthropic.Anthropic, **request: Any) -> str:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.count_tokens(model=MODEL, **request)
    error = caught.value.body["error"]  # type: ignore[index]
    assert error["type"] == "invalid_request_error"
    return str(error["message"])


@pytest.mark.parametrize("tool", SERVER_TOOLS, ids=[t["type"] for t in SERVER_TOOLS])
def test_server_tools_are_refused(client: anthropic.Anthropic, tool: dict[str, Any]) -> None:
    message = _refused(client, tools=[{"name": "x", "input_schema": {"type": "object"}}, tool], messages=ASK)
    assert message.startswith("tools.1: Server tools are not supported by the token counting endpoint")
    # The same request is a Messages request like any other.
    assert (
        client.messages.create(model=MODEL, max_tokens=8, tools=[tool], messages=ASK).usage.input_tokens > 0
    )  # type: ignore[list-item]


@pytest.mark.parametrize("tool", COUNTED_TOOLS, ids=[t.get("type", "custom") for t in COUNTED_TOOLS])
def test_client_tools_and_the_advisor_are_counted(client: anthropic.Anthropic, tool: dict[str, Any]) -> None:
    counted = client.messages.count_tokens(model=MODEL, tools=[tool], messages=ASK)  # type: ignore[list-item]
    assert counted.input_tokens > client.messages.count_tokens(model=MODEL, messages=ASK).input_tokens  # type: ignore[arg-type]


def test_the_mcp_connector_is_refused(client: anthropic.Anthropic) -> None:
    servers = [{"type": "url", "name": "docs", "url": "https://mcp.example.com/sse"}]
    with pytest.raises(anthropic.BadRequestError, match="mcp_servers: The MCP connector is not supported"):
        client.beta.messages.count_tokens(
            model=MODEL, mcp_servers=servers, messages=ASK, betas=["mcp-client-2025-11-20"]
        )  # type: ignore[arg-type]
    toolset = [{"type": "mcp_toolset", "mcp_server_name": "docs"}]
    with pytest.raises(anthropic.BadRequestError, match=r"tools\.0: The MCP connector"):
        client.beta.messages.count_tokens(
            model=MODEL,
            mcp_servers=servers,
            tools=toolset,
            messages=ASK,
            betas=["mcp-client-2025-11-20"],  # type: ignore[arg-type]
        )


URL_IMAGE = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.jpg"}}
URL_PDF = {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}}
FILE_IMAGE = {"type": "image", "source": {"type": "file", "file_id": "file_011CNha8iCJcU1wXNR6q4V8w"}}
FILE_PDF = {"type": "document", "source": {"type": "file", "file_id": "file_011CNha8iCJcU1wXNR6q4V8w"}}


@pytest.mark.parametrize(
    ("block", "text"),
    [
        (URL_IMAGE, "`image` blocks with a `url` source"),
        (URL_PDF, "`document` blocks with a `url` source"),
        (FILE_IMAGE, "`image` blocks with a `file` source"),
        (FILE_PDF, "`document` blocks with a `file` source"),
    ],
)
def test_url_and_file_sources_are_refused(
    client: anthropic.Anthropic, block: dict[str, Any], text: str
) -> None:
    message = _refused(
        client, messages=[{"role": "user", "content": [block, {"type": "text", "text": "Describe"}]}]
    )
    assert message.startswith("messages.0.content.0.source: " + text)
    assert message.endswith("send images and PDFs as base64 to count them.")


def test_nested_sources_are_refused_and_base64_is_counted(client: anthropic.Anthropic) -> None:
    history = [
        {"role": "user", "content": "Get the chart"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get", "input": {}}]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [URL_IMAGE]}],
        },
    ]
    tools = [{"name": "get", "description": "Get", "input_schema": {"type": "object"}}]
    assert _refused(client, tools=tools, messages=history).startswith(
        "messages.2.content.0.content.0.source:"
    )
    inline = [
        {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": jpeg(300, 200)}},
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": pdf(["a page"])},
        },
        {"type": "text", "text": "Describe"},
    ]
    assert (
        client.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": inline}]).input_tokens
        > 0
    )  # type: ignore[misc]
