"""The cache entries: a bounded, least-recently-used map from prefix fingerprint to entry (api-spec §6.2).

Entries expire ``ttl`` seconds after their last use, read from the injectable clock, never from a timer: an
expired entry is dropped when something next looks at it. The store holds at most ``max_entries``; writing one
more evicts a least recently used entry, so eviction can only turn a later hit into a miss (and a re-write).

Large caps are split into up to 16 shards by fingerprint (the fingerprints are uniform hashes), each an exact LRU
with its share of the cap; caps under 8,192 entries are one shard, an exact LRU. Why: a hash table under constant
insert/evict churn is rebuilt every few ten thousand writes, and with one 100,000-entry table glibc's adaptive
mmap threshold leaves each rebuilt multi-megabyte table on the heap, so RSS climbs in steps (measured: +14 MB over
1M writes) before it levels off. Sixteen small tables are reused in place and RSS stays flat (tools/bench_cache.py).
Not thread-safe on its own: :class:`~mockclaude.cache.simulator.PromptCache` holds the lock around each use.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator

from mockclaude.defaults import DEFAULT_MAX_ENTRIES

MAX_SHARDS = 16
MIN_SHARD_ENTRIES = 4_096

Scope = tuple[str, str]  # (api key, model id): one tuple object per scope, shared by its entries


class CacheEntry:
    """One written prefix: its size, its lifetime, and when it becomes readable."""

    __slots__ = ("created_at", "expires_at", "hits", "readable_at", "scope", "tokens", "ttl", "used")

    def __init__(self, scope: Scope, tokens: int, ttl: float, now: float, readable_at: float) -> None:
        self.scope = scope
        self.tokens = tokens
        self.ttl = ttl
        self.created_at = now
        self.expires_at = now + ttl
        self.readable_at = readable_at
        self.hits = 0
        self.used = 0  # the store's use counter at the last write or hit: global recency across shards


class CacheStore:
    """Fingerprint → :class:`CacheEntry`, LRU-bounded, with lazy expiry and counters for the admin view."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        self.max_entries = max_entries
        count = max(1, min(MAX_SHARDS, max_entries // MIN_SHARD_ENTRIES))
        self._shards: list[OrderedDict[bytes, CacheEntry]] = [OrderedDict() for _ in range(count)]
        # The caps add up to max_entries exactly.
        self._caps = [max_entries // count + (1 if i < max_entries % count else 0) for i in range(count)]
        self._uses = itertools.count(1)
        self.writes = 0
        self.hits = 0
        self.evictions = 0
        self.expirations = 0

    def __len__(self) -> int:
        return sum(len(shard) for shard in self._shards)

    def _shard(self, key: bytes) -> int:
        return key[0] % len(self._shards)

    def live(self, key: bytes, now: float) -> CacheEntry | None:
        """The unexpired entry at ``key`` (readable or not yet), dropping it if it has expired."""
        shard = self._shards[self._shard(key)]
        entry = shard.get(key)
        if entry is None:
            return None
        if entry.expires_at <= now:
            del shard[key]
            self.expirations += 1
            return None
        return entry

    def hit(self, key: bytes, entry: CacheEntry, now: float) -> None:
        """Count a read and refresh the entry: its lifetime starts again (§6.2) and it becomes most recent."""
        entry.hits += 1
        entry.expires_at = now + entry.ttl
        entry.used = next(self._uses)
        self._shards[self._shard(key)].move_to_end(key)
        self.hits += 1

    def write(self, key: bytes, entry: CacheEntry) -> None:
        """Store a new entry, evicting the least recently used ones of its shard above the shard's cap."""
        index = self._shard(key)
        shard = self._shards[index]
        entry.used = next(self._uses)
        shard[key] = entry
        shard.move_to_end(key)
        self.writes += 1
        cap = self._caps[index]
        while len(shard) > cap:
            shard.popitem(last=False)
            self.evictions += 1

    def items(self) -> Iterator[tuple[bytes, CacheEntry]]:
        """Entries from most to least recently used (expired ones included: call :meth:`purge` first)."""
        merged = [item for shard in self._shards for item in shard.items()]
        merged.sort(key=lambda item: item[1].used, reverse=True)
        return iter(merged)

    def purge(self, now: float) -> int:
        """Drop every expired entry; returns how many."""
        dead = self.remove(lambda entry: entry.expires_at <= now)
        self.expirations += dead
        return dead

    def reset_counters(self) -> None:
        """Zero the writes / hits / evictions counters (a reset between tests starts them afresh)."""
        self.writes = self.hits = self.evictions = 0

    def remove(self, where: Callable[[CacheEntry], bool] | None = None) -> int:
        """Delete the entries ``where`` selects (all of them without ``where``); returns how many."""
        count = 0
        for shard in self._shards:
            if where is None:
                count += len(shard)
                shard.clear()
                continue
            dead = [key for key, entry in shard.items() if where(entry)]
            for key in dead:
                del shard[key]
            count += len(dead)
        return count
