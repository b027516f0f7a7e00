"""Injectable clocks: the real one for ``serve``, a manual one for tests (nothing ever sleeps to wait)."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import threading
import time
from typing import Protocol

MAX_TIMESTAMP = 32_503_680_000.0
"""The latest time a movable clock may show: 3000-01-01T00:00:00Z. Every time the mock derives from the clock
(rate-limit resets, cache and batch expiries, a day at most ahead) stays a valid date-time from there."""


def check_time(timestamp: float) -> float:
    """``timestamp`` if it is a finite time from the epoch to :data:`MAX_TIMESTAMP`, else a ``ValueError`` whose
    text says why."""
    if not isinstance(timestamp, int | float) or not math.isfinite(timestamp):
        raise ValueError(f"the time must be a finite number of seconds, got {timestamp!r}")
    if timestamp < 0:
        raise ValueError(f"the time must be at or after the epoch (0), got {timestamp:.6g}")
    if timestamp > MAX_TIMESTAMP:
        raise ValueError(
            f"the time must be at most {MAX_TIMESTAMP:.0f} (3000-01-01T00:00:00Z), got {timestamp:.6g}"
        )
    return float(timestamp)


def _step(seconds: float, minutes: float, hours: float) -> float:
    step = seconds + 60.0 * minutes + 3600.0 * hours
    if not math.isfinite(step) or step < 0:
        raise ValueError(f"the clock only moves forward by a finite amount, got {step:.6g} seconds")
    return step


class Clock(Protocol):
    """Where every stage reads the time from."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    """Wall-clock time plus an offset that ``advance`` moves forward (``POST /_mock/clock/advance``)."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        """Seconds since the epoch, shifted by every ``advance``."""
        return time.time() + self._offset

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0) -> float:
        """Move time forward without waiting; returns the new time (``ValueError`` past :data:`MAX_TIMESTAMP`)."""
        step = _step(seconds, minutes, hours)
        check_time(self.now() + step)
        self._offset += step
        return self.now()

    def set(self, timestamp: float) -> None:
        """Jump to an absolute time (``ValueError`` outside 0 .. :data:`MAX_TIMESTAMP`)."""
        self._offset = check_time(timestamp) - time.time()

    async def sleep(self, seconds: float) -> None:
        """Really wait ``seconds`` (the server's latency and stalls on the real clock)."""
        await asyncio.sleep(max(seconds, 0.0))


class ManualClock:
    """A clock that only moves when told to: deterministic TTLs, rate-limit windows and latency."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        """The current (virtual) time."""
        return self._now

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0) -> float:
        """Move time forward; returns the new time (``ValueError`` past :data:`MAX_TIMESTAMP`)."""
        step = _step(seconds, minutes, hours)
        with self._lock:
            self._now = check_time(self._now + step)
            return self._now

    def set(self, timestamp: float) -> None:
        """Jump to an absolute time (``ValueError`` outside 0 .. :data:`MAX_TIMESTAMP`)."""
        with self._lock:
            self._now = check_time(timestamp)

    async def sleep(self, seconds: float) -> None:
        """Advance virtual time by ``seconds`` without waiting (then let other tasks run); a wait past
        :data:`MAX_TIMESTAMP` (a stall "for ever") stops there."""
        if seconds > 0:
            with self._lock:
                self._now = min(self._now + seconds, max(self._now, MAX_TIMESTAMP))
        await asyncio.sleep(0)


async def sleep(clock: Clock, seconds: float) -> None:
    """Wait ``seconds`` of ``clock`` time: the clock's own ``sleep`` when it has one, else a real sleep.

    Latency and stalls go through here so they follow the injectable clock: a manual clock moves forward instead
    of waiting, so tests never sleep for real.
    """
    own = getattr(clock, "sleep", None)
    if own is not None:
        await own(seconds)
    else:
        await asyncio.sleep(max(seconds, 0.0))


def rfc3339(timestamp: float, *, micro: bool = False) -> str:
    """``2025-08-21T12:40:59Z``: the format of the rate-limit reset headers; with ``micro``,
    ``2024-09-24T18:37:24.100435Z``, the format of Message Batch times."""
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ"
    # Clamped to what a date-time can show, so a clock set by hand (any Clock) can never make a header raise.
    safe = min(max(timestamp, 0.0), _LAST_SECOND) if math.isfinite(timestamp) else 0.0
    return dt.datetime.fromtimestamp(safe, dt.UTC).strftime(fmt)


_LAST_SECOND = 253_402_300_799.0  # 9999-12-31T23:59:59Z
