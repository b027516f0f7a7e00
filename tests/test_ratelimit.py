"""Rate limits end to end with the official SDK: headers that count down and reset on the manual clock, and the
429 ``rate_limit_error`` with ``retry-after`` when a bucket is empty (api-spec §5.1, §5.5, §6.5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from mockclaude.clock import ManualClock, rfc3339
from mockclaude.limits import RateLimitConfig, RateLimits
from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp

SMALL = RateLimits(requests_per_minute=5, input_tokens_per_minute=10_000, output_tokens_per_minute=2_000)
HAIKU = RateLimits(requests_per_minute=100, input_tokens_per_minute=200, output_tokens_per_minute=100_000)
PARAMS: dict[str, Any] = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "Hello there"}],
}
NAMES = ("requests", "tokens", "input-tokens", "output-tokens")


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def limited(clock: ManualClock) -> Iterator[ServerThread]:
    """A server with tiny limits (exact header figures: rounding 1) on a manual clock."""
    config = RateLimitConfig(limits={"*": SMALL, "haiku": HAIKU}, rounding=1)
    with ServerThread(create_app(Settings(seed=3, clock=clock, rate_limits=config))) as srv:
        yield srv


def _client(server: ServerThread, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.url, api_key=key, max_retries=0)


def _figures(headers: Any) -> dict[str, tuple[int, int, str]]:
    return {
        name: (
            int(headers[f"anthropic-ratelimit-{name}-limit"]),
            int(headers[f"anthropic-ratelimit-{name}-remaining"]),
            headers[f"anthropic-ratelimit-{name}-reset"],
        )
        for name in NAMES
    }


def test_headers_count_down_across_requests_and_reset_on_the_clock(
    limited: ServerThread, clock: ManualClock
) -> None:
    client = _client(limited, "sk-countdown")
    spent_in = spent_out = 0
    seen = []
    for _ in range(3):
        raw = client.messages.with_raw_response.create(**PARAMS)
        message = raw.parse()
        spent_in += message.usage.input_tokens
        spent_out += message.usage.output_tokens
        figures = _figures(raw.headers)
        seen.append(figures)
        assert figures["input-tokens"][:2] == (10_000, 10_000 - spent_in)
        assert figures["output-tokens"][:2] == (
            2_000,
            2_000 - spent_out,
        )  # the max_tokens estimate was settled
        assert figures["tokens"][:2] == (12_000, 12_000 - spent_in - spent_out)  # combined = input + output
    assert [f["requests"][:2] for f in seen] == [(5, 4), (5, 3), (5, 2)]
    # Reset: when the bucket is full again (5 RPM refill one request every 12 s; 3 used -> 36 s from now).
    now = clock.now()
    assert seen[-1]["requests"][2] == rfc3339(now + 36)
    dt.datetime.strptime(seen[-1]["input-tokens"][2], "%Y-%m-%dT%H:%M:%SZ")  # RFC 3339, whole seconds

    clock.advance(seconds=30)  # 2.5 requests refilled
    figures = _figures(client.messages.with_raw_response.create(**PARAMS).headers)
    assert figures["requests"][:2] == (5, 3)  # floor(2 + 2.5) - 1
    clock.advance(minutes=1)
    figures = _figures(client.messages.with_raw_response.create(**PARAMS).headers)
    assert figures["requests"][:2] == (5, 4)
    assert figures["input-tokens"][1] == 10_000 - message.usage.input_tokens


def test_429_when_the_request_bucket_is_empty_then_ok_after_retry_after(
    limited: ServerThread, clock: ManualClock
) -> None:
    client = _client(limited, "sk-burst")
    for _ in range(5):
        client.messages.create(**PARAMS)
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(**PARAMS)
    err = caught.value
    assert err.status_code == 429 and err.type == "rate_limit_error"
    assert err.request_id and err.request_id.startswith("req_")
    org = err.response.headers["anthropic-organization-id"]
    assert err.api_message == (
        f"This request would exceed the rate limit for your organization ({org}) of 5 requests per minute. "
        "For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for "
        "current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. "
        "You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate "
        "limit increase."
    )
    headers = err.response.headers
    assert headers["retry-after"] == "12"  # one request refills in 60 / 5 s
    assert "x-should-retry" not in headers  # the SDK retries a 429 by its status
    assert headers["anthropic-ratelimit-requests-remaining"] == "0"
    clock.advance(seconds=11)
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(**PARAMS)
    clock.advance(seconds=1)
    assert client.messages.create(**PARAMS).content
    # Another key has its own budget.
    assert _client(limited, "sk-other").messages.create(**PARAMS).content


def test_input_token_bucket_429_names_the_input_limit(limited: ServerThread, clock: ManualClock) -> None:
    client = _client(limited, "sk-input")
    params = {**PARAMS, "model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "word " * 110}]}
    first = client.messages.with_raw_response.create(**params)
    used = first.parse().usage.input_tokens
    assert 100 < used < 200
    remaining = int(first.headers["anthropic-ratelimit-input-tokens-remaining"])
    assert remaining == 200 - used
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(**params)
    assert "of 200 input tokens per minute" in str(caught.value.api_message)
    wait = int(caught.value.response.headers["retry-after"])
    assert wait == -(-(used - remaining) * 60 // 200)  # ceil: tokens missing / refill rate
    clock.advance(seconds=wait)
    client.messages.create(**params)


def test_output_bucket_is_charged_max_tokens_up_front_and_settled(limited: ServerThread) -> None:
    client = _client(limited, "sk-output")
    raw = client.messages.with_raw_response.create(**{**PARAMS, "max_tokens": 1_500})
    out = raw.parse().usage.output_tokens
    assert int(raw.headers["anthropic-ratelimit-output-tokens-remaining"]) == 2_000 - out
    # max_tokens above the whole bucket is estimated at the bucket's size: it needs a full bucket.
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(**{**PARAMS, "max_tokens": 4_000})
    assert "of 2,000 output tokens per minute" in str(caught.value.api_message)


def test_streams_and_errors_carry_the_headers_too(limited: ServerThread) -> None:
    client = _client(limited, "sk-stream")
    with client.messages.with_streaming_response.create(**PARAMS, stream=True) as response:
        assert response.headers["anthropic-ratelimit-requests-remaining"] == "4"
        assert response.headers["content-type"].startswith("text/event-stream")
        b"".join(response.iter_bytes())
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model="claude-sonnet-4-6", max_tokens=-1, messages=PARAMS["messages"])
    assert caught.value.response.headers["anthropic-ratelimit-requests-limit"] == "5"


async def test_async_client_sees_the_429(limited: ServerThread) -> None:
    client = anthropic.AsyncAnthropic(base_url=limited.url, api_key="sk-async", max_retries=0)
    for _ in range(5):
        await client.messages.create(**PARAMS)
    with pytest.raises(anthropic.RateLimitError):
        await client.messages.create(**PARAMS)


def test_cache_reads_do_not_count_toward_the_input_limit(limited: ServerThread) -> None:
    client = _client(limited, "sk-cache")
    system = [
        {
            "type": "text",
            "text": "You are a careful assistant. " * 400,
            "cache_control": {"type": "ephemeral"},
        }
    ]
    params = {**PARAMS, "system": system}
    first = client.messages.with_raw_response.create(**params)
    second = client.messages.with_raw_response.create(**params)
    usage1, usage2 = first.parse().usage, second.parse().usage
    if not usage2.cache_read_input_tokens:
        pytest.skip("the prompt cache does not report a read for this prompt")
    assert usage1.cache_creation_input_tokens > 0
    before = int(first.headers["anthropic-ratelimit-input-tokens-remaining"])
    after = int(second.headers["anthropic-ratelimit-input-tokens-remaining"])
    assert before == 10_000 - usage1.input_tokens - usage1.cache_creation_input_tokens
    assert after == before - usage2.input_tokens - usage2.cache_creation_input_tokens  # the read is free


def test_default_server_shows_display_headers_and_never_limits(server: ServerThread) -> None:
    response = rawhttp.post(server.url + "/v1/messages", json_body=PARAMS)
    assert response.status == 200
    assert response.headers["anthropic-ratelimit-requests-limit"] == "4000"
    assert response.headers["anthropic-ratelimit-tokens-limit"] == "2400000"
    assert response.headers["anthropic-ratelimit-input-tokens-remaining"] == "2000000"
    assert response.headers["anthropic-ratelimit-output-tokens-limit"] == "400000"
