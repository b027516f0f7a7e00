"""The prompt-cache simulator: a request's breakpoints in, the input side of its ``usage`` out (api-spec §6).

For each request with at least one breakpoint whose prefix reaches the model's minimum (§6.3; shorter ones are
ignored silently, as the real service does):

1. **Lookup.** From each breakpoint, last first, the fingerprints of that block and the 19 before it are
   checked for an entry that is alive and readable (§6.2 lookback); the longest one found is the hit.
2. **Refresh.** The hit entry, and any shorter breakpoint's entry, starts its lifetime again (§6.2).
3. **Write.** Every breakpoint after the hit writes its prefix with its own TTL.
4. **Accounting** with the positions of §6.4: A = tokens through the hit (0 if none), B = tokens through the
   last ``1h`` breakpoint written (A if none), C = tokens through the last breakpoint. Then
   ``cache_read_input_tokens = A``, ``ephemeral_1h = B - A``, ``ephemeral_5m = C - B``,
   ``cache_creation_input_tokens = C - A`` and ``input_tokens = total - C`` (§3.4, §6.5).

Concurrency (§6.2: "a cache entry becomes readable only once the first response begins; parallel identical
requests all miss"). The pipeline handles one request at a time, so "together" is defined by the clock: an entry
written at time *t* becomes readable at ``t + ttft_scale × time_to_first_token_ms`` of the model (catalog). With
the default ``ttft_scale = 0`` an entry is readable as soon as its request has been answered, which is what a
client sending requests one after another sees from the real service (its second request always starts after
the first response began). With ``ttft_scale = 1`` and a manual clock, requests sent at the same virtual
instant all miss and all pay the write, like parallel requests to the real service, until the clock passes the
first writer's time to first token. A second write of a not-yet-readable entry keeps the first writer's
``readable_at`` (the first response to begin makes it readable) and extends its lifetime.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from mockclaude.cache.prefix import LOOKBACK_BLOCKS, TTL_SECONDS, Breakpoint, find_breakpoints, prefix_keys
from mockclaude.cache.store import DEFAULT_MAX_ENTRIES, CacheEntry, CacheStore, Scope
from mockclaude.clock import Clock, rfc3339
from mockclaude.model.reply import Usage
from mockclaude.model.request import ValidatedRequest
from mockclaude.tokenize.accounting import PromptLayout


class PromptCache:
    """One mock instance's prompt cache: entries scoped by (API key, model), TTLs on ``clock``."""

    def __init__(
        self, clock: Clock, *, max_entries: int = DEFAULT_MAX_ENTRIES, ttft_scale: float = 0.0
    ) -> None:
        if ttft_scale < 0:
            raise ValueError(f"ttft_scale must be >= 0, got {ttft_scale}")
        self.clock = clock
        self.ttft_scale = ttft_scale
        self.store = CacheStore(max_entries)
        self._scopes: dict[Scope, Scope] = {}
        self._lock = threading.Lock()

    def usage(self, req: ValidatedRequest, layout: PromptLayout) -> Usage:
        """Look up, refresh and write this request's prefixes; the input side of its ``usage``.

        Only ``POST /v1/messages`` calls this: ``count_tokens`` never reads or writes the cache.
        """
        segments = layout.segments
        minimum = req.model.cache_min_tokens
        breakpoints = [bp for bp in find_breakpoints(req, segments) if segments[bp.index].end >= minimum]
        if not breakpoints:
            return Usage(input_tokens=layout.total)
        keys = prefix_keys(req, segments, breakpoints[-1].index)
        ends = [segment.end for segment in segments]
        now = self.clock.now()
        readable_at = now + self.ttft_scale * req.model.time_to_first_token_ms / 1000.0
        with self._lock:
            scope = self._scopes.setdefault((req.api_key, req.model.id), (req.api_key, req.model.id))
            a, b, c = self._settle(scope, keys, ends, breakpoints, now, readable_at)
        return Usage(
            input_tokens=layout.total - c,
            cache_creation_input_tokens=c - a,
            cache_read_input_tokens=a,
            cache_5m_tokens=c - b,
            cache_1h_tokens=b - a,
        )

    def _settle(
        self,
        scope: Scope,
        keys: Sequence[bytes],
        ends: Sequence[int],
        breakpoints: Sequence[Breakpoint],
        now: float,
        readable_at: float,
    ) -> tuple[int, int, int]:
        """Steps 1-3 of the module docstring under the lock; returns the positions (A, B, C) in tokens."""
        store = self.store
        hit = -1
        hit_entry: CacheEntry | None = None
        floor = len(keys)  # windows are walked last to first; positions >= floor were already checked
        for bp in reversed(breakpoints):
            bottom = max(bp.index - LOOKBACK_BLOCKS + 1, 0)
            for position in range(min(bp.index, floor - 1), bottom - 1, -1):
                entry = store.live(keys[position], now)
                if entry is not None and entry.readable_at <= now:
                    hit, hit_entry = position, entry
                    break
            if hit_entry is not None:
                break  # an earlier breakpoint's window cannot reach above a hit in a later one
            floor = min(floor, bottom)
        a = 0
        if hit_entry is not None:
            a = ends[hit]
            store.hit(keys[hit], hit_entry, now)
            for bp in breakpoints:
                shorter = store.live(keys[bp.index], now) if bp.index < hit else None
                if shorter is not None and shorter.readable_at <= now:
                    store.hit(keys[bp.index], shorter, now)
        b = a
        for bp in breakpoints:
            if bp.index <= hit:
                continue
            ttl = TTL_SECONDS[bp.ttl]
            pending = store.live(keys[bp.index], now)
            if pending is not None:  # written by a request whose reply has not begun yet: billed again
                pending.ttl = max(pending.ttl, ttl)
                pending.expires_at = max(pending.expires_at, now + ttl)
            else:
                store.write(keys[bp.index], CacheEntry(scope, ends[bp.index], ttl, now, readable_at))
            if bp.ttl == "1h":
                b = ends[bp.index]
        c = max(a, ends[breakpoints[-1].index])
        return a, b, c

    # -- control plane (GET/DELETE /_mock/cache) -------------------------------------------------------------
    def snapshot(
        self, *, api_key: str | None = None, model: str | None = None, limit: int = 100
    ) -> dict[str, Any]:
        """Counters, entries per scope, and up to ``limit`` live entries, most recently used first."""
        now = self.clock.now()
        with self._lock:
            self.store.purge(now)
            scopes: dict[Scope, dict[str, Any]] = {}
            entries: list[dict[str, Any]] = []
            for _, entry in self.store.items():
                key, model_id = entry.scope
                if (api_key is not None and key != api_key) or (model is not None and model_id != model):
                    continue
                row = scopes.setdefault(
                    entry.scope, {"api_key": key, "model": model_id, "entries": 0, "tokens": 0}
                )
                row["entries"] += 1
                row["tokens"] += entry.tokens
                if len(entries) < limit:
                    entries.append(_describe(entry, now))
            store = self.store
            return {
                "now": rfc3339(now),
                "entries": len(store),
                "max_entries": store.max_entries,
                "ttft_scale": self.ttft_scale,
                "writes": store.writes,
                "hits": store.hits,
                "evictions": store.evictions,
                "expirations": store.expirations,
                "scopes": sorted(scopes.values(), key=lambda r: (r["api_key"], r["model"])),
                "data": entries,
            }

    def clear(self, *, api_key: str | None = None, model: str | None = None) -> int:
        """Delete entries (all, or one key's / one model's); returns how many were deleted."""
        with self._lock:
            if api_key is None and model is None:
                return self.store.remove()
            return self.store.remove(
                lambda e: (
                    (api_key is None or e.scope[0] == api_key) and (model is None or e.scope[1] == model)
                )
            )


def _describe(entry: CacheEntry, now: float) -> dict[str, Any]:
    return {
        "api_key": entry.scope[0],
        "model": entry.scope[1],
        "tokens": entry.tokens,
        "ttl": "1h" if entry.ttl >= TTL_SECONDS["1h"] else "5m",
        "hits": entry.hits,
        "created_at": rfc3339(entry.created_at),
        "expires_at": rfc3339(entry.expires_at),
        "expires_in_seconds": round(entry.expires_at - now, 3),
        "readable": entry.readable_at <= now,
    }
