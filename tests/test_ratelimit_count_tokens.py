"""Token counting's own rate limit, end to end with the official SDK (api-spec §5.5, §9.1): a per-API-key RPM
bucket (tier 1: 100, 2: 2,000, 3: 4,000, 4: 8,000) independent of the Messages buckets both ways, a 429
``rate_limit_error`` with ``retry-after`` when it is empty, refilled on the manual clock, emptied by a reset."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from mockclaude.clock import ManualClock, rfc3339
from mockclaude.limits import COUNT_TOKENS_RPM, RateLimitConfig, RateLimiter, RateLimits
from mockclaude.limits.tiers import LimitTable, count_tokens_limit
from mockclaude.pipeline import Pipeline, Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp

MODEL = "claude-sonnet-4-6"
MESSAGES: list[Any] = [{"role": "user", "content": "Hello there"}]
ASK: dict[str, Any] = {"model": MODEL, "max_tokens": 16, "messages": MESSAGES}
TOKEN_HEADERS = ("tokens", "input-tokens", "output-tokens")


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def tier1(clock: ManualClock) -> Iterator[ServerThread]:
    """Tier 1 on a manual clock: 100 count_tokens and 50 messages per minute per key. Tests use keys of their own."""
    with ServerThread(create_app(Settings(clock=clock, rate_limits="tier1"))) as srv:
        yield srv


def _client(server: ServerThread, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.url, api_key=key, max_retries=0)


def _exhaust_counting(client: anthropic.Anthropic, n: int) -> Any:
    """Spend ``n`` count_tokens requests; the last raw response."""
    raw = None
    for _ in range(n):
        raw = client.messages.with_raw_response.count_tokens(model=MODEL, messages=MESSAGES)
    return raw


def _requests(headers: Any) -> tuple[int, int]:
    return (
        int(headers["anthropic-ratelimit-requests-limit"]),
        int(headers["anthropic-ratelimit-requests-remaining"]),
    )


def test_tier1_allows_100_count_tokens_a_minute_then_429_with_retry_after(
    tier1: ServerThread, clock: ManualClock
) -> None:
    client = _client(tier1, "sk-ct-tier1")
    first = client.messages.with_raw_response.count_tokens(model=MODEL, messages=MESSAGES)
    assert first.parse().input_tokens > 0
    assert _requests(first.headers) == (100, 99)
    # Counting is free: the counting bucket's requests-* headers only, no token buckets (⚠ unconfirmed).
    assert not any(f"anthropic-ratelimit-{name}-limit" in first.headers for name in TOKEN_HEADERS)
    last = _exhaust_counting(client, 99)
    assert _requests(last.headers) == (100, 0)
    # Full again when 100 requests have refilled: one every 0.6 s.
    assert last.headers["anthropic-ratelimit-requests-reset"] == rfc3339(math.ceil(clock.now() + 60))
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.count_tokens(model=MODEL, messages=MESSAGES)
    error = caught.value
    assert error.status_code == 429
    assert (
        error.response.headers["retry-after"] == "1"
    )  # one request refills in 0.6 s: whole seconds, rounded up
    assert _requests(error.response.headers) == (100, 0)
    body = error.response.json()
    assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
    assert body["request_id"] == error.response.headers["request-id"]
    assert "This request would exceed the rate limit for your organization (" in body["error"]["message"]
    assert " of 100 requests per minute. " in body["error"]["message"]


def test_messages_still_work_while_count_tokens_is_exhausted(tier1: ServerThread) -> None:
    client = _client(tier1, "sk-ct-counting-spent")
    _exhaust_counting(client, 100)
    with pytest.raises(anthropic.RateLimitError):
        client.messages.count_tokens(model=MODEL, messages=MESSAGES)
    raw = client.messages.with_raw_response.create(**ASK)
    assert raw.parse().stop_reason is not None
    assert _requests(raw.headers) == (50, 49)  # the Messages bucket never paid for counting
    assert "anthropic-ratelimit-input-tokens-limit" in raw.headers


def test_count_tokens_still_works_while_messages_are_exhausted(tier1: ServerThread) -> None:
    client = _client(tier1, "sk-ct-messages-spent")
    for _ in range(50):
        client.messages.create(**ASK)
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(**ASK)
    assert " of 50 requests per minute. " in caught.value.response.json()["error"]["message"]
    raw = client.messages.with_raw_response.count_tokens(model=MODEL, messages=MESSAGES)
    assert raw.parse().input_tokens > 0
    assert _requests(raw.headers) == (100, 99)  # counting never paid for messages either
    with pytest.raises(anthropic.RateLimitError):  # and counting refilled nothing on the Messages side
        client.messages.create(**ASK)


def test_api_keys_have_counting_buckets_of_their_own(tier1: ServerThread) -> None:
    _exhaust_counting(_client(tier1, "sk-ct-spender"), 100)
    raw = _client(tier1, "sk-ct-bystander").messages.with_raw_response.count_tokens(
        model=MODEL, messages=MESSAGES
    )
    assert _requests(raw.headers) == (100, 99)


def test_the_manual_clock_refills_the_counting_bucket(tier1: ServerThread, clock: ManualClock) -> None:
    client = _client(tier1, "sk-ct-refill")
    _exhaust_counting(client, 100)
    with pytest.raises(anthropic.RateLimitError):
        client.messages.count_tokens(model=MODEL, messages=MESSAGES)
    clock.advance(seconds=1)  # 1.67 requests refilled: one can pass
    assert _requests(
        client.messages.with_raw_response.count_tokens(model=MODEL, messages=MESSAGES).headers
    ) == (
        100,
        0,
    )
    with pytest.raises(anthropic.RateLimitError):
        client.messages.count_tokens(model=MODEL, messages=MESSAGES)
    clock.advance(minutes=1)  # full again
    raw = client.messages.with_raw_response.count_tokens(model=MODEL, messages=MESSAGES)
    assert _requests(raw.headers) == (100, 99)
    assert raw.headers["anthropic-ratelimit-requests-reset"] == rfc3339(
        math.ceil(clock.now() + 0.6)
    )  # one request short


def test_a_count_tokens_429_is_journaled_and_validation_errors_come_first(tier1: ServerThread) -> None:
    client = _client(tier1, "sk-ct-journal")
    _exhaust_counting(client, 100)
    with pytest.raises(anthropic.BadRequestError):  # an invalid request is rejected before the rate check
        client.messages.count_tokens(model=MODEL, messages=[])
    with pytest.raises(anthropic.RateLimitError):
        client.messages.count_tokens(model=MODEL, messages=MESSAGES)
    pipeline: Pipeline = tier1.app[PIPELINE]
    counted = [e for e in pipeline.journal if e.endpoint == "count_tokens"]  # this module's tests run in turn
    assert [e.status for e in counted[-3:]] == [200, 400, 429]


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        (RateLimits(3, 100_000, 100_000), 6),  # no published figure: twice the Messages RPM
        (RateLimits(3, 100_000, 100_000, count_tokens_per_minute=4), 4),
        ("3,100000,100000", 6),  # the CLI / admin spec syntax, unchanged
        ("3,100000,100000,5", 5),  # with the optional token-counting RPM
        (RateLimitConfig(limits=RateLimits(3, 100_000, 100_000), count_tokens_per_minute=2), 2),
        (RateLimitConfig(limits="tier1", count_tokens_per_minute=3), 3),
    ],
)
def test_custom_limits_set_the_counting_rpm(limits: Any, expected: int) -> None:
    with ServerThread(create_app(Settings(clock=ManualClock(), rate_limits=limits))) as srv:
        client = _client(srv, "sk-ct-custom")
        last = _exhaust_counting(client, expected)
        assert _requests(last.headers) == (expected, 0)
        with pytest.raises(anthropic.RateLimitError) as caught:
            client.messages.count_tokens(model=MODEL, messages=MESSAGES)
        assert f" of {expected:,} requests per minute. " in caught.value.response.json()["error"]["message"]
        assert int(caught.value.response.headers["retry-after"]) >= 1
        client.messages.create(**ASK)  # messages have their own 3 RPM


def test_reset_refills_the_counting_bucket() -> None:
    with ServerThread(create_app(Settings(clock=ManualClock(), rate_limits="3,100000,100000"))) as srv:
        client = _client(srv, "sk-ct-reset")
        _exhaust_counting(client, 6)
        with pytest.raises(anthropic.RateLimitError):
            client.messages.count_tokens(model=MODEL, messages=MESSAGES)
        assert rawhttp.post(srv.url + "/_mock/reset", json_body={}).status == 200
        assert _requests(_exhaust_counting(client, 6).headers) == (6, 0)
        with pytest.raises(anthropic.RateLimitError):
            client.messages.count_tokens(model=MODEL, messages=MESSAGES)
        pipeline: Pipeline = srv.app[PIPELINE]
        pipeline.reset()  # the Python API too
        assert _requests(
            client.messages.with_raw_response.count_tokens(model=MODEL, messages=MESSAGES).headers
        ) == (
            6,
            5,
        )
        # A new limits spec through the control plane, with the optional counting figure.
        assert (
            rawhttp.post(srv.url + "/_mock/reset", json_body={"rate_limits": "3,100000,100000,1"}).status
            == 200
        )
        client.messages.count_tokens(model=MODEL, messages=MESSAGES)
        with pytest.raises(anthropic.RateLimitError):
            client.messages.count_tokens(model=MODEL, messages=MESSAGES)


def test_count_tokens_headers_are_unchanged_when_limiting_is_off() -> None:
    with ServerThread(create_app(Settings(clock=ManualClock()))) as srv:
        client = _client(srv, "sk-ct-off")
        raw = _exhaust_counting(client, 120)
        assert _requests(raw.headers) == (4_000, 4_000)  # the display figures (Tier 4 Sonnet), never charged
        assert "anthropic-ratelimit-input-tokens-limit" in raw.headers


def test_errors_before_the_check_show_a_full_counting_bucket(tier1: ServerThread) -> None:
    client = _client(tier1, "sk-ct-invalid")
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.count_tokens(model=MODEL, messages=[])
    headers = caught.value.response.headers
    assert _requests(headers) == (100, 100)
    assert "anthropic-ratelimit-tokens-limit" not in headers


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("tier1", 100),
        ("tier2", 2_000),
        ("tier3", 4_000),
        ("Tier-4", 8_000),
        ("start", 2_000),  # ⚠ unconfirmed: the 2026 presets have no published figure
        ("build", 4_000),
        ("scale", 8_000),
        ({"opus": RateLimits(5, 1_000, 1_000)}, 8_000),  # no "*" row: the display limits' (Tier 4)
        ({"*": RateLimits(5, 1_000, 1_000)}, 10),
    ],
)
def test_count_tokens_limit_of_presets_and_tables(spec: str | LimitTable, expected: int) -> None:
    assert count_tokens_limit(spec) == expected
    assert RateLimiter(RateLimitConfig(limits=spec), ManualClock()).count_tokens_rpm == expected
    if isinstance(spec, str) and spec.islower():
        assert COUNT_TOKENS_RPM[spec] == expected


def test_bad_counting_figures_are_refused() -> None:
    with pytest.raises(ValueError, match="count_tokens_per_minute"):
        RateLimits(1, 1, 1, count_tokens_per_minute=0)
    with pytest.raises(ValueError, match="count_tokens_per_minute"):
        RateLimitConfig(count_tokens_per_minute=-1)
    with pytest.raises(ValueError, match="count_tokens_per_minute"):
        count_tokens_limit("3,100000,100000,0")
