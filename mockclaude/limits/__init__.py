"""Rate limits (layer 2): token buckets per API key and model class, tier presets, the ``anthropic-ratelimit-*``
headers and the 429 they lead to (api-spec §5.5); token counting's own per-key RPM bucket."""

from mockclaude.limits.limiter import Admission, RateLimitConfig, RateLimiter
from mockclaude.limits.tiers import COUNT_TOKENS_RPM, TIERS, RateLimits

__all__ = ["COUNT_TOKENS_RPM", "TIERS", "Admission", "RateLimitConfig", "RateLimiter", "RateLimits"]
