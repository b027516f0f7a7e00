"""The cache entries: a bounded, least-recently-used map from prefix fingerprint to entry (api-spec §6.2).

Entries expire ``ttl`` seconds after their last use, read from the injectable clock, never from a timer: an
expired entry is dropped when something next looks at it. The map holds at most ``max_entries``; writing one
more evicts the least recently used entry, so eviction can only turn a later hit into a miss (and a re-write).
Not thread-safe on its own: :class:`~mockclaude.cache.simulator.PromptCache` holds the lock around each use.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator

DEFAULT_MAX_ENTRIES = 100_000  # ≈ 30 MB of entries (bench: tools/bench_cache.py)

Scope = tuple[str, str]  # (api key, model id): one tuple object per scope, shared by its entries


class CacheEntry:
    """One written prefix: its size, its lifetime, and when it becomes readable."""

    __slots__ = ("created_at", "expires_at", "hits", "readable_at", "scope", "tokens", "ttl")

    def __init__(self, scope: Scope, tokens: int, ttl: float, now: float, readable_at: float) -> None:
        self.scope = scope
        self.tokens = tokens
        self.ttl = ttl
        self.created_at = now
        self.expires_at = now + ttl
        self.readable_at = readable_at
        self.hits = 0


class CacheStore:
    """Fingerprint → :class:`CacheEntry`, LRU-bounded, with lazy expiry and counters for the admin view."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, CacheEntry] = OrderedDict()
        self.writes = 0
        self.hits = 0
        self.evictions = 0
        self.expirations = 0

    def __len__(self) -> int:
        return len(self._entries)

    def live(self, key: bytes, now: float) -> CacheEntry | None:
        """The unexpired entry at ``key`` (readable or not yet), dropping it if it has expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires_at <= now:
            del self._entries[key]
            self.expirations += 1
            return None
        return entry

    def hit(self, key: bytes, entry: CacheEntry, now: float) -> None:
        """Count a read and refresh the entry: its lifetime starts again (§6.2) and it becomes most recent."""
        entry.hits += 1
        entry.expires_at = now + entry.ttl
        self._entries.move_to_end(key)
        self.hits += 1

    def write(self, key: bytes, entry: CacheEntry) -> None:
        """Store a new entry, evicting the least recently used ones above the cap."""
        self._entries[key] = entry
        self._entries.move_to_end(key)
        self.writes += 1
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
            self.evictions += 1

    def items(self) -> Iterator[tuple[bytes, CacheEntry]]:
        """Entries from most to least recently used (expired ones included: call :meth:`purge` first)."""
        return reversed(self._entries.items())

    def purge(self, now: float) -> int:
        """Drop every expired entry; returns how many."""
        dead = [key for key, entry in self._entries.items() if entry.expires_at <= now]
        for key in dead:
            del self._entries[key]
        self.expirations += len(dead)
        return len(dead)

    def remove(self, where: Callable[[CacheEntry], bool] | None = None) -> int:
        """Delete the entries ``where`` selects (all of them without ``where``); returns how many."""
        if where is None:
            count = len(self._entries)
            self._entries.clear()
            return count
        dead = [key for key, entry in self._entries.items() if where(entry)]
        for key in dead:
            del self._entries[key]
        return len(dead)
