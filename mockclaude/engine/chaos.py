"""Chaos mode: a seeded share of requests fails the way the real service fails on a bad day.

``serve --chaos RATE`` (or ``Settings(chaos=RATE)``) makes about ``RATE`` of the Messages requests fail with a
realistic mix of 429 ``rate_limit_error``, 529 ``overloaded_error``, 500 ``api_error`` and stream faults (an
``event: error`` mid-stream, a dropped connection). Each decision is a pure function of
``(seed, request fingerprint, occurrence)`` (DESIGN.md rule 3): the same requests fail the same way on every run,
whatever else the server is doing, and a retry (the next occurrence) is decided afresh, so clients that retry
usually get through, as with the real service.

The default mix is our estimate of what clients see most (529 overloads dominate public reports), ⚠ unconfirmed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mockclaude import ids
from mockclaude.model.errors import ApiError, InternalServerError, OverloadedError, RateLimitError
from mockclaude.model.faults import Fault

DEFAULT_MIX: Mapping[str, float] = MappingProxyType(
    {
        "overloaded_error": 0.35,  # 529
        "rate_limit_error": 0.25,  # 429 with retry-after
        "api_error": 0.15,  # 500
        "stream_error": 0.15,  # event: error (overloaded_error) mid-stream; a 529 for non-streaming requests
        "drop": 0.10,  # connection closed mid-stream; before the headers for non-streaming requests
    }
)
"""What a chaos failure is, by share (normalised; any subset may be given)."""

_ERRORS: dict[str, type[ApiError]] = {
    "overloaded_error": OverloadedError,
    "rate_limit_error": RateLimitError,
    "api_error": InternalServerError,
}
_FAULTS = ("stream_error", "drop")
MAX_AFTER_EVENTS = (
    8  # stream faults strike within the first few events (the server clamps to the stream length)
)


@dataclass(frozen=True, slots=True)
class ChaosConfig:
    """How often and how requests fail. ``rate`` in [0, 1]; ``mix`` keys from :data:`DEFAULT_MIX`."""

    rate: float
    mix: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    retry_after_s: int = 1  # the 429s' retry-after: short, so retrying clients (and CI) keep moving
    # Not sent by the real API: set it (e.g. 1) to make SDK retries of every chaos error near-instant in tests.
    retry_after_ms: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:  # also rejects NaN
            raise ValueError(f"chaos rate: must be between 0 and 1, got {self.rate!r}")
        unknown = set(self.mix) - set(DEFAULT_MIX)
        if unknown:
            raise ValueError(f"chaos mix: unknown kinds {sorted(unknown)}; known: {', '.join(DEFAULT_MIX)}")
        if any(w < 0 for w in self.mix.values()) or not any(w > 0 for w in self.mix.values()):
            raise ValueError("chaos mix: shares must be >= 0 and not all 0")


@dataclass(frozen=True, slots=True)
class ChaosDecision:
    """A chaos failure: an error to answer with, or a fault for the server to act out on the reply."""

    kind: str
    error: ApiError | None = None
    fault: Fault | None = None


class Chaos:
    """Seeded chaos decisions for one mock instance."""

    def __init__(self, seed: int, config: ChaosConfig) -> None:
        self.seed = seed
        self.config = config
        total = sum(config.mix.values())
        cumulative = 0.0
        self._bands: list[tuple[float, str]] = []
        for kind, weight in config.mix.items():
            if weight > 0:
                cumulative += weight / total
                self._bands.append((cumulative, kind))

    def decide(self, request_key: str, occurrence: int, *, stream: bool) -> ChaosDecision | None:
        """The failure for the ``occurrence``-th request with this fingerprint, or None (served normally)."""
        if self.config.rate <= 0:
            return None
        digest = ids.derive(self.seed, "chaos", request_key, occurrence)
        if _unit(digest[0:8]) >= self.config.rate:
            return None
        pick = _unit(digest[8:16])
        kind = next((k for edge, k in self._bands if pick < edge), self._bands[-1][1])
        headers: dict[str, str] = {}
        if kind == "rate_limit_error":
            headers["retry-after"] = str(self.config.retry_after_s)
        if self.config.retry_after_ms is not None:
            headers["retry-after-ms"] = f"{self.config.retry_after_ms:g}"
        if kind in _ERRORS:
            return ChaosDecision(kind, error=_ERRORS[kind](headers=headers))
        after = 1 + digest[16] % MAX_AFTER_EVENTS
        if kind == "stream_error" and not stream:
            return ChaosDecision(kind, error=OverloadedError(headers=headers))
        if kind == "drop" and not stream:
            return ChaosDecision(kind, fault=Fault("drop"))
        if kind == "drop":
            return ChaosDecision(kind, fault=Fault("drop", after_events=after))
        return ChaosDecision(kind, fault=Fault("stream_error", after_events=after))


def _unit(raw: bytes) -> float:
    """Eight bytes as a float in [0, 1)."""
    return int.from_bytes(raw, "big") / 2.0**64
