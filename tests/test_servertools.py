"""Generated server-tool turns: web search with citations, max_uses, pause_turn, web fetch, code execution."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from mockclaude.engine.choose import PAUSE_TURN_TRIGGER
from mockclaude.engine.servertools import ITERATION_LIMIT, arithmetic_in

MODEL = "claude-sonnet-4-6"
SEARCH = {"type": "web_search_20250305", "name": "web_search"}
FETCH = {"type": "web_fetch_20250910", "name": "web_fetch", "citations": {"enabled": True}}
CODE_NEW = {"type": "code_execution_20250825", "name": "code_execution"}
CODE_OLD = {"type": "code_execution_20250522", "name": "code_execution"}


def ask(client: anthropic.Anthropic, text: str, tools: list[Any], stream: bool = False, **kw: Any) -> Any:
    params: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 4096,
        "tools": tools,
        "messages": [{"role": "user", "content": text}],
        **kw,
    }
    if "messages" in kw:
        params["messages"] = kw["messages"]
    if not stream:
        return client.messages.create(**params)
    with client.messages.stream(**params) as s:
        return s.get_final_message()


def kinds(message: Any) -> list[str]:
    return [b.type for b in message.content]


@pytest.mark.parametrize("stream", [False, True])
def test_web_search_turn_with_citations(client: anthropic.Anthropic, stream: bool) -> None:
    message = ask(client, "What is the latest news about the James Webb telescope?", [SEARCH], stream)
    types = kinds(message)
    assert types[:3] == ["text", "server_tool_use", "web_search_tool_result"]
    assert message.stop_reason == "end_turn"
    uses = [b for b in message.content if b.type == "server_tool_use"]
    results = [b for b in message.content if b.type == "web_search_tool_result"]
    assert len(uses) == len(results) == 2  # effort "high" (the default) runs two searches
    for use, result in zip(uses, results, strict=True):
        assert use.name == "web_search" and use.id.startswith("srvtoolu_01") and "Webb" in use.input["query"]
        assert result.tool_use_id == use.id
        assert 3 <= len(result.content) <= 5
        for hit in result.content:
            assert hit.url.startswith("https://") and hit.title and hit.encrypted_content
    urls = {hit.url for r in results for hit in r.content}
    cited = [c for b in message.content if b.type == "text" for c in (b.citations or [])]
    assert cited and all(c.type == "web_search_result_location" and c.url in urls for c in cited)
    assert all(len(c.cited_text) <= 150 and c.encrypted_index for c in cited)
    assert message.usage.server_tool_use.web_search_requests == 2


def test_search_count_follows_effort(client: anthropic.Anthropic) -> None:
    low = ask(client, "search for the price of gold", [SEARCH], output_config={"effort": "low"})
    assert kinds(low).count("server_tool_use") == 1 and low.usage.server_tool_use.web_search_requests == 1


def test_max_uses_is_honoured(client: anthropic.Anthropic) -> None:
    message = ask(client, "latest news on fusion power", [{**SEARCH, "max_uses": 1}])
    results = [b for b in message.content if b.type == "web_search_tool_result"]
    assert isinstance(results[0].content, list)
    assert results[1].content.type == "web_search_tool_result_error"
    assert results[1].content.error_code == "max_uses_exceeded"
    assert message.usage.server_tool_use.web_search_requests == 1  # failed calls are not billed
    assert message.content[-1].type == "text"


def test_pause_turn_after_the_iteration_limit_then_continue(client: anthropic.Anthropic) -> None:
    question = f"Search everything about tides {PAUSE_TURN_TRIGGER}"
    first = ask(client, question, [SEARCH])
    assert first.stop_reason == "pause_turn"
    assert kinds(first).count("server_tool_use") == ITERATION_LIMIT
    assert first.content[-1].type == "web_search_tool_result"
    # The client sends the paused turn back unchanged to let it continue (§8.7).
    history = [{"role": "user", "content": question}, {"role": "assistant", "content": first.content}]
    second = ask(client, question, [SEARCH], messages=history)
    assert second.stop_reason == "end_turn"
    assert kinds(second).count("server_tool_use") == 2
    assert second.content[-1].type == "text"
    assert any(b.type == "text" and b.citations for b in second.content)


def test_server_tool_history_is_accepted_on_the_next_turn(client: anthropic.Anthropic) -> None:
    first = ask(client, "latest news about Mars rovers", [SEARCH])
    follow_up = ask(
        client,
        "",
        [SEARCH],
        messages=[
            {"role": "user", "content": "latest news about Mars rovers"},
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": "Thanks! Summarize that in one line."},
        ],
    )
    assert follow_up.content[-1].type == "text"


@pytest.mark.parametrize("stream", [False, True])
def test_web_fetch_with_citations_into_the_document(client: anthropic.Anthropic, stream: bool) -> None:
    url = "https://docs.example.org/guide/intro"
    message = ask(client, f"Please fetch {url} and summarize it", [FETCH], stream)
    fetch = next(b for b in message.content if b.type == "server_tool_use")
    assert fetch.name == "web_fetch" and fetch.input == {"url": url}
    result = next(b for b in message.content if b.type == "web_fetch_tool_result")
    assert result.tool_use_id == fetch.id
    page = result.content
    assert page.type == "web_fetch_result" and page.url == url and page.retrieved_at
    document = page.content.source.data
    cites = [c for b in message.content if b.type == "text" for c in (b.citations or [])]
    assert cites
    for cite in cites:
        assert cite.type == "char_location"
        assert document[cite.start_char_index : cite.end_char_index] == cite.cited_text
    assert message.usage.server_tool_use.web_fetch_requests == 1


@pytest.mark.parametrize(
    ("tool", "name", "result_type"),
    [
        (CODE_NEW, "bash_code_execution", "bash_code_execution_tool_result"),
        (CODE_OLD, "code_execution", "code_execution_tool_result"),
    ],
)
def test_code_execution_runs_the_arithmetic(
    client: anthropic.Anthropic, tool: Any, name: str, result_type: str
) -> None:
    message = ask(client, "Calculate 27 * 453 for me", [tool])
    use = next(b for b in message.content if b.type == "server_tool_use")
    assert use.name == name
    result = next(b for b in message.content if b.type == result_type)
    assert result.tool_use_id == use.id
    assert result.content.stdout == "12231\n" and result.content.return_code == 0
    assert "12231" in message.content[-1].text
    assert message.container is not None and message.container.id.startswith("container_")


def test_tool_choice_none_with_server_tools_answers_in_text(client: anthropic.Anthropic) -> None:
    message = ask(client, "search the latest news", [SEARCH], tool_choice={"type": "none"})
    assert kinds(message) == ["text"] and message.usage.server_tool_use is None


def test_forcing_a_server_tool_by_name(client: anthropic.Anthropic) -> None:
    message = ask(client, "hello there", [SEARCH], tool_choice={"type": "tool", "name": "web_search"})
    assert "server_tool_use" in kinds(message)


def test_arithmetic_detection() -> None:
    assert arithmetic_in("what is 2 + 2?") == ("2 + 2", "4")
    assert arithmetic_in("Compute (3+4)*5 please") == ("(3+4)*5", "35")
    assert arithmetic_in("no numbers here") is None
    assert arithmetic_in("version 3") is None
