"""A token bucket on an injectable clock: the algorithm Anthropic documents for its rate limits (api-spec §5.5).

"Your capacity is continuously replenished up to your maximum limit, rather than being reset at fixed
intervals": a bucket of ``capacity`` refills at ``capacity / 60`` per second. Time is passed in (``now``) so the
bucket follows whatever clock the mock runs on; a manual clock makes refills exact and testable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WINDOW_SECONDS = 60.0


@dataclass(slots=True)
class TokenBucket:
    """``capacity`` units refilled over one minute. ``level`` may go below 0 when a charge is settled late."""

    capacity: float
    level: float
    updated: float

    @classmethod
    def full(cls, capacity: float, now: float) -> TokenBucket:
        """A full bucket at ``now``."""
        return cls(capacity=capacity, level=capacity, updated=now)

    @property
    def rate(self) -> float:
        """Units replenished per second."""
        return self.capacity / WINDOW_SECONDS

    def refill(self, now: float) -> float:
        """Bring the level up to ``now`` and return it. Time going backwards (a clock ``set``) refills nothing."""
        if now > self.updated:
            self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
        self.updated = max(self.updated, now)
        return self.level

    def wait_for(self, amount: float, now: float) -> float:
        """Seconds until ``amount`` units are available (0 when they are now; inf when ``amount`` > capacity)."""
        level = self.refill(now)
        if amount <= level:
            return 0.0
        if amount > self.capacity:
            return math.inf
        return (amount - level) / self.rate

    def take(self, amount: float, now: float) -> None:
        """Remove ``amount`` units (the caller checked ``wait_for`` first; settling may overdraw)."""
        self.refill(now)
        self.level -= amount

    def give(self, amount: float, now: float) -> None:
        """Return ``amount`` units (an estimate charged up front turned out smaller), never above capacity."""
        self.refill(now)
        self.level = min(self.capacity, self.level + amount)

    def full_at(self, now: float) -> float:
        """When the bucket will be full again (``now`` when it already is): the ``-reset`` header's time."""
        level = self.refill(now)
        return now + (self.capacity - level) / self.rate if level < self.capacity else now
