"""The Messages endpoint on the wire, driven by the official SDK (the oracle: if it can't parse it, it's wrong)."""

from __future__ import annotations

from typing import Any

import anthropic
import jsonschema
import pytest

from mockclaude import ids
from tests import rawhttp

MODEL = "claude-sonnet-4-6"
WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather in a given location",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
}


def _strip_ids(message: anthropic.types.Message) -> dict[str, Any]:
    data = message.model_dump(exclude_none=True)
    data.pop("id")
    for block in data["content"]:
        block.pop("id", None)
    return data


PARITY_CASES: dict[str, dict[str, Any]] = {
    "text": {"messages": [{"role": "user", "content": "Tell me about the sea."}]},
    "system_blocks": {
        "system": [{"type": "text", "text": "You are terse."}],
        "messages": [{"role": "user", "content": "Hi"}],
    },
    "thinking": {
        "max_tokens": 4096,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "messages": [{"role": "user", "content": "Prove there are infinitely many primes."}],
    },
    "adaptive_omitted": {
        "max_tokens": 4096,
        "thinking": {"type": "adaptive", "display": "omitted"},
        "messages": [{"role": "user", "content": "Think hard."}],
    },
    "forced_tool": {
        "tools": [WEATHER],
        "tool_choice": {"type": "tool", "name": "get_weather"},
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
    },
    "auto_tool": {
        "tools": [WEATHER],
        "messages": [{"role": "user", "content": "What is the weather in Oslo?"}],
    },
    "max_tokens_cut": {"max_tokens": 7, "messages": [{"role": "user", "content": "Write an essay."}]},
}


@pytest.mark.parametrize("case", sorted(PARITY_CASES))
def test_create_equals_stream_final_message(client: anthropic.Anthropic, case: str) -> None:
    params: dict[str, Any] = {"model": MODEL, "max_tokens": 1024, **PARITY_CASES[case]}
    created = client.messages.create(**params)
    with client.messages.stream(**params) as stream:
        final = stream.get_final_message()
    assert _strip_ids(created) == _strip_ids(final)
    assert created.id != final.id  # a repeated request gets a new id, as the real API gives


def test_stop_sequence_cuts_before_the_sequence(client: anthropic.Anthropic) -> None:
    params: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": "Go"}],
    }
    full = client.messages.create(**params).content[0].text
    words = full.split()
    seq = " " + words[len(words) // 2]
    cut = client.messages.create(**params, stop_sequences=[seq])
    assert cut.stop_reason == "stop_sequence"
    assert cut.stop_sequence == seq
    assert cut.content[0].text == full[: full.index(seq)]
    with client.messages.stream(**params, stop_sequences=[seq]) as stream:
        streamed = stream.get_final_message()
    assert streamed.stop_sequence == seq and streamed.content[0].text == cut.content[0].text


def test_max_tokens_cut_is_exact(client: anthropic.Anthropic) -> None:
    from mockclaude.tokenize.encoding import get_counter

    counter = get_counter("claude-v1")
    long = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        messages=[{"role": "user", "content": "Essay please"}],
        output_config={"effort": "max"},
    )
    text = long.content[0].text
    n = counter.count(text)
    assert long.stop_reason == "end_turn" and long.usage.output_tokens == n
    cut = client.messages.create(
        model=MODEL,
        max_tokens=n // 2,
        messages=[{"role": "user", "content": "Essay please"}],
        output_config={"effort": "max"},
    )
    assert cut.stop_reason == "max_tokens"
    assert cut.usage.output_tokens == n // 2
    assert counter.count(cut.content[0].text) <= n // 2
    assert text.startswith(cut.content[0].text)


def test_thinking_only_when_enabled(client: anthropic.Anthropic) -> None:
    plain = client.messages.create(model=MODEL, max_tokens=2048, messages=[{"role": "user", "content": "Hi"}])
    assert [b.type for b in plain.content] == ["text"]
    thought = client.messages.create(
        model=MODEL,
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[{"role": "user", "content": "Hi"}],
    )
    assert [b.type for b in thought.content] == ["thinking", "text"]
    block = thought.content[0]
    assert block.type == "thinking" and block.thinking and block.signature.startswith("Eq")
    assert ids.verify_thinking(0, block.thinking, block.signature)


def test_forced_tool_input_is_valid_against_schema(client: anthropic.Anthropic) -> None:
    for choice in ({"type": "any"}, {"type": "tool", "name": "get_weather"}):
        message = client.messages.create(
            model=MODEL,
            max_tokens=512,
            tools=[WEATHER],
            tool_choice=choice,  # type: ignore[arg-type]
            messages=[{"role": "user", "content": "Weather?"}],
        )
        assert message.stop_reason == "tool_use"
        block = message.content[-1]
        assert block.type == "tool_use" and block.name == "get_weather"
        assert block.id.startswith("toolu_01") and len(block.id) == len("toolu_01") + 22
        jsonschema.validate(block.input, WEATHER["input_schema"])


def test_agent_loop_ends_with_text(client: anthropic.Anthropic) -> None:
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Paris?"}]
    first = client.messages.create(model=MODEL, max_tokens=512, tools=[WEATHER], messages=messages)
    assert first.stop_reason == "tool_use"
    call = next(b for b in first.content if b.type == "tool_use")
    messages += [
        {"role": "assistant", "content": first.content},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "18C, sunny"}],
        },
    ]
    second = client.messages.create(model=MODEL, max_tokens=512, tools=[WEATHER], messages=messages)
    assert second.stop_reason == "end_turn"
    assert [b.type for b in second.content] == ["text"]


def test_deterministic_bytes_across_servers() -> None:
    """Same seed + same request sequence → identical bytes, ids included, on two fresh servers."""
    from mockclaude.pipeline import Settings
    from mockclaude.server.app import create_app
    from mockclaude.server.runner import ServerThread

    body = {"model": MODEL, "max_tokens": 300, "messages": [{"role": "user", "content": "Same?"}]}
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    runs = []
    for _ in range(2):
        with ServerThread(create_app(Settings(seed=42))) as srv:
            got = []
            for stream in (False, True, False):
                r = rawhttp.post(
                    f"{srv.url}/v1/messages", json_body={**body, "stream": stream}, headers=headers
                )
                got.append((r.content, r.headers["request-id"]))
            runs.append(got)
    assert runs[0] == runs[1]
    assert runs[0][0][0] != runs[0][2][0]  # the repeat got a new msg id


def test_response_headers(client: anthropic.Anthropic) -> None:
    raw = client.messages.with_raw_response.create(
        model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    )
    assert raw.headers["request-id"].startswith("req_011C")
    assert raw.headers["content-type"] == "application/json"
    for family in ("requests", "tokens", "input-tokens", "output-tokens"):
        for part in ("limit", "remaining", "reset"):
            assert f"anthropic-ratelimit-{family}-{part}" in raw.headers
    assert raw.parse()._request_id == raw.headers["request-id"]


def test_streaming_wire_format(server: Any) -> None:
    r = rawhttp.post(
        f"{server.url}/v1/messages?beta=true",
        json_body={
            "model": MODEL,
            "max_tokens": 300,
            "stream": True,
            "messages": [{"role": "user", "content": "Hi"}],
        },
        headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
    )
    assert r.status == 200
    assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert r.headers["cache-control"] == "no-cache"
    frames = [f for f in r.text.split("\n\n") if f]
    names = [f.split("\n")[0].removeprefix("event: ") for f in frames]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(names[3:-3]) == {"content_block_delta"}
    for frame in frames:
        lines = frame.split("\n")
        assert len(lines) == 2 and lines[1].startswith("data: ")


async def test_async_client_and_stream(aclient: anthropic.AsyncAnthropic) -> None:
    params: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 256,
        "messages": [{"role": "user", "content": "Hey"}],
    }
    created = await aclient.messages.create(**params)
    async with aclient.messages.stream(**params) as stream:
        text = "".join([t async for t in stream.text_stream])
        final = await stream.get_final_message()
    assert text == created.content[0].text == final.content[0].text
    assert final.usage.output_tokens == created.usage.output_tokens > 0


def test_path_prefix_and_beta_query(server: Any) -> None:
    client = anthropic.Anthropic(base_url=server.url + "/anthropic", api_key="k", max_retries=0)
    message = client.messages.create(model=MODEL, max_tokens=32, messages=[{"role": "user", "content": "Hi"}])
    assert message.type == "message"
    beta = client.beta.messages.create(
        model=MODEL,
        max_tokens=32,
        messages=[{"role": "user", "content": "Hi"}],
        betas=["context-1m-2025-08-07"],
    )
    assert beta.content


def test_old_sdk_header_style(server: Any) -> None:
    r = rawhttp.post(
        f"{server.url}/v1/messages",
        json_body={
            "model": MODEL,
            "max_tokens": 32,
            "messages": [{"role": "user", "content": "Hi"}],
            "temperature": 0.5,
        },
        headers={"X-Api-Key": "k", "anthropic-version": "2023-06-01"},
    )
    assert r.status == 200, r.text


def test_output_tokens_follow_the_model_token_ratio(client: anthropic.Anthropic) -> None:
    """Newer tokenizers count ~30 % more (api-spec §11): output usage and the max_tokens cut move with them."""
    from mockclaude.model.catalog import get_catalog
    from mockclaude.tokenize.encoding import get_counter

    base = get_counter("claude-v1")
    for model in ("claude-sonnet-4-6", "claude-sonnet-5"):
        ratio = get_catalog().require(model).token_ratio
        message = client.messages.create(
            model=model,
            max_tokens=2048,
            thinking={"type": "disabled"},  # Sonnet 5 thinks by default; count the text alone
            messages=[{"role": "user", "content": "Tell me about the sea"}],
        )
        assert [b.type for b in message.content] == ["text"]
        text = message.content[0].text  # type: ignore[union-attr]
        assert message.usage.output_tokens == round(base.count(text) * ratio)
    cut = client.messages.create(
        model="claude-sonnet-5",
        max_tokens=13,
        thinking={"type": "disabled"},
        messages=[{"role": "user", "content": "Tell me about the sea"}],
    )
    assert cut.stop_reason == "max_tokens" and cut.usage.output_tokens <= 13
