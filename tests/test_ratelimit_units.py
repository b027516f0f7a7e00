"""The rate-limit pieces without a server: token buckets, tier presets, header arithmetic."""

from __future__ import annotations

import math

import pytest

from mockclaude.clock import ManualClock, rfc3339
from mockclaude.limits import TIERS, RateLimitConfig, RateLimiter, RateLimits
from mockclaude.limits.bucket import TokenBucket
from mockclaude.limits.limiter import limit_group
from mockclaude.limits.tiers import limit_table
from mockclaude.model.catalog import get_catalog
from mockclaude.model.errors import RateLimitError


def _model(name: str):  # type: ignore[no-untyped-def]
    spec = get_catalog().resolve(name)
    assert spec is not None
    return spec


def test_bucket_refills_continuously_up_to_capacity() -> None:
    bucket = TokenBucket.full(60, now=0.0)  # 1 per second
    bucket.take(30, 0.0)
    assert bucket.refill(10.0) == pytest.approx(40)
    assert bucket.wait_for(50, 10.0) == pytest.approx(10)
    assert bucket.wait_for(61, 10.0) == math.inf
    assert bucket.full_at(10.0) == pytest.approx(30.0)
    assert bucket.refill(1_000.0) == 60
    assert bucket.full_at(1_000.0) == 1_000.0
    bucket.give(5, 1_000.0)
    assert bucket.level == 60  # never above capacity
    bucket.refill(900.0)  # time going backwards refills nothing
    assert bucket.level == 60


def test_tier_presets_and_specs() -> None:
    assert TIERS["tier1"]["sonnet"] == RateLimits(50, 30_000, 8_000)
    assert TIERS["tier1"]["haiku"] == RateLimits(50, 50_000, 10_000)
    assert TIERS["tier4"]["opus"] == RateLimits(4_000, 2_000_000, 400_000)
    assert limit_table("Tier-2")["sonnet"] == RateLimits(1_000, 450_000, 90_000)
    assert limit_table("50,30_000,8000") == {"*": RateLimits(50, 30_000, 8_000)}
    assert limit_table(RateLimits(1, 2, 3)) == {"*": RateLimits(1, 2, 3)}
    with pytest.raises(ValueError, match="tier1"):
        limit_table("platinum")
    with pytest.raises(ValueError, match="requests_per_minute"):
        RateLimits(0, 1, 1)


def test_model_classes_share_a_budget() -> None:
    assert limit_group(_model("claude-sonnet-4-6")) == limit_group(_model("claude-sonnet-4-5")) == "sonnet-4"
    assert limit_group(_model("claude-opus-4-8")) == "opus-4"
    assert limit_group(_model("claude-haiku-4-5")) == "haiku-4"
    clock = ManualClock()
    limiter = RateLimiter(RateLimitConfig(limits=RateLimits(2, 1_000, 1_000)), clock)
    limiter.admit("k", _model("claude-sonnet-4-6"), input_tokens=1)
    limiter.admit("k", _model("claude-sonnet-4-5"), input_tokens=1)
    with pytest.raises(RateLimitError):
        limiter.admit("k", _model("claude-sonnet-4-6"), input_tokens=1)
    limiter.admit("k", _model("claude-opus-4-8"), input_tokens=1)  # another class: its own buckets


def test_tier1_headers_round_tokens_to_thousands() -> None:
    clock = ManualClock()
    limiter = RateLimiter(RateLimitConfig(limits="tier1"), clock)
    admission = limiter.admit("k", _model("claude-sonnet-4-6"), input_tokens=1_400, max_tokens=1_000)
    limiter.settle(admission, 600)
    headers = limiter.headers(admission)
    assert headers["anthropic-ratelimit-requests-limit"] == "50"
    assert headers["anthropic-ratelimit-requests-remaining"] == "49"
    assert headers["anthropic-ratelimit-input-tokens-limit"] == "30000"
    assert headers["anthropic-ratelimit-input-tokens-remaining"] == "29000"  # 28,600 to the nearest thousand
    assert headers["anthropic-ratelimit-output-tokens-remaining"] == "7000"  # 7,400
    assert headers["anthropic-ratelimit-tokens-limit"] == "38000"
    assert headers["anthropic-ratelimit-tokens-remaining"] == "36000"  # 36,000
    # Reset: input refills 500/s -> 1,400 missing = 2.8 s; output 8000/60 per s -> 600 missing = 4.5 s.
    now = clock.now()
    assert headers["anthropic-ratelimit-input-tokens-reset"] == rfc3339(now + 3)
    assert headers["anthropic-ratelimit-output-tokens-reset"] == rfc3339(now + 5)
    assert headers["anthropic-ratelimit-tokens-reset"] == rfc3339(
        now + 4
    )  # 2,000 missing of 38,000 per minute


def test_most_restrictive_combined_view() -> None:
    clock = ManualClock()
    limiter = RateLimiter(
        RateLimitConfig(limits=RateLimits(10, 1_000, 100), rounding=1, combined="most_restrictive"), clock
    )
    admission = limiter.admit("k", _model("claude-sonnet-4-6"), input_tokens=100, max_tokens=50)
    limiter.settle(admission, 50)
    headers = limiter.headers(admission)
    # Output is at 50 % and input at 90 %: the tokens view shows the output bucket.
    assert headers["anthropic-ratelimit-tokens-limit"] == "100"
    assert headers["anthropic-ratelimit-tokens-remaining"] == "50"


def test_cache_reads_count_only_when_configured() -> None:
    clock = ManualClock()
    model = _model("claude-sonnet-4-6")
    free = RateLimiter(RateLimitConfig(limits=RateLimits(10, 1_000, 1_000), rounding=1), clock)
    free.admit("k", model, input_tokens=10, cache_read_tokens=5_000)
    counted = RateLimiter(
        RateLimitConfig(limits=RateLimits(10, 1_000, 1_000), rounding=1, count_cache_reads=True), clock
    )
    with pytest.raises(RateLimitError, match="input tokens per minute") as caught:
        counted.admit("k", model, input_tokens=10, cache_read_tokens=5_000)
    assert caught.value.headers["retry-after"] == "60"  # larger than the whole bucket: never fits


def test_reset_refills_everything() -> None:
    clock = ManualClock()
    limiter = RateLimiter(RateLimitConfig(limits=RateLimits(1, 1_000, 1_000)), clock)
    model = _model("claude-sonnet-4-6")
    limiter.admit("k", model, input_tokens=1)
    with pytest.raises(RateLimitError):
        limiter.admit("k", model, input_tokens=1)
    limiter.reset()
    limiter.admit("k", model, input_tokens=1)


def test_disabled_limiter_admits_everything_and_shows_display_figures() -> None:
    limiter = RateLimiter(None, ManualClock())
    assert not limiter.enabled
    assert limiter.admit("k", _model("claude-sonnet-4-6"), input_tokens=10**9, max_tokens=10**9) is None
    headers = limiter.headers(None)
    assert headers["anthropic-ratelimit-requests-remaining"] == "4000"
    assert headers["anthropic-ratelimit-tokens-remaining"] == "2400000"
