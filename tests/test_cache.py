"""Prompt-cache scenarios through the official SDK, each asserting exact usage numbers (api-spec §6, §3.4, §4.4).

One server per module on a manual clock; every test uses its own API key, so tests never see each other's
entries (entries are scoped by key, which is itself under test). Expected numbers come from the mock's own
prompt layout (``Segment.end``: the prefix tokens through a block), cross-checked against ``count_tokens``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anthropic
import orjson
import pytest

from mockclaude.clock import ManualClock
from mockclaude.pipeline import Pipeline, Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from mockclaude.validate.request import validate_request

EPHEMERAL: dict[str, Any] = {"type": "ephemeral"}
ONE_HOUR: dict[str, Any] = {"type": "ephemeral", "ttl": "1h"}
SONNET = "claude-sonnet-4-6"  # minimum cacheable prefix 2,048 tokens
HAIKU = "claude-haiku-4-5"  # 4,096
PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def long_text(words: int, salt: str = "") -> str:
    """Deterministic prose of roughly ``words`` × 2 tokens."""
    return " ".join(f"{salt}rule{i} checks item {i * 7 % 101}." for i in range(words // 4))


@dataclass
class Mock:
    """A running mock on a manual clock."""

    server: ServerThread
    clock: ManualClock

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def pipeline(self) -> Pipeline:
        return self.server.app[PIPELINE]

    def layout(self, key: str, **params: Any) -> tuple[dict[str, int], int]:
        """``({path: prefix tokens through that block}, total)`` for a request, as the mock counts it."""
        headers = {"authorization": f"Bearer {key}", "anthropic-version": "2026-10-21"}
        req = validate_request(orjson.dumps(params), headers, self.pipeline.policy, kind="messages")
        layout = self.pipeline.accountant.layout(req)
        return {s.path: s.end for s in layout.segments}, layout.total


def start_mock(**settings: Any) -> Mock:
    clock = ManualClock()
    server = ServerThread(create_app(Settings(seed=0, clock=clock, **settings))).start()
    return Mock(server, clock)


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    m = start_mock()
    yield m
    m.server.stop()


@pytest.fixture
def key(request: pytest.FixtureRequest) -> str:
    """An API key of this test's own (a cache scope nobody else touches)."""
    return "sk-cache-" + hashlib.blake2b(request.node.nodeid.encode(), digest_size=6).hexdigest()


@pytest.fixture
def sdk(mock: Mock, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.url, api_key=key, max_retries=0)


def usage_of(message: Any) -> dict[str, int]:
    u = message.usage
    return {
        "input": u.input_tokens,
        "write": u.cache_creation_input_tokens,
        "read": u.cache_read_input_tokens,
        "5m": u.cache_creation.ephemeral_5m_input_tokens,
        "1h": u.cache_creation.ephemeral_1h_input_tokens,
    }


def expect(total: int, *, read: int = 0, w5m: int = 0, w1h: int = 0) -> dict[str, int]:
    """The usage §6.4 gives for positions A = read, B = A + 1h writes, C = B + 5m writes."""
    return {"input": total - read - w5m - w1h, "write": w5m + w1h, "read": read, "5m": w5m, "1h": w1h}


def system_request(
    model: str = SONNET, words: int = 2000, ttl: dict[str, Any] = EPHEMERAL, salt: str = "", **extra: Any
) -> dict[str, Any]:
    """A request whose only breakpoint is on a long system prompt (``salt`` makes a different prompt)."""
    return {
        "model": model,
        "max_tokens": 64,
        "system": [{"type": "text", "text": long_text(words, salt), "cache_control": ttl}],
        "messages": [{"role": "user", "content": "Summarise the rules."}],
        **extra,
    }


# -- write, read, TTLs -----------------------------------------------------------------------------------------


def test_write_then_read(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request()
    ends, total = mock.layout(key, **params)
    prefix = ends["system.0"]
    assert prefix >= 2048
    first = sdk.messages.create(**params)
    assert usage_of(first) == expect(total, w5m=prefix)
    second = sdk.messages.create(**params)
    assert usage_of(second) == expect(total, read=prefix)
    # The three input fields always add up to what count_tokens reports for the prompt (§3.4).
    counted = sdk.messages.count_tokens(**{k: v for k, v in params.items() if k != "max_tokens"}).input_tokens
    assert counted == total
    assert first.usage.output_tokens == second.usage.output_tokens > 0


def test_five_minute_entry_expires(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request()
    ends, total = mock.layout(key, **params)
    assert usage_of(sdk.messages.create(**params)) == expect(total, w5m=ends["system.0"])
    mock.clock.advance(minutes=4, seconds=59)
    assert usage_of(sdk.messages.create(**params)) == expect(total, read=ends["system.0"])
    mock.clock.advance(minutes=6)
    assert usage_of(sdk.messages.create(**params)) == expect(total, w5m=ends["system.0"])


def test_one_hour_entry_hits_after_59_minutes(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request(ttl=ONE_HOUR)
    ends, total = mock.layout(key, **params)
    assert usage_of(sdk.messages.create(**params)) == expect(total, w1h=ends["system.0"])
    mock.clock.advance(minutes=59)
    assert usage_of(sdk.messages.create(**params)) == expect(total, read=ends["system.0"])
    mock.clock.advance(minutes=61)
    assert usage_of(sdk.messages.create(**params)) == expect(total, w1h=ends["system.0"])


def test_a_hit_refreshes_the_lifetime(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request()
    ends, total = mock.layout(key, **params)
    prefix = ends["system.0"]
    assert usage_of(sdk.messages.create(**params)) == expect(total, w5m=prefix)
    for _ in range(3):  # 12 minutes after the write, still alive: each hit restarted the 5 minutes
        mock.clock.advance(minutes=4)
        assert usage_of(sdk.messages.create(**params)) == expect(total, read=prefix)
    mock.clock.advance(minutes=5, seconds=1)
    assert usage_of(sdk.messages.create(**params)) == expect(total, w5m=prefix)


# -- minimum length ----------------------------------------------------------------------------------------------


def test_below_the_minimum_nothing_is_written(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request(words=1000)
    ends, total = mock.layout(key, **params)
    assert 1024 < ends["system.0"] < 2048
    for _ in range(2):
        assert usage_of(sdk.messages.create(**params)) == expect(total)
    assert mock.pipeline.cache.snapshot(api_key=key)["scopes"] == []


def test_the_minimum_is_per_model(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    # The same ~3,000-token system prompt: cacheable on Sonnet 4.6 (2,048), too short for Haiku 4.5 (4,096).
    sonnet = system_request(SONNET, words=2000)
    haiku = system_request(HAIKU, words=2000)
    sonnet_ends, sonnet_total = mock.layout(key, **sonnet)
    haiku_ends, haiku_total = mock.layout(key, **haiku)
    assert 2048 <= sonnet_ends["system.0"] == haiku_ends["system.0"] < 4096
    assert usage_of(sdk.messages.create(**sonnet)) == expect(sonnet_total, w5m=sonnet_ends["system.0"])
    assert usage_of(sdk.messages.create(**haiku)) == expect(haiku_total)
    assert usage_of(sdk.messages.create(**haiku)) == expect(haiku_total)
    assert usage_of(sdk.messages.create(**sonnet)) == expect(sonnet_total, read=sonnet_ends["system.0"])


# -- prefixes: growing conversations, lookback, mixed TTLs -----------------------------------------------------


def test_growing_conversation_reads_the_old_prefix_and_writes_the_new_turn(
    mock: Mock, key: str, sdk: anthropic.Anthropic
) -> None:
    system = [{"type": "text", "text": long_text(2000)}]
    history: list[dict[str, Any]] = []
    previous_end = 0
    for turn in range(4):
        question = f"Question {turn}: what does rule {turn} check?"
        history.append(
            {"role": "user", "content": [{"type": "text", "text": question, "cache_control": EPHEMERAL}]}
        )
        params = {"model": SONNET, "max_tokens": 64, "system": system, "messages": history}
        ends, total = mock.layout(key, **params)
        last = ends[f"messages.{2 * turn}.content.0"]
        reply = sdk.messages.create(**params)
        assert usage_of(reply) == expect(total, read=previous_end, w5m=last - previous_end)
        previous_end = last
        # Next turn: this user block loses its mark (only the last user turn carries one), the reply follows.
        history[-1] = {"role": "user", "content": [{"type": "text", "text": question}]}
        history.append({"role": "assistant", "content": reply.content[0].text})  # type: ignore[union-attr]


def _many_blocks(count: int, marks: dict[int, dict[str, Any]], salt: str = "") -> list[dict[str, Any]]:
    """One user turn of ``count`` text blocks (the first long enough to cache); ``marks``: index → cache_control."""
    blocks: list[dict[str, Any]] = []
    for i in range(count):
        text = long_text(2000, salt) if i == 0 else f"{salt}Note {i}: item {i} is fine."
        block: dict[str, Any] = {"type": "text", "text": text}
        if i in marks:
            block["cache_control"] = marks[i]
        blocks.append(block)
    return [{"role": "user", "content": blocks}]


def test_lookback_finds_a_prefix_written_at_an_earlier_breakpoint(
    mock: Mock, key: str, sdk: anthropic.Anthropic
) -> None:
    def run(count: int, mark: int) -> tuple[dict[str, int], dict[str, int], int]:
        params = {"model": SONNET, "max_tokens": 16, "messages": _many_blocks(count, {mark: EPHEMERAL})}
        ends, total = mock.layout(key, **params)
        return usage_of(sdk.messages.create(**params)), ends, total

    end = lambda ends, i: ends[f"messages.0.content.{i}"]  # noqa: E731
    got, ends, total = run(30, 9)  # write the prefix through block 10
    assert got == expect(total, w5m=end(ends, 9))
    got, ends, total = run(30, 24)  # breakpoint on block 25: its window (25…6) reaches block 10
    assert got == expect(total, read=end(ends, 9), w5m=end(ends, 24) - end(ends, 9))
    got, ends, total = run(40, 39)  # window 40…21 reaches block 25, written just above
    assert got == expect(total, read=end(ends, 24), w5m=end(ends, 39) - end(ends, 24))
    got, ends, total = run(40, 39)
    assert got == expect(total, read=end(ends, 39))


def test_lookback_stops_after_20_blocks(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = {"model": SONNET, "max_tokens": 16, "messages": _many_blocks(31, {9: EPHEMERAL})}
    ends, total = mock.layout(key, **params)
    assert usage_of(sdk.messages.create(**params)) == expect(total, w5m=ends["messages.0.content.9"])
    # A breakpoint on block 31 looks back over blocks 31…12: the prefix through block 10 is out of reach (§6.2).
    params = {"model": SONNET, "max_tokens": 16, "messages": _many_blocks(31, {30: EPHEMERAL})}
    ends, total = mock.layout(key, **params)
    assert usage_of(sdk.messages.create(**params)) == expect(total, w5m=ends["messages.0.content.30"])
    # With 30 blocks (window 30…11) it would still miss; on block 29 (window 29…10) it hits.
    params = {"model": SONNET, "max_tokens": 16, "messages": _many_blocks(31, {28: EPHEMERAL})}
    ends, total = mock.layout(key, **params)
    a, c = ends["messages.0.content.9"], ends["messages.0.content.28"]
    assert usage_of(sdk.messages.create(**params)) == expect(total, read=a, w5m=c - a)


def test_mixed_ttls_fill_both_breakdown_fields(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    def params(question: str) -> dict[str, Any]:
        return {
            "model": SONNET,
            "max_tokens": 16,
            "system": [{"type": "text", "text": long_text(2000), "cache_control": ONE_HOUR}],
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": long_text(800, "doc-")},
                        {"type": "text", "text": question, "cache_control": EPHEMERAL},
                    ],
                }
            ],
        }

    first = params("First question?")
    ends, total = mock.layout(key, **first)
    b, c = ends["system.0"], ends["messages.0.content.1"]
    assert usage_of(sdk.messages.create(**first)) == expect(total, w1h=b, w5m=c - b)
    assert usage_of(sdk.messages.create(**first)) == expect(total, read=c)
    # 10 minutes later the 5-minute entry is gone, the 1-hour one is not: read A = B, write the 5m part again.
    mock.clock.advance(minutes=10)
    assert usage_of(sdk.messages.create(**first)) == expect(total, read=b, w5m=c - b)
    second = params("A different question?")
    ends, total = mock.layout(key, **second)
    assert usage_of(sdk.messages.create(**second)) == expect(
        total, read=b, w5m=ends["messages.0.content.1"] - b
    )


def test_automatic_cache_control_moves_with_the_conversation(
    mock: Mock, key: str, sdk: anthropic.Anthropic
) -> None:
    messages: list[dict[str, Any]] = [{"role": "user", "content": long_text(2000)}]
    params = {"model": SONNET, "max_tokens": 32, "cache_control": EPHEMERAL, "messages": messages}
    ends, total = mock.layout(key, **params)
    first = sdk.messages.create(**params)
    assert usage_of(first) == expect(total, w5m=ends["messages.0.content.0"])
    messages += [
        {"role": "assistant", "content": first.content[0].text},  # type: ignore[union-attr]
        {"role": "user", "content": "And the next one?"},
    ]
    ends, total = mock.layout(key, **params)
    a, c = ends["messages.0.content.0"], ends["messages.2.content.0"]
    assert usage_of(sdk.messages.create(**params)) == expect(total, read=a, w5m=c - a)
