"""The shipped fixture files (``fixtures/``) driven through the official SDKs, streaming and not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

from mockclaude.engine.core import Engine
from mockclaude.pipeline import Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MODEL = "claude-sonnet-4-6"
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Current weather for a location",
    "input_schema": {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}},
        "required": ["location"],
    },
}
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}


@pytest.fixture(scope="module")
def srv() -> Iterator[ServerThread]:
    with ServerThread(create_app(Settings(seed=0, fixtures=str(FIXTURES)))) as server:
        yield server


@pytest.fixture
def engine(srv: ServerThread) -> Engine:
    eng: Engine = srv.app[PIPELINE].engine
    eng.reset()
    eng.stubs.load(FIXTURES)  # fresh counters and scenario states for every test
    return eng


def call(client: anthropic.Anthropic, stream: bool, **params: Any) -> anthropic.types.Message:
    """One Messages call, as ``create`` or through the streaming helper."""
    params = {"model": MODEL, "max_tokens": 1024, **params}
    if not stream:
        return client.messages.create(**params)
    with client.messages.stream(**params) as s:
        return s.get_final_message()


@pytest.fixture(params=[False, True], ids=["json", "sse"])
def stream(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def sdk(srv: ServerThread, retries: int = 0) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=srv.url, api_key="sk-test", max_retries=retries)


def test_every_shipped_fixture_loads(srv: ServerThread, engine: Engine) -> None:
    names = {s["name"] for s in engine.stubs.list()}
    assert {
        "weather-call",
        "weather-answer",
        "flaky-upstream",
        "refuse-before-output",
        "shannon-search",
    } <= names
    assert all(s["source"].startswith(str(FIXTURES)) for s in engine.stubs.list())


def test_two_step_weather_agent(srv: ServerThread, engine: Engine, stream: bool) -> None:
    client = sdk(srv)
    messages: list[Any] = [{"role": "user", "content": "What's the weather like in Paris?"}]
    first = call(client, stream, tools=[WEATHER_TOOL], messages=messages)
    assert first.stop_reason == "tool_use"
    assert [b.type for b in first.content] == ["text", "tool_use"]
    use = first.content[1]
    assert use.type == "tool_use" and use.name == "get_weather"
    assert use.input == {"location": "Paris, France", "unit": "celsius"}
    assert use.id.startswith("toolu_01")
    messages += [
        {"role": "assistant", "content": first.content},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "18°C and sunny"}],
        },
    ]
    second = call(client, stream, tools=[WEATHER_TOOL], messages=messages)
    assert second.stop_reason == "end_turn"
    assert second.content[0].type == "text"
    assert second.content[0].text == "Right now in Paris it is 18°C and sunny. Enjoy your day!"


def test_weather_tool_error_branch(srv: ServerThread, engine: Engine, stream: bool) -> None:
    client = sdk(srv)
    first = call(
        client, stream, tools=[WEATHER_TOOL], messages=[{"role": "user", "content": "weather in Paris?"}]
    )
    use = first.content[1]
    assert use.type == "tool_use"
    result = {"type": "tool_result", "tool_use_id": use.id, "content": "timeout", "is_error": True}
    second = call(
        client,
        stream,
        tools=[WEATHER_TOOL],
        messages=[
            {"role": "user", "content": "weather in Paris?"},
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": [result]},
        ],
    )
    assert second.content[0].type == "text" and second.content[0].text.endswith("failed: timeout")


def test_retry_sequence_is_absorbed_by_sdk_retries(srv: ServerThread, engine: Engine, stream: bool) -> None:
    message = call(sdk(srv, retries=2), stream, messages=[{"role": "user", "content": "please retry me"}])
    assert message.content[0].type == "text"
    assert message.content[0].text == "Third time lucky: the request went through."
    stub = next(s for s in engine.stubs.list() if s["name"] == "flaky-upstream")
    assert stub["matched"] == 3


def test_retry_sequence_without_retries_surfaces_the_529(
    srv: ServerThread, engine: Engine, stream: bool
) -> None:
    with pytest.raises(anthropic.APIStatusError) as info:
        call(sdk(srv, retries=0), stream, messages=[{"role": "user", "content": "retry me"}])
    assert info.value.status_code == 529 and info.value.type == "overloaded_error"


def test_refusal_before_output(srv: ServerThread, engine: Engine, stream: bool) -> None:
    message = call(sdk(srv), stream, messages=[{"role": "user", "content": "tell me the forbidden topic"}])
    assert message.stop_reason == "refusal"
    assert message.content == []
    assert message.stop_details is not None and message.stop_details.category == "general_harms"
    assert message.usage.input_tokens == 0 and message.usage.output_tokens == 0


def test_refusal_mid_stream_keeps_partial_text(srv: ServerThread, engine: Engine, stream: bool) -> None:
    message = call(sdk(srv), stream, messages=[{"role": "user", "content": "a risky follow-up"}])
    assert message.stop_reason == "refusal"
    assert message.content[0].type == "text" and message.content[0].text == "Here is how you could start:"
    assert message.stop_details is not None and message.stop_details.category == "cyber"
    assert message.usage.output_tokens > 0


def test_server_tool_search_with_citations(srv: ServerThread, engine: Engine, stream: bool) -> None:
    message = call(
        sdk(srv),
        stream,
        tools=[WEB_SEARCH],
        messages=[{"role": "user", "content": "When was Claude Shannon born?"}],
    )
    kinds = [b.type for b in message.content]
    assert kinds == ["text", "server_tool_use", "web_search_tool_result", "text"]
    use, result, answer = message.content[1], message.content[2], message.content[3]
    assert use.type == "server_tool_use" and use.id.startswith("srvtoolu_01") and use.name == "web_search"
    assert result.type == "web_search_tool_result" and result.tool_use_id == use.id
    assert (
        isinstance(result.content, list)
        and result.content[0].url == "https://en.wikipedia.org/wiki/Claude_Shannon"
    )
    assert all(hit.encrypted_content for hit in result.content)
    assert answer.type == "text" and answer.citations
    citation = answer.citations[0]
    assert citation.type == "web_search_result_location" and citation.url == result.content[0].url
    assert citation.encrypted_index
    assert message.stop_reason == "end_turn"
    assert (
        message.usage.server_tool_use is not None and message.usage.server_tool_use.web_search_requests == 1
    )


def test_echo_template_and_scenario(srv: ServerThread, engine: Engine, stream: bool) -> None:
    client = sdk(srv)

    def say(text: str) -> str:
        block = call(client, stream, messages=[{"role": "user", "content": text}]).content[0]
        assert block.type == "text"
        return block.text

    assert say("echo: hello") == "ECHO: HELLO"
    assert say("who am I?") == "You are not logged in."
    assert say("log me in") == "You are now logged in."
    assert say("who am I?") == "You are logged in (request 1 to this stub)."
    assert say("who am I?") == "You are logged in (request 2 to this stub)."
    assert engine.scenarios.get("session") == "logged-in"


def test_async_client_runs_the_weather_fixture(srv: ServerThread, engine: Engine) -> None:
    import asyncio

    async def run() -> str:
        client = anthropic.AsyncAnthropic(base_url=srv.url, api_key="sk-test", max_retries=0)
        first = await client.messages.create(
            model=MODEL,
            max_tokens=512,
            tools=[WEATHER_TOOL],
            messages=[{"role": "user", "content": "weather?"}],
        )
        use = first.content[-1]
        assert use.type == "tool_use"
        async with client.messages.stream(
            model=MODEL,
            max_tokens=512,
            tools=[WEATHER_TOOL],
            messages=[
                {"role": "user", "content": "weather?"},
                {"role": "assistant", "content": first.content},
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "rainy"}],
                },
            ],
        ) as s:
            final = await s.get_final_message()
        block = final.content[0]
        assert block.type == "text"
        return block.text

    assert asyncio.run(run()) == "Right now in Paris it is rainy. Enjoy your day!"
