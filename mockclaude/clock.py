"""Injectable clocks: the real one for ``serve``, a manual one for tests (nothing ever sleeps to wait)."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from typing import Protocol


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
        """Move time forward without waiting; returns the new time."""
        self._offset += seconds + 60.0 * minutes + 3600.0 * hours
        return self.now()

    def set(self, timestamp: float) -> None:
        """Jump to an absolute time."""
        self._offset = timestamp - time.time()

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
        """Move time forward; returns the new time."""
        with self._lock:
            self._now += seconds + 60.0 * minutes + 3600.0 * hours
            return self._now

    def set(self, timestamp: float) -> None:
        """Jump to an absolute time."""
        with self._lock:
            self._now = timestamp

    async def sleep(self, seconds: float) -> None:
        """Advance virtual time by ``seconds`` without waiting (then let other tasks run)."""
        if seconds > 0:
            self.advance(seconds)
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
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime(fmt)
