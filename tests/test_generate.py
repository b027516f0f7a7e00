"""Generated replies (no script): tool calls and agent loops, thinking rules, effort, triggers."""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

import anthropic
import jsonschema
import pytest

from mockclaude import ids
from mockclaude.engine.choose import REDACTED_THINKING_TRIGGER, REFUSAL_TRIGGER
from mockclaude.tokenize.encoding import get_counter

MODEL = "claude-sonnet-4-6"
WEATHER = {
    "name": "get_weather",
    "description": "Current weather for a location",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
}
TIME = {
    "name": "get_local_time",
    "description": "Local time in a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
SCHEMAS = {t["name"]: t["input_schema"] for t in (WEATHER, TIME)}


def run_tool(name: str, args: dict[str, Any]) -> str:
    """The client side of the agent loop: 'execute' a tool."""
    if name == "get_weather":
        return f"18 degrees and sunny in {args['location']}"
    return f"It is 14:05 in {args['city']}"


def tool_uses(message: anthropic.types.Message) -> list[Any]:
    return [b for b in message.content if b.type == "tool_use"]


def test_parallel_tool_calls_for_every_tool_the_question_names(client: anthropic.Anthropic) -> None:
    message = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        tools=[WEATHER, TIME],
        messages=[{"role": "user", "content": "What's the weather in Paris, and the local time there?"}],
    )
    assert message.stop_reason == "tool_use"
    uses = tool_uses(message)
    assert [u.name for u in uses] == ["get_weather", "get_local_time"]
    assert message.content[0].type == "text"
    assert len({u.id for u in uses}) == 2
    for use in uses:
        jsonschema.validate(use.input, SCHEMAS[use.name])


def test_disable_parallel_tool_use_gives_one_call(client: anthropic.Anthropic) -> None:
    for choice in (
        {"type": "auto", "disable_parallel_tool_use": True},
        {"type": "any", "disable_parallel_tool_use": True},
    ):
        message = client.messages.create(
            model=MODEL,
            max_tokens=1024,
            tools=[WEATHER, TIME],
            tool_choice=choice,  # type: ignore[arg-type]
            messages=[{"role": "user", "content": "What's the weather in Paris, and the local time there?"}],
        )
        assert len(tool_uses(message)) == 1, choice


def test_tool_choice_none_never_calls(client: anthropic.Anthropic) -> None:
    message = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        tools=[WEATHER],
        tool_choice={"type": "none"},
        messages=[{"role": "user", "content": "What's the weather in Paris?"}],
    )
    assert message.stop_reason == "end_turn" and tool_uses(message) == []


def test_forced_tool_with_tool_choice_any_after_results_still_calls(client: anthropic.Anthropic) -> None:
    first = client.messages.create(
        model=MODEL,
        max_tokens=512,
        tools=[WEATHER],
        tool_choice={"type": "any"},
        messages=[{"role": "user", "content": "Paris?"}],
    )
    (use,) = tool_uses(first)
    again = client.messages.create(
        model=MODEL,
        max_tokens=512,
        tools=[WEATHER],
        tool_choice={"type": "any"},
        messages=[
            {"role": "user", "content": "Paris?"},
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "sunny"}]},
        ],
    )
    assert again.stop_reason == "tool_use" and again.content[0].type == "tool_use"  # forced: no preamble


def _loop_messages(first: anthropic.types.Message, question: str) -> list[Any]:
    results = [
        {"type": "tool_result", "tool_use_id": use.id, "content": run_tool(use.name, use.input)}
        for use in tool_uses(first)
    ]
    return [
        {"role": "user", "content": question},
        {"role": "assistant", "content": first.content},
        {"role": "user", "content": results},
    ]


QUESTION = "What's the weather in Oslo right now?"


def test_agent_loop_ends_in_two_turns_sync(client: anthropic.Anthropic) -> None:
    turns = 0
    messages: list[Any] = [{"role": "user", "content": QUESTION}]
    while True:
        turns += 1
        reply = client.messages.create(model=MODEL, max_tokens=1024, tools=[WEATHER, TIME], messages=messages)
        if reply.stop_reason != "tool_use":
            break
        messages = _loop_messages(reply, QUESTION)
        assert turns < 5
    assert turns == 2 and reply.stop_reason == "end_turn"
    assert [b.type for b in reply.content] == ["text"]


def test_agent_loop_ends_in_two_turns_async_streaming(aclient: anthropic.AsyncAnthropic) -> None:
    async def loop() -> tuple[int, anthropic.types.Message]:
        turns = 0
        messages: list[Any] = [{"role": "user", "content": QUESTION}]
        while True:
            turns += 1
            async with aclient.messages.stream(
                model=MODEL, max_tokens=1024, tools=[WEATHER, TIME], messages=messages
            ) as stream:
                reply = await stream.get_final_message()
            if reply.stop_reason != "tool_use":
                return turns, reply
            messages = _loop_messages(reply, QUESTION)
            assert turns < 5

    turns, final = asyncio.run(loop())
    assert turns == 2 and final.stop_reason == "end_turn" and final.content[0].type == "text"


def test_claude_code_style_trailing_system_message_still_gets_a_tool_call(
    client: anthropic.Anthropic,
) -> None:
    bash = {
        "name": "Bash",
        "input_schema": {
            "type": "object",
            "properties": {"command": {"type": "string"}},
            "required": ["command"],
        },
    }
    message = client.messages.create(
        model="claude-opus-5-5",  # a model that takes role "system" messages, as Claude Code sends them
        max_tokens=1024,
        tools=[bash],
        messages=[
            {"role": "user", "content": "run bash to list the files"},
            {"role": "system", "content": "Working directory: /tmp"},  # type: ignore[misc,list-item]
        ],
    )
    (use,) = tool_uses(message)
    assert use.name == "Bash" and isinstance(use.input["command"], str)


# -- thinking ------------------------------------------------------------------------------------------------


def _tool_turn(
    client: anthropic.Anthropic, **kw: Any
) -> tuple[anthropic.types.Message, anthropic.types.Message]:
    params: dict[str, Any] = {"model": MODEL, "max_tokens": 4096, "tools": [WEATHER], **kw}
    first = client.beta.messages.create(messages=[{"role": "user", "content": QUESTION}], **params)
    second = client.beta.messages.create(messages=_loop_messages(first, QUESTION), **params)  # type: ignore[arg-type]
    return first, second  # type: ignore[return-value]


def test_thinking_starts_the_turn_and_interleaves_only_with_the_beta(client: anthropic.Anthropic) -> None:
    enabled = {"type": "enabled", "budget_tokens": 2048}
    first, second = _tool_turn(client, thinking=enabled)
    assert [b.type for b in first.content] == ["thinking", "text", "tool_use"]
    assert [b.type for b in second.content] == ["text"]  # no new thinking after tool results
    first, second = _tool_turn(client, thinking=enabled, betas=["interleaved-thinking-2025-05-14"])
    assert [b.type for b in second.content] == ["thinking", "text"]
    block = second.content[0]
    assert block.type == "thinking" and ids.verify_thinking(0, block.thinking, block.signature)
    _, adaptive = _tool_turn(client, thinking={"type": "adaptive"})  # adaptive interleaves by itself (§7.6)
    assert adaptive.content[0].type == "thinking"


def test_thinking_respects_the_budget_and_display(client: anthropic.Anthropic) -> None:
    counter = get_counter("claude-v1")
    for budget in (1024, 1500, 4000):
        message = client.messages.create(
            model=MODEL,
            max_tokens=8000,
            thinking={"type": "enabled", "budget_tokens": budget},
            output_config={"effort": "max"},
            messages=[{"role": "user", "content": f"Think hard {budget}"}],
        )
        block = message.content[0]
        assert block.type == "thinking" and counter.count(block.thinking) <= budget
    omitted = client.messages.create(
        model=MODEL,
        max_tokens=4000,
        thinking={"type": "enabled", "budget_tokens": 2000, "display": "omitted"},
        messages=[{"role": "user", "content": "Think quietly"}],
    )
    block = omitted.content[0]
    assert block.type == "thinking" and block.thinking == "" and ids.verify_thinking(0, "", block.signature)
    assert omitted.usage.output_tokens > counter.count(omitted.content[1].text)  # hidden thinking is billed


def test_changed_or_resigned_thinking_sent_back_is_rejected(client: anthropic.Anthropic) -> None:
    first, _ = _tool_turn(client, thinking={"type": "enabled", "budget_tokens": 2048})
    thinking = first.content[0]
    assert thinking.type == "thinking"
    for changed in (
        {"type": "thinking", "thinking": thinking.thinking + " (edited)", "signature": thinking.signature},
        {
            "type": "thinking",
            "thinking": thinking.thinking,
            "signature": thinking.signature[:-8] + "AAAAAAAA",
        },
    ):
        history = _loop_messages(first, QUESTION)
        history[1]["content"] = [changed, *[b.model_dump(exclude_none=True) for b in first.content[1:]]]
        with pytest.raises(anthropic.BadRequestError) as info:
            client.messages.create(
                model=MODEL,
                max_tokens=4096,
                tools=[WEATHER],
                thinking={"type": "enabled", "budget_tokens": 2048},
                messages=history,
            )
        assert info.value.api_message == "messages.1.content.0: Invalid `signature` in `thinking` block"


def test_redacted_thinking_trigger(client: anthropic.Anthropic) -> None:
    message = client.messages.create(
        model=MODEL,
        max_tokens=4096,
        thinking={"type": "enabled", "budget_tokens": 2048},
        messages=[{"role": "user", "content": REDACTED_THINKING_TRIGGER}],
    )
    assert message.content[0].type == "redacted_thinking" and message.content[0].data


def test_thinking_never_appears_unless_enabled(client: anthropic.Anthropic) -> None:
    for extra in ({}, {"thinking": {"type": "disabled"}}):
        message = client.messages.create(
            model=MODEL,
            max_tokens=2048,
            tools=[WEATHER],
            messages=[{"role": "user", "content": QUESTION}],
            **extra,
        )
        assert all(b.type not in ("thinking", "redacted_thinking") for b in message.content)


# -- effort and refusal ----------------------------------------------------------------------------------------


def test_effort_levels_give_visibly_different_lengths(client: anthropic.Anthropic) -> None:
    means = {}
    for effort in ("low", "medium", "high", "max"):
        lengths = [
            client.messages.create(
                model=MODEL,
                max_tokens=4096,
                output_config={"effort": effort},  # type: ignore[typeddict-item]
                messages=[{"role": "user", "content": f"Question number {i}"}],
            ).usage.output_tokens
            for i in range(8)
        ]
        means[effort] = statistics.mean(lengths)
    assert means["low"] < means["medium"] < means["high"] < means["max"]
    assert means["max"] > 3 * means["low"]


@pytest.mark.parametrize("stream", [False, True])
def test_refusal_trigger(client: anthropic.Anthropic, stream: bool) -> None:
    params: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": f"Please {REFUSAL_TRIGGER}"}],
    }
    if stream:
        with client.messages.stream(**params) as s:
            message = s.get_final_message()
    else:
        message = client.messages.create(**params)
    assert message.stop_reason == "refusal"
    assert message.stop_details is not None and message.stop_details.type == "refusal"
    assert message.content[0].type == "text" and 0 < message.usage.output_tokens <= 6


def test_tool_inputs_are_valid_for_realistic_schemas(client: anthropic.Anthropic) -> None:
    schemas: list[dict[str, Any]] = [
        {
            "type": "object",
            "properties": {
                "query": {"type": "string", "minLength": 3},
                "filters": {
                    "type": "object",
                    "properties": {
                        "after": {"type": "string", "format": "date"},
                        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                    },
                },
                "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            },
            "required": ["query", "limit"],
        },
        {
            "type": "object",
            "$defs": {
                "point": {
                    "type": "object",
                    "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                    "required": ["x", "y"],
                }
            },
            "properties": {"path": {"type": "array", "items": {"$ref": "#/$defs/point"}, "minItems": 2}},
            "required": ["path"],
        },
        {
            "type": "object",
            "properties": {
                "target": {
                    "anyOf": [{"type": "string", "format": "email"}, {"type": "integer", "minimum": 1000}]
                }
            },
            "required": ["target"],
            "additionalProperties": False,
        },
    ]
    for i, schema in enumerate(schemas):
        for n in range(5):
            message = client.messages.create(
                model=MODEL,
                max_tokens=1024,
                tools=[{"name": f"tool_{i}", "input_schema": schema}],
                tool_choice={"type": "tool", "name": f"tool_{i}"},
                messages=[{"role": "user", "content": f"go {n}"}],
            )
            (use,) = tool_uses(message)
            jsonschema.validate(use.input, schema)


def test_models_that_think_by_default_think_without_the_parameter(client: anthropic.Anthropic) -> None:
    message = client.messages.create(
        model="claude-sonnet-5",
        max_tokens=4096,
        messages=[{"role": "user", "content": "Plan a trip to Lisbon."}],
    )
    assert message.content[0].type == "thinking"  # adaptive by default on this model (§7.2)


def test_between_tools_mode_gives_a_progress_note_after_tool_results(client: anthropic.Anthropic) -> None:
    params: dict[str, Any] = {"model": "claude-sonnet-5-5", "max_tokens": 2048, "tools": [WEATHER]}
    first = client.messages.create(
        messages=[{"role": "user", "content": QUESTION}], thinking={"type": "between_tools"}, **params
    )
    assert [b.type for b in first.content] == ["text", "tool_use"]
    second = client.messages.create(
        messages=_loop_messages(first, QUESTION), thinking={"type": "between_tools"}, **params
    )
    assert [b.type for b in second.content] == ["thinking", "text"]
