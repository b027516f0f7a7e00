"""A ``max_tokens`` cut inside a tool call keeps the partial ``tool_use`` block (api-spec §8.5), identical in the JSON
reply and the stream: the input JSON is cut at a token boundary, buffered per parameter value by default and
streamed as generated with ``eager_input_streaming``; ``input`` is what the SDK's accumulator (``jiter`` partial
mode) makes of the streamed text, and ``output_tokens`` is exactly ``max_tokens``."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import jiter
import openai
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockclaude import MockClaude
from mockclaude.engine.blocks import TOOL_USE_FRAMING_TOKENS
from mockclaude.engine.partial_json import complete_members, parse_partial
from mockclaude.tokenize.encoding import get_counter

MODEL = "claude-sonnet-4-6"  # token ratio 1: its output counts are the claude-v1 counter's
WRITE = {
    "name": "write_file",
    "description": "Write a text file",
    "input_schema": {
        "type": "object",
        "properties": {
            "path": {"type": "string"},
            "content": {"type": "string", "minLength": 200},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 3},
        },
        "required": ["path", "content", "tags"],
    },
}
COUNTER = get_counter("claude-v1")
HEAD = COUNTER.count("write_file") + TOOL_USE_FRAMING_TOKENS  # the call's name and framing come first


def params(max_tokens: int, tool: dict[str, Any] = WRITE, **extra: Any) -> dict[str, Any]:
    return {
        "model": MODEL,
        "max_tokens": max_tokens,
        "tools": [tool],
        "tool_choice": {"type": "tool", "name": "write_file"},
        "messages": [{"role": "user", "content": "Write the notes file."}],
        **extra,
    }


def compact(value: Any) -> str:
    return orjson.dumps(value).decode()


def both(client: anthropic.Anthropic, body: dict[str, Any]) -> tuple[anthropic.types.Message, str]:
    """The created reply, after checking the streamed one equals it; and the streamed ``partial_json`` text."""
    created = client.messages.create(**body)
    with client.messages.stream(**body) as stream:
        streamed = "".join(event.partial_json for event in stream if event.type == "input_json")
        final = stream.get_final_message()
    strip = {"id": True, "content": {"__all__": {"id"}}}
    assert created.model_dump(exclude=strip) == final.model_dump(exclude=strip)  # type: ignore[arg-type]
    return created, streamed


def full_input(client: anthropic.Anthropic, tool: dict[str, Any] = WRITE) -> tuple[dict[str, Any], int]:
    reply = client.messages.create(**params(2048, tool))
    (use,) = reply.content
    assert use.type == "tool_use" and reply.stop_reason == "tool_use"
    assert reply.usage.output_tokens == HEAD + COUNTER.count(compact(use.input))
    return use.input, reply.usage.output_tokens


@pytest.mark.parametrize("short", [1, 5, 12])
def test_buffered_cut_keeps_the_complete_parameters(client: anthropic.Anthropic, short: int) -> None:
    value, total = full_input(client)
    budget = total - short
    reply, streamed = both(client, params(budget))
    assert reply.stop_reason == "max_tokens" and reply.stop_sequence is None
    assert reply.usage.output_tokens == budget
    (use,) = reply.content
    assert use.type == "tool_use" and use.name == "write_file" and use.id.startswith("toolu_01")
    # The stream ends after the last complete top-level value: what the cut token budget holds, buffered.
    cut = COUNTER.truncate(compact(value), budget - HEAD)
    assert streamed == complete_members(cut)
    assert compact(value).startswith(streamed) and not streamed.endswith("}")
    assert use.input == json.loads(streamed + "}")
    kept = list(use.input)
    assert 0 < len(kept) < len(value) and kept == list(value)[: len(kept)]
    assert use.input == {key: value[key] for key in kept}


def test_eager_cut_streams_up_to_the_cut_token(client: anthropic.Anthropic) -> None:
    tool = {**WRITE, "eager_input_streaming": True}
    value, total = full_input(client, tool)
    payload = compact(value)
    content_at = payload.index('"content":"') + len('"content":"')
    # A budget that ends inside the content string: streamed, but an unfinished string is no input yet.
    budget = HEAD + COUNTER.count(payload[: content_at + 20])
    reply, streamed = both(client, params(budget, tool))
    assert reply.stop_reason == "max_tokens" and reply.usage.output_tokens == budget < total
    assert streamed == COUNTER.truncate(payload, budget - HEAD)
    assert len(streamed) > content_at and '"content":"' in streamed
    (use,) = reply.content
    assert use.input == jiter.from_json(streamed.encode(), partial_mode=True) == {"path": value["path"]}


def test_eager_cut_inside_an_array_keeps_its_complete_items(client: anthropic.Anthropic) -> None:
    tool = {**WRITE, "eager_input_streaming": True}
    value, _ = full_input(client, tool)
    payload = compact(value)
    first_tag = payload.index('"tags":[') + len('"tags":[') + len(compact(value["tags"][0])) + 1
    budget = HEAD + COUNTER.count(payload[:first_tag])
    reply, streamed = both(client, params(budget, tool))
    (use,) = reply.content
    assert reply.usage.output_tokens == budget
    assert use.input["tags"][0] == value["tags"][0] and len(use.input["tags"]) < len(value["tags"])
    assert use.input == jiter.from_json(streamed.encode(), partial_mode=True)


def test_fine_grained_beta_streams_eagerly_unless_the_tool_says_no(client: anthropic.Anthropic) -> None:
    value, total = full_input(client)
    beta = {"extra_headers": {"anthropic-beta": "fine-grained-tool-streaming-2025-05-14"}}
    budget = total - 3
    _, eager = both(client, params(budget, **beta))
    assert eager == COUNTER.truncate(compact(value), budget - HEAD)
    off = {**WRITE, "eager_input_streaming": False}
    off_value, off_total = full_input(client, off)
    _, buffered = both(client, params(off_total - 3, off, **beta))
    assert buffered == complete_members(COUNTER.truncate(compact(off_value), off_total - 3 - HEAD))


def test_budget_inside_the_name_and_framing_gives_no_block(client: anthropic.Anthropic) -> None:
    reply, streamed = both(client, params(HEAD - 1))
    assert reply.content == [] and streamed == ""
    assert reply.stop_reason == "max_tokens" and reply.usage.output_tokens == HEAD - 1
    started, streamed = both(client, params(HEAD))  # the call is out, none of its input yet
    assert [b.type for b in started.content] == ["tool_use"] and started.content[0].input == {}  # type: ignore[union-attr]
    assert streamed == ""


def test_cut_after_a_preamble_keeps_the_text_and_the_partial_call(client: anthropic.Anthropic) -> None:
    body = {**params(2048), "tool_choice": {"type": "auto"}}
    whole = client.messages.create(**body)
    assert [b.type for b in whole.content] == ["text", "tool_use"]
    body["max_tokens"] = whole.usage.output_tokens - 4
    reply, _ = both(client, body)
    assert [b.type for b in reply.content] == ["text", "tool_use"]
    assert reply.content[0] == whole.content[0] and reply.usage.output_tokens == body["max_tokens"]


def test_chat_completions_carry_the_streamed_arguments() -> None:
    with MockClaude() as mock:
        chat = openai.OpenAI(base_url=mock.url + "/v1", api_key="sk-x", max_retries=0)
        function = {"name": WRITE["name"], "parameters": WRITE["input_schema"]}
        body: dict[str, Any] = {
            "model": MODEL,
            "max_tokens": 2048,
            "tools": [{"type": "function", "function": function}],
            "tool_choice": {"type": "function", "function": {"name": "write_file"}},
            "messages": [{"role": "user", "content": "Write the notes file."}],
        }
        whole = chat.chat.completions.create(**body)
        (call,) = whole.choices[0].message.tool_calls or []
        payload = call.function.arguments  # type: ignore[union-attr]
        total = whole.usage.completion_tokens if whole.usage else 0
        body["max_tokens"] = total - 5
        completion = chat.chat.completions.create(**body)
        (choice,) = completion.choices
        assert (
            choice.finish_reason == "length"
            and completion.usage
            and completion.usage.completion_tokens == total - 5
        )
        (call,) = choice.message.tool_calls or []
        arguments = call.function.arguments  # type: ignore[union-attr]
        assert arguments == complete_members(COUNTER.truncate(payload, total - 5 - HEAD))
        chunks = list(chat.chat.completions.create(**body, stream=True))
        pieces = [
            c.choices[0].delta.tool_calls for c in chunks if c.choices and c.choices[0].delta.tool_calls
        ]
        assert "".join(p[0].function.arguments or "" for p in pieces) == arguments  # type: ignore[union-attr]


# -- the partial JSON reader against jiter, the Python SDK's ---------------------------------------------------------

_key = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
)
_value = st.recursive(
    _scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_key, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=120, deadline=None)
@given(st.dictionaries(_key, _value, min_size=1, max_size=5))
def test_parse_partial_equals_jiter_for_every_prefix(value: dict[str, Any]) -> None:
    text = compact(value)
    for end in range(1, len(text) + 1):
        prefix = text[:end]
        expected = jiter.from_json(prefix.encode(), partial_mode=True)
        got = parse_partial(prefix)
        assert got == expected and repr(got) == repr(expected), prefix
        members = complete_members(prefix)
        assert text.startswith(members)
        if members and members != text:
            kept = json.loads(members + "}")
            assert kept == {key: value[key] for key in kept}
    assert complete_members(text) == text and parse_partial("") == {}
