"""Rate limits (layer 2): token buckets per API key and model class, tier presets, the ``anthropic-ratelimit-*``
headers and the 429 they lead to (api-spec §5.5)."""

from mockclaude.limits.limiter import Admission, RateLimitConfig, RateLimiter
from mockclaude.limits.tiers import TIERS, RateLimits

__all__ = ["TIERS", "Admission", "RateLimitConfig", "RateLimiter", "RateLimits"]
