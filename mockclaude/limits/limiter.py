"""Rate limiting per API key and model class, with the ``anthropic-ratelimit-*`` headers (api-spec §5.5, §5.1).

Each (API key, model class) pair has three token buckets: requests, input tokens and output tokens per minute
(the real limits are per organization and model class; the mock treats each API key as its own organization, so
tests that use different keys never share a budget). A request is admitted when every bucket can pay for it:

* requests: 1;
* input tokens: ``input_tokens + cache_creation_input_tokens`` -- cache reads do not count toward ITPM (§6.5;
  the docs' † models that do count them are all retired, ``count_cache_reads=True`` restores that behaviour);
* output tokens: estimated from ``max_tokens`` up front (capped at the bucket's size), then settled to the real
  ``output_tokens`` once the reply is decided -- as the rate-limits page describes OTPM.

An empty bucket answers 429 ``rate_limit_error`` with the real message and ``retry-after`` (whole seconds until
the bucket can pay). The pipeline checks after validation and counting and before the engine (pipeline.py).

Headers (§5.5): ``requests``, ``input-tokens`` and ``output-tokens`` show their buckets; ``-remaining`` of token
buckets is rounded to the nearest thousand as the docs say (``rounding``); ``-reset`` is when the bucket will be
full again (RFC 3339, whole seconds rounded up). ``tokens`` is the combined view: by default the sum of the input
and output buckets, as the recorded real response of §0.4 shows (80,000 + 16,000 = 96,000, reset between the
two); ⚠ unconfirmed: §5.5's prose says "most restrictive", available as ``combined="most_restrictive"``.

Token counting (``count_tokens``) has a bucket of its own per API key: its own RPM (tiers.count_tokens_limit),
independent of the Messages buckets both ways, and no token buckets (counting is free, api-spec §5.5, §9.1).
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mockclaude import ids
from mockclaude.clock import Clock, rfc3339
from mockclaude.limits.bucket import TokenBucket
from mockclaude.limits.tiers import (
    DISPLAY_LIMITS,
    RateLimits,
    check_positive,
    count_tokens_limit,
    limit_table,
)
from mockclaude.model.catalog import ModelSpec
from mockclaude.model.errors import RateLimitError

Combined = Literal["sum", "most_restrictive"]
LimitSpec = str | RateLimits | Mapping[str, RateLimits]

_DOCS = "https://docs.claude.com/en/api/rate-limits"
_SALES = "https://www.anthropic.com/contact-sales"
# Requests larger than a whole bucket can never pass; the real retry-after for them is unknown. ⚠ unconfirmed.
_NEVER_RETRY_AFTER = 60


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    """Rate limiting switched on: which limits, and how the headers are shown.

    ``count_tokens_per_minute`` overrides the token-counting RPM the limits imply (tiers.count_tokens_limit).
    """

    limits: LimitSpec = "tier1"
    rounding: int = 1000  # token -remaining headers rounded to this many (1: exact)
    combined: Combined = "sum"
    count_cache_reads: bool = False
    count_tokens_per_minute: int | None = None

    def __post_init__(self) -> None:
        if self.count_tokens_per_minute is not None:
            check_positive("count_tokens_per_minute", self.count_tokens_per_minute)


def organization_id(seed: int) -> str:
    """The organization uuid named in 429 messages: the same derivation as the ``anthropic-organization-id``
    response header (server/respond.py), so the message and the header agree."""
    return str(uuid.UUID(bytes=ids.derive(seed, "organization")[:16], version=4))


def limit_group(model: ModelSpec) -> str:
    """The model class whose traffic shares one budget: the line and its major version (``sonnet-4``).

    The real API pools e.g. Opus 4.x together and gives each new generation its own table. ⚠ unconfirmed for
    the 5.x lines (Opus 5 and Opus 5.5 are listed separately in the 2026 docs; here they share ``opus-5``).
    """
    major = next((part for part in model.family.split("-")[1:] if part.isdigit()), "")
    return f"{model.line}-{major}" if major else model.line


@dataclass(slots=True)
class _Buckets:
    limits: RateLimits
    requests: TokenBucket
    input: TokenBucket
    output: TokenBucket


@dataclass(slots=True)
class Admission:
    """A request that passed the rate check: which buckets it charged and its output estimate."""

    buckets: _Buckets = field(repr=False)
    output_estimate: int
    settled: bool = False


class RateLimiter:
    """Buckets per (API key, model class), or a display-only stand-in when ``config`` is None."""

    def __init__(self, config: RateLimitConfig | None, clock: Clock, seed: int = 0) -> None:
        self.config = config
        self.clock = clock
        self.org_id = organization_id(seed)
        self._table = limit_table(config.limits) if config is not None else {"*": DISPLAY_LIMITS}
        self._buckets: dict[tuple[str, str], _Buckets] = {}
        self.count_tokens_rpm = (
            (config.count_tokens_per_minute or count_tokens_limit(config.limits)) if config is not None else 0
        )
        self._count_buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()
        self._display: tuple[int, dict[str, str]] = (-1, {})

    @property
    def enabled(self) -> bool:
        """True when requests are actually limited."""
        return self.config is not None

    def reset(self) -> None:
        """Refill every bucket (forget all usage)."""
        with self._lock:
            self._buckets.clear()
            self._count_buckets.clear()

    def limits_for(self, model: ModelSpec) -> RateLimits:
        """The limits that apply to ``model``."""
        return self._table.get(model.line) or self._table["*"]

    # -- the request path ------------------------------------------------------------------------------------
    def admit(
        self,
        api_key: str,
        model: ModelSpec,
        *,
        input_tokens: int,
        cache_read_tokens: int = 0,
        max_tokens: int = 0,
    ) -> Admission | None:
        """Charge one request, or raise ``RateLimitError`` (429 with ``retry-after`` and the rate headers).

        ``input_tokens`` is everything that counts toward ITPM except cache reads, which are passed separately
        and only count when the config says so. Returns None when limiting is off.
        """
        if self.config is None:
            return None
        now = self.clock.now()
        counted = input_tokens + (cache_read_tokens if self.config.count_cache_reads else 0)
        with self._lock:
            buckets = self._buckets_for(api_key, model, now)
            limits = buckets.limits
            estimate = min(max(max_tokens, 0), limits.output_tokens_per_minute)
            checks = (
                (buckets.requests, 1, f"{limits.requests_per_minute:,} requests per minute"),
                (buckets.input, counted, f"{limits.input_tokens_per_minute:,} input tokens per minute"),
                (buckets.output, estimate, f"{limits.output_tokens_per_minute:,} output tokens per minute"),
            )
            for bucket, amount, what in checks:
                wait = bucket.wait_for(amount, now)
                if wait > 0:
                    retry_after = _NEVER_RETRY_AFTER if math.isinf(wait) else max(1, math.ceil(wait))
                    headers = self._headers(buckets, now)
                    headers["retry-after"] = str(retry_after)
                    raise RateLimitError(self._message(what), headers=headers)
            for bucket, amount, _ in checks:
                bucket.take(amount, now)
            return Admission(buckets=buckets, output_estimate=estimate)

    def settle(self, admission: Admission | None, output_tokens: int) -> None:
        """Replace the up-front output estimate by the tokens really generated (0 when the request failed)."""
        if admission is None or admission.settled:
            return
        now = self.clock.now()
        with self._lock:
            difference = admission.output_estimate - output_tokens
            if difference > 0:
                admission.buckets.output.give(difference, now)
            elif difference < 0:
                admission.buckets.output.take(-difference, now)
            admission.settled = True

    def headers(self, admission: Admission | None) -> dict[str, str]:
        """The ``anthropic-ratelimit-*`` headers after ``admission`` (the display figures when off)."""
        if admission is None:
            return self.idle_headers()
        with self._lock:
            return self._headers(admission.buckets, self.clock.now())

    def idle_headers(self) -> dict[str, str]:
        """Headers for answers that charged nothing (errors before the check, other routes): full buckets of the
        default limits. Rebuilt at most once a second: they sit on every response's hot path."""
        now = self.clock.now()
        if self.config is None:
            return display_headers(now)
        second = math.ceil(now)
        cached_second, cached = self._display
        if cached_second != second:
            cached = self._headers(_full(self._table["*"], now), now)
            self._display = (second, cached)
        return cached

    # -- token counting --------------------------------------------------------------------------------------
    def admit_count_tokens(self, api_key: str) -> None:
        """Charge one ``count_tokens`` request to ``api_key``'s token-counting bucket, or raise ``RateLimitError``
        (429 with ``retry-after`` and that bucket's headers). Nothing happens when limiting is off.

        ⚠ unconfirmed: one bucket per API key (organization), not per model class as for Messages; the docs give
        one figure per tier. The Messages buckets are neither charged nor consulted.
        """
        if self.config is None:
            return
        now = self.clock.now()
        with self._lock:
            bucket = self._count_bucket(api_key, now)
            wait = bucket.wait_for(1, now)
            if wait > 0:
                headers = self._count_headers(bucket, now)
                headers["retry-after"] = str(max(1, math.ceil(wait)))
                # ⚠ unconfirmed: the real text for token counting; the Messages frame with the counting limit.
                raise RateLimitError(
                    self._message(f"{self.count_tokens_rpm:,} requests per minute"), headers=headers
                )
            bucket.take(1, now)

    def count_tokens_headers(self, api_key: str | None) -> dict[str, str]:
        """``anthropic-ratelimit-requests-*`` of ``api_key``'s token-counting bucket (a full one for None or a key
        that counted nothing yet); empty when limiting is off. ⚠ unconfirmed: whether the real API sends
        rate-limit headers on count_tokens at all; the mock shows the counting bucket and no token headers."""
        if self.config is None:
            return {}
        now = self.clock.now()
        with self._lock:
            bucket = self._count_buckets.get(api_key) if api_key is not None else None
            return self._count_headers(bucket or TokenBucket.full(self.count_tokens_rpm, now), now)

    def _count_bucket(self, api_key: str, now: float) -> TokenBucket:
        bucket = self._count_buckets.get(api_key)
        if bucket is None:
            bucket = self._count_buckets[api_key] = TokenBucket.full(self.count_tokens_rpm, now)
        return bucket

    def _count_headers(self, bucket: TokenBucket, now: float) -> dict[str, str]:
        out: dict[str, str] = {}
        limit = self.count_tokens_rpm
        _put(out, "requests", limit, min(max(math.floor(bucket.refill(now)), 0), limit), bucket.full_at(now))
        return out

    def snapshot(self) -> dict[str, Any]:
        """``GET /_mock/limits``: every bucket's limit and level now, per (API key, model class), and the
        token-counting buckets per API key (nothing while limiting is off)."""
        now = self.clock.now()
        with self._lock:
            buckets = [
                {
                    "api_key": key,
                    "group": group,
                    "requests": _level(b.requests, now),
                    "input_tokens": _level(b.input, now),
                    "output_tokens": _level(b.output, now),
                }
                for (key, group), b in sorted(self._buckets.items())
            ]
            counting = [
                {"api_key": key, "requests": _level(bucket, now)}
                for key, bucket in sorted(self._count_buckets.items())
            ]
        return {"enabled": self.enabled, "now": rfc3339(now), "data": buckets, "count_tokens": counting}

    # -- internals ---------------------------------------------------------------------------------------
    def _buckets_for(self, api_key: str, model: ModelSpec, now: float) -> _Buckets:
        key = (api_key, limit_group(model))
        buckets = self._buckets.get(key)
        if buckets is None:
            buckets = self._buckets[key] = _full(self.limits_for(model), now)
        return buckets

    def _message(self, what: str) -> str:
        # The real texts (api-spec §5.1): the same frame for requests, input and output tokens.
        return (
            f"This request would exceed the rate limit for your organization ({self.org_id}) of {what}. "
            f"For details, refer to: {_DOCS}. You can see the response headers for current usage. "
            "Please reduce the prompt length or the maximum tokens requested, or try again later. "
            f"You may also contact sales at {_SALES} to discuss your options for a rate limit increase."
        )

    def _round(self, value: float, limit: int) -> int:
        step = self.config.rounding if self.config is not None else 1
        exact = min(max(math.floor(value), 0), limit)
        if step <= 1:
            return exact
        return min(round(exact / step) * step, limit)

    def _headers(self, b: _Buckets, now: float) -> dict[str, str]:
        out: dict[str, str] = {}
        requests_left = min(max(math.floor(b.requests.refill(now)), 0), b.limits.requests_per_minute)
        _put(out, "requests", b.limits.requests_per_minute, requests_left, b.requests.full_at(now))
        combined = self.config.combined if self.config is not None else "sum"
        if combined == "sum":
            limit = b.limits.input_tokens_per_minute + b.limits.output_tokens_per_minute
            level = b.input.refill(now) + b.output.refill(now)
            missing = (b.input.capacity - b.input.level) + (b.output.capacity - b.output.level)
            _put(out, "tokens", limit, self._round(level, limit), now + missing / (limit / 60.0))
        else:
            tight = min((b.input, b.output), key=lambda bucket: bucket.refill(now) / bucket.capacity)
            cap = int(tight.capacity)
            _put(out, "tokens", cap, self._round(tight.level, cap), tight.full_at(now))
        for name, bucket, limit in (
            ("input-tokens", b.input, b.limits.input_tokens_per_minute),
            ("output-tokens", b.output, b.limits.output_tokens_per_minute),
        ):
            _put(out, name, limit, self._round(bucket.refill(now), limit), bucket.full_at(now))
        return out


def _level(bucket: TokenBucket, now: float) -> dict[str, Any]:
    level = bucket.refill(now)
    return {
        "limit": int(bucket.capacity),
        "remaining": math.floor(level),
        "full_at": rfc3339(math.ceil(bucket.full_at(now))),
        "full_in_seconds": round(bucket.full_at(now) - now, 3),
    }


def _full(limits: RateLimits, now: float) -> _Buckets:
    return _Buckets(
        limits,
        TokenBucket.full(limits.requests_per_minute, now),
        TokenBucket.full(limits.input_tokens_per_minute, now),
        TokenBucket.full(limits.output_tokens_per_minute, now),
    )


_DISPLAY_CACHE: dict[int, dict[str, str]] = {}


def display_headers(now: float) -> dict[str, str]:
    """The headers shown when rate limiting is off: full buckets of the display limits (Tier 4 Sonnet), so
    clients that read them see plausible numbers. Cached per second (every response carries them)."""
    second = math.ceil(now)
    cached = _DISPLAY_CACHE.get(second)
    if cached is None:
        cached = RateLimiter(None, _FixedClock(now))._headers(_full(DISPLAY_LIMITS, now), now)
        _DISPLAY_CACHE.clear()
        _DISPLAY_CACHE[second] = cached
    return cached


class _FixedClock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def _put(out: dict[str, str], name: str, limit: int, remaining: int, full_at: float) -> None:
    out[f"anthropic-ratelimit-{name}-limit"] = str(limit)
    out[f"anthropic-ratelimit-{name}-remaining"] = str(remaining)
    out[f"anthropic-ratelimit-{name}-reset"] = rfc3339(math.ceil(full_at))
