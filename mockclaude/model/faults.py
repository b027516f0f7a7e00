"""Faults and latency as data: decided by the engine (scripts, chaos), acted out by the server (DESIGN.md rule 4).

A ``Reply`` may carry a ``Fault`` (what goes wrong on the wire) and a ``Latency`` (how slowly it is written).
Both are plain frozen dataclasses built with keyword fields (a stub's ``fault: {...}`` / ``latency: {...}`` maps
straight onto them); bad values raise ``ValueError`` naming the field, so a script loader can report them.

How the server acts each fault out (server/stream.py):

======================  ==============================================  ==============================================
kind                    streaming (SSE)                                 non-streaming (JSON)
======================  ==============================================  ==============================================
``stream_error``        ``event: error`` after ``after_events`` events  the same error as a JSON error response with
                        (default 1, i.e. after ``message_start``), then its real status (the API reports errors found
                        the stream ends (api-spec §4.5)                 before the response started that way)
``drop``                close the connection: before the headers when   before the headers when ``after_events`` is
                        ``after_events`` is None, else after N events   None, else after the headers and half the body
``malformed``           a broken frame after ``after_events`` events,   a truncated JSON body
                        then the stream ends
``empty_body``          200, SSE headers, no events                     200, JSON headers, empty body
``stall``               stop after ``after_events`` events (default 1)  stall before the headers
                        for ``stall_ms``, then carry on; ``stall_ms``
                        None: until the client gives up
``slow_headers``        wait ``stall_ms`` before the status line        the same
======================  ==============================================  ==============================================

Fault durations (``stall_ms``) are exact: they follow the server's clock (a manual clock advances without waiting)
but are not multiplied by ``time_scale``, which only scales modelled latency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

from mockclaude.model.errors import ERROR_CLASSES, ApiError

FaultKind = Literal[
    "stream_error",  # an `event: error` frame after `after_events` events, then the stream ends
    "drop",  # close the connection (before headers when after_events is None)
    "malformed",  # a broken SSE frame after `after_events` events
    "empty_body",  # 200 with an empty body
    "stall",  # stop writing for `stall_ms` (None: until the client gives up)
    "slow_headers",  # wait `stall_ms` before sending the status line
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

JitterKind = Literal["none", "fixed", "uniform", "lognormal"]
JITTER_KINDS: tuple[str, ...] = get_args(JitterKind)

# The real API sends `event: ping` when a stream has been quiet for about 30 s (observed in client logs: pings
# 30.0 s apart during long thinking, frontman-ai/frontman#731; litellm#36024 "Anthropic pings only every ~30s
# inside long thinking silences"). ⚠ unconfirmed: not documented by Anthropic.
REAL_PING_INTERVAL_MS = 30_000.0


def _non_negative(name: str, value: float | None) -> None:
    if value is not None and (not isinstance(value, int | float) or math.isnan(value) or value < 0):
        raise ValueError(f"{name}: must be a number >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class Fault:
    """Something that goes wrong after the request was accepted (see the module docstring for each kind)."""

    kind: FaultKind
    after_events: int | None = None
    error_type: str = "overloaded_error"  # for stream_error: any error.type of api-spec §5.1
    message: str | None = None  # for stream_error: None = the type's usual message
    stall_ms: float | None = None  # for stall / slow_headers

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"kind: must be one of {', '.join(FAULT_KINDS)}; got {self.kind!r}")
        if self.after_events is not None and (
            isinstance(self.after_events, bool)
            or not isinstance(self.after_events, int)
            or self.after_events < 0
        ):
            raise ValueError(f"after_events: must be an integer >= 0, got {self.after_events!r}")
        _non_negative("stall_ms", self.stall_ms)
        if self.error_type not in ERROR_CLASSES:
            raise ValueError(
                f"error_type: must be one of {', '.join(ERROR_CLASSES)}; got {self.error_type!r}"
            )
        if self.kind == "slow_headers" and self.stall_ms is None:
            raise ValueError("stall_ms: required for a slow_headers fault")

    def strikes_at(self, frames: int) -> int:
        """Where this fault strikes in a stream of ``frames`` frames: after ``after_events`` of them (default 1,
        the opening frame), always before the last, so a stream cut by a fault never looks complete."""
        return min(1 if self.after_events is None else self.after_events, frames - 1)

    def error(self) -> ApiError:
        """A ``stream_error`` as the API error it is when there is no stream to break (a JSON reply, a batch item)."""
        return ERROR_CLASSES[self.error_type](self.message)

    @property
    def error_message(self) -> str:
        """The message of a ``stream_error``: the scripted one, else the error type's usual text."""
        return self.message if self.message is not None else ERROR_CLASSES[self.error_type].default_message


@dataclass(frozen=True, slots=True)
class Latency:
    """How the server paces a reply (all durations in milliseconds of production time).

    The stream waits ``ttft_ms`` before the first content block, then spends ``tokens / tokens_per_second`` before
    each delta, where a delta weighs ``tokens_per_delta`` tokens when set, else its share of the reply's
    ``output_tokens`` (by text length). A non-streaming reply waits the whole generation time before answering.
    Every wait is multiplied by the effective time scale: ``time_scale`` when set, else the server's
    ``Settings.time_scale`` (0 in tests: no waiting at all; 1 feels like production). Waits follow the server's
    clock, so a manual clock advances by the virtual duration instead of sleeping.

    Jitter (seeded per reply, so the same requests give the same pacing) applies to every wait:
    ``fixed`` adds ``jitter_ms``; ``uniform`` adds a draw from [0, ``jitter_ms``]; ``lognormal`` multiplies by
    ``exp(N(0, jitter_sigma))`` (median 1: the long right tail of real serving latency).
    A stream that stays quiet for ``ping_interval_ms`` gets an ``event: ping`` (then again every interval).
    """

    ttft_ms: float = 0.0
    tokens_per_second: float = 0.0  # 0: deltas are not paced
    time_scale: float | None = None  # None: the server's Settings.time_scale
    ping_interval_ms: float = REAL_PING_INTERVAL_MS
    tokens_per_delta: float | None = None  # None: each delta's share of output_tokens
    jitter: JitterKind = "none"
    jitter_ms: float = 0.0
    jitter_sigma: float = 0.25

    def __post_init__(self) -> None:
        for name in (
            "ttft_ms",
            "tokens_per_second",
            "time_scale",
            "tokens_per_delta",
            "jitter_ms",
            "jitter_sigma",
        ):
            _non_negative(name, getattr(self, name))
        _non_negative("ping_interval_ms", self.ping_interval_ms)
        if self.ping_interval_ms <= 0:
            raise ValueError(f"ping_interval_ms: must be > 0, got {self.ping_interval_ms!r}")
        if self.jitter not in JITTER_KINDS:
            raise ValueError(f"jitter: must be one of {', '.join(JITTER_KINDS)}; got {self.jitter!r}")

    def scale(self, default: float) -> float:
        """The effective time scale: this latency's own, else the server's ``default``."""
        return self.time_scale if self.time_scale is not None else default
