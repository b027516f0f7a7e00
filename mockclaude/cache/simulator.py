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

Steps 1 and 4 are :meth:`PromptCache.plan`; steps 2 and 3 are :meth:`CachePlan.commit`, which the pipeline calls
only once the request is served, so a request refused after counting (rate limit, scripted error) writes nothing.

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
from dataclasses import dataclass, field
from typing import Any

from mockclaude.cache.prefix import LOOKBACK_BLOCKS, TTL_SECONDS, Breakpoint, find_breakpoints, prefix_keys
from mockclaude.cache.store import CacheEntry, CacheStore, Scope
from mockclaude.clock import Clock, rfc3339
from mockclaude.defaults import DEFAULT_MAX_ENTRIES
from mockclaude.model.reply import Usage
from mockclaude.model.request import ValidatedRequest
from mockclaude.tokenize.accounting import PromptLayout


@dataclass(slots=True)
class CachePlan:
    """What one request reads and writes, decided before it is served; :meth:`commit` applies it.

    Splitting the two lets the pipeline price and rate-limit a request with its final ``usage`` and still write
    nothing when the request is then refused (a 429, a scripted error): the real service writes an entry only
    for a response that began (§6.2).
    """

    usage: Usage
    cache: PromptCache | None = None
    scope: Scope = ("", "")
    now: float = 0.0
    readable_at: float = 0.0
    refresh: list[bytes] = field(default_factory=list)  # entries read (the hit and shorter breakpoints')
    writes: list[tuple[bytes, int, float]] = field(default_factory=list)  # (fingerprint, tokens, ttl seconds)
    committed: bool = False

    def commit(self) -> None:
        """Refresh what was read and write what was missing (once; later calls do nothing)."""
        if self.cache is not None and not self.committed:
            self.cache._commit(self)
        self.committed = True


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
        """:meth:`plan` and commit at once: the input side of ``usage``, entries refreshed and written."""
        plan = self.plan(req, layout)
        plan.commit()
        return plan.usage

    def plan(self, req: ValidatedRequest, layout: PromptLayout) -> CachePlan:
        """Steps 1 and 4 of the module docstring: look the prefixes up and split the input tokens.

        Only ``POST /v1/messages`` calls this: ``count_tokens`` never reads or writes the cache.
        """
        segments = layout.segments
        minimum = req.model.cache_min_tokens
        breakpoints = [bp for bp in find_breakpoints(req, segments) if segments[bp.index].end >= minimum]
        if not breakpoints:
            return CachePlan(Usage(input_tokens=layout.total))
        keys = prefix_keys(req, segments, breakpoints[-1].index)
        now = self.clock.now()
        with self._lock:
            scope = self._scopes.setdefault((req.api_key, req.model.id), (req.api_key, req.model.id))
            hit = self._lookup(keys, breakpoints, now)
        a = segments[hit].end if hit >= 0 else 0
        plan = CachePlan(
            Usage(),
            cache=self,
            scope=scope,
            now=now,
            readable_at=now + self.ttft_scale * req.model.time_to_first_token_ms / 1000.0,
        )
        if hit >= 0:
            plan.refresh = [keys[bp.index] for bp in breakpoints if bp.index < hit] + [keys[hit]]
        b = a
        for bp in breakpoints:
            if bp.index > hit:
                plan.writes.append((keys[bp.index], segments[bp.index].end, TTL_SECONDS[bp.ttl]))
                if bp.ttl == "1h":
                    b = segments[bp.index].end
        c = max(a, segments[breakpoints[-1].index].end)
        plan.usage = Usage(
            input_tokens=layout.total - c,
            cache_creation_input_tokens=c - a,
            cache_read_input_tokens=a,
            cache_5m_tokens=c - b,
            cache_1h_tokens=b - a,
        )
        return plan

    def _lookup(self, keys: Sequence[bytes], breakpoints: Sequence[Breakpoint], now: float) -> int:
        """Step 1 under the lock: the index of the longest readable prefix in the lookback windows, or -1."""
        store = self.store
        floor = len(keys)  # windows are walked last to first; positions >= floor were already checked
        for bp in reversed(breakpoints):
            bottom = max(bp.index - LOOKBACK_BLOCKS + 1, 0)
            for position in range(min(bp.index, floor - 1), bottom - 1, -1):
                entry = store.live(keys[position], now)
                if entry is not None and entry.readable_at <= now:
                    return position  # an earlier breakpoint's window cannot reach above a hit in a later one
            floor = min(floor, bottom)
        return -1

    def _commit(self, plan: CachePlan) -> None:
        """Steps 2 and 3 under the lock. An entry that vanished since the lookup (evicted, deleted) is simply not
        refreshed; one that appeared (another request wrote it) is treated as a pending write of this prefix."""
        store, now = self.store, plan.now
        with self._lock:
            for key in plan.refresh:
                entry = store.live(key, now)
                if entry is not None and entry.readable_at <= now:
                    store.hit(key, entry, now)
            for key, tokens, ttl in plan.writes:
                pending = store.live(key, now)
                if pending is not None:  # written by a request whose reply has not begun yet: billed again
                    pending.ttl = max(pending.ttl, ttl)
                    pending.expires_at = max(pending.expires_at, now + ttl)
                else:
                    store.write(key, CacheEntry(plan.scope, tokens, ttl, now, plan.readable_at))

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

    def reset(self) -> None:
        """Back to a fresh cache: no entries, counters at zero."""
        with self._lock:
            self.store.remove()
            self.store.reset_counters()

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
