"""What invalidates what (api-spec §6.7), isolation by API key, stream/JSON parity (§4.4), count_tokens, pre-warming
(§6.8) and the breakpoint validation errors (§6.1, §6.2, §6.4), all through the official SDK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from tests.test_cache import (
    EPHEMERAL,
    ONE_HOUR,
    PNG_1X1,
    SONNET,
    Mock,
    expect,
    long_text,
    start_mock,
    system_request,
    usage_of,
)
from tests.test_cache import key as key  # the per-test API key fixture


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    m = start_mock()
    yield m
    m.server.stop()


@pytest.fixture
def sdk(mock: Mock, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.url, api_key=key, max_retries=0)


def _tools(description: str = "Look a rule up by number.") -> list[dict[str, Any]]:
    schema = {"type": "object", "properties": {"number": {"type": "integer"}}, "required": ["number"]}
    return [
        {"name": "handbook", "description": long_text(2000, "tool-"), "input_schema": schema},
        {"name": "lookup", "description": description, "input_schema": schema, "cache_control": EPHEMERAL},
    ]


def _tiered(**changes: Any) -> dict[str, Any]:
    """Breakpoints on the last tool, the system prompt and the user turn: one entry per tier."""
    user: list[dict[str, Any]] = [{"type": "text", "text": "Which rule applies?", "cache_control": EPHEMERAL}]
    user = changes.pop("user_prefix", []) + user
    params: dict[str, Any] = {
        "model": SONNET,
        "max_tokens": 2048,
        "tools": _tools(),
        "system": [{"type": "text", "text": long_text(2000, "sys-"), "cache_control": EPHEMERAL}],
        "messages": [{"role": "user", "content": user}],
    }
    params.update(changes)
    return params


def _positions(mock: Mock, key: str, params: dict[str, Any]) -> tuple[int, int, int, int]:
    """(tools end, system end, messages end, total) of a tiered request."""
    ends, total = mock.layout(key, **params)
    last = max(p for p in ends if p.startswith("messages."))
    return ends["tools.1"], ends["system.0"], ends[last], total


@pytest.mark.parametrize(
    ("change", "survives"),
    [
        ({}, "messages"),
        ({"tool_choice": {"type": "auto"}}, "system"),
        ({"tool_choice": {"type": "any"}}, "system"),
        ({"thinking": {"type": "enabled", "budget_tokens": 1024}}, "system"),
        (
            {
                "user_prefix": [
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": PNG_1X1},
                    }
                ]
            },
            "system",
        ),
        ({"user_prefix": [{"type": "text", "text": "Context first."}]}, "system"),
        (
            {"system": [{"type": "text", "text": long_text(2000, "other-"), "cache_control": EPHEMERAL}]},
            "tools",
        ),
        ({"tools": _tools("Look a rule up by its number.")}, "nothing"),
        ({"model": "claude-opus-4-8"}, "nothing"),
    ],
    ids=[
        "same",
        "tool_choice-auto",
        "tool_choice-any",
        "thinking",
        "image",
        "message",
        "system",
        "tools",
        "model",
    ],
)
def test_what_a_change_invalidates(
    mock: Mock, key: str, sdk: anthropic.Anthropic, change: dict[str, Any], survives: str
) -> None:
    base = _tiered()
    t, s, m, total = _positions(mock, key, base)
    assert min(t, s - t, m - s) >= 0 and t >= 2048
    assert usage_of(sdk.messages.create(**base)) == expect(total, w5m=m)
    changed = _tiered(**change)
    t, s, m, total = _positions(mock, key, changed)
    read = {"messages": m, "system": s, "tools": t, "nothing": 0}[survives]
    assert usage_of(sdk.messages.create(**changed)) == expect(total, read=read, w5m=m - read)


def test_citations_toggle_invalidates_system_but_not_tools(
    mock: Mock, key: str, sdk: anthropic.Anthropic
) -> None:
    def with_document(citations: bool) -> dict[str, Any]:
        document = {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "The sky is blue."},
            "citations": {"enabled": citations},
        }
        return _tiered(user_prefix=[document])

    off = with_document(False)
    _, _, m, total = _positions(mock, key, off)
    assert usage_of(sdk.messages.create(**off)) == expect(total, w5m=m)
    on = with_document(True)
    t, _, m, total = _positions(mock, key, on)
    assert usage_of(sdk.messages.create(**on)) == expect(total, read=t, w5m=m - t)


def test_another_api_key_never_reads_these_entries(mock: Mock, key: str) -> None:
    params = system_request()
    ends, total = mock.layout(key, **params)
    prefix = ends["system.0"]
    mine = anthropic.Anthropic(base_url=mock.url, api_key=key, max_retries=0)
    theirs = anthropic.Anthropic(base_url=mock.url, api_key=key + "-other", max_retries=0)
    assert usage_of(mine.messages.create(**params)) == expect(total, w5m=prefix)
    assert usage_of(theirs.messages.create(**params)) == expect(total, w5m=prefix)
    assert usage_of(theirs.messages.create(**params)) == expect(total, read=prefix)
    assert usage_of(mine.messages.create(**params)) == expect(total, read=prefix)
    scopes = mock.pipeline.cache.snapshot(api_key=key)["scopes"]
    assert scopes == [{"api_key": key, "model": SONNET, "entries": 1, "tokens": prefix}]


def test_streaming_and_plain_replies_report_the_same_numbers(mock: Mock, key: str) -> None:
    params = system_request()
    ends, total = mock.layout(key, **params)
    plain = anthropic.Anthropic(base_url=mock.url, api_key=key, max_retries=0)
    streamed = anthropic.Anthropic(base_url=mock.url, api_key=key + "-stream", max_retries=0)
    for expected in (expect(total, w5m=ends["system.0"]), expect(total, read=ends["system.0"])):
        message = plain.messages.create(**params)
        with streamed.messages.stream(**params) as stream:
            starts = [e.message.usage for e in stream if e.type == "message_start"]
            final = stream.get_final_message()
        assert usage_of(message) == usage_of(final) == expected
        start = starts[0]
        assert (start.input_tokens, start.cache_creation_input_tokens, start.cache_read_input_tokens) == (
            expected["input"],
            expected["write"],
            expected["read"],
        )
        assert start.cache_creation is not None
        assert start.cache_creation.ephemeral_5m_input_tokens == expected["5m"]
        assert final.usage.output_tokens == message.usage.output_tokens


def test_message_delta_repeats_the_input_side(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request()
    ends, total = mock.layout(key, **params)
    sdk.messages.create(**params)
    events = list(sdk.messages.create(**params, stream=True))
    delta = next(e for e in events if e.type == "message_delta")
    assert (
        delta.usage.input_tokens,
        delta.usage.cache_creation_input_tokens,
        delta.usage.cache_read_input_tokens,
    ) == (
        total - ends["system.0"],
        0,
        ends["system.0"],
    )


def test_count_tokens_never_reads_or_writes(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request()
    ends, total = mock.layout(key, **params)
    counting = {k: v for k, v in params.items() if k != "max_tokens"}
    for _ in range(3):
        assert sdk.messages.count_tokens(**counting).input_tokens == total
    assert mock.pipeline.cache.snapshot(api_key=key)["scopes"] == []
    assert usage_of(sdk.messages.create(**params)) == expect(total, w5m=ends["system.0"])
    assert sdk.messages.count_tokens(**counting).input_tokens == total
    assert usage_of(sdk.messages.create(**params)) == expect(total, read=ends["system.0"])


def test_max_tokens_zero_prewarms_the_cache(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request()
    ends, total = mock.layout(key, **params)
    warm = sdk.messages.create(**{**params, "max_tokens": 0})
    assert warm.content == [] and warm.stop_reason == "max_tokens" and warm.usage.output_tokens == 0
    assert usage_of(warm) == expect(total, w5m=ends["system.0"])
    assert usage_of(sdk.messages.create(**params)) == expect(total, read=ends["system.0"])


@pytest.mark.parametrize(
    "extra",
    [
        {"stream": True},
        {"thinking": {"type": "enabled", "budget_tokens": 1024}},
        {"tool_choice": {"type": "any"}, "tools": _tools()},
        {"output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}},
    ],
    ids=["stream", "thinking", "forced-tool", "format"],
)
def test_max_tokens_zero_rejected_combinations(
    mock: Mock, key: str, sdk: anthropic.Anthropic, extra: dict[str, Any]
) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        sdk.messages.create(**{**system_request(), "max_tokens": 0, **extra})
    assert "`max_tokens: 0` is not supported" in caught.value.message
    assert mock.pipeline.cache.snapshot(api_key=key)["scopes"] == []


def _user_blocks(marks: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    blocks = []
    for i, mark in enumerate(marks):
        block: dict[str, Any] = {"type": "text", "text": f"Part {i}."}
        if mark is not None:
            block["cache_control"] = mark
        blocks.append(block)
    return [{"role": "user", "content": blocks}]


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        (_user_blocks([EPHEMERAL] * 5), "A maximum of 4 blocks with cache_control may be provided. Found 5."),
        (
            _user_blocks([EPHEMERAL, ONE_HOUR]),
            "a ttl='1h' cache_control block must not come after a ttl='5m' one",
        ),
        (
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "", "cache_control": EPHEMERAL},
                        {"type": "text", "text": "x"},
                    ],
                }
            ],
            "cache_control cannot be set for empty text blocks",
        ),
    ],
    ids=["five-breakpoints", "1h-after-5m", "empty-text"],
)
def test_breakpoint_rules(sdk: anthropic.Anthropic, messages: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        sdk.messages.create(model=SONNET, max_tokens=16, messages=messages)  # type: ignore[arg-type]
    assert caught.value.status_code == 400
    assert message in caught.value.message


def test_no_cache_control_on_thinking_blocks(sdk: anthropic.Anthropic) -> None:
    thinking = {"type": "thinking", "thinking": "Hmm.", "signature": "x", "cache_control": EPHEMERAL}
    with pytest.raises(anthropic.BadRequestError) as caught:
        sdk.messages.create(
            model=SONNET,
            max_tokens=16,
            messages=[
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": [thinking, {"type": "text", "text": "Hello"}]},  # type: ignore[list-item]
                {"role": "user", "content": "Again"},
            ],
        )
    assert "cache_control: Extra inputs are not permitted" in caught.value.message
