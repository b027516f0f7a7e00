"""Faults and latency as data: decided by the engine (scripts, chaos), acted out by the server (DESIGN.md rule 4).

A ``Reply`` may carry a ``Fault`` (what goes wrong on the wire) and a ``Latency`` (how slowly it is written).
The faults issue extends these types; the shapes below are the contract the engine and the server share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FaultKind = Literal[
    "stream_error",       # an `event: error` frame after `after_events` events, then the stream ends
    "drop",               # close the connection (before headers when after_events is None)
    "malformed",          # a broken SSE frame after `after_events` events
    "empty_body",         # 200 with an empty body
    "stall",              # stop writing for `stall_ms` (None: until the client gives up)
    "slow_headers",       # wait `stall_ms` before sending the status line
]


@dataclass(frozen=True, slots=True)
class Fault:
    """Something that goes wrong after the request was accepted."""

    kind: FaultKind
    after_events: int | None = None
    error_type: str = "overloaded_error"      # for stream_error
    message: str | None = None
    stall_ms: float | None = None


@dataclass(frozen=True, slots=True)
class Latency:
    """How the server paces a reply: time to first token, then tokens per second (scaled by time_scale)."""

    ttft_ms: float = 0.0
    tokens_per_second: float = 0.0           # 0: no pacing
    time_scale: float = 0.0                  # 0 in tests, 1 to feel like production
    ping_interval_ms: float = 10_000.0
