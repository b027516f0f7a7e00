"""``make bench`` section "cache": the prompt cache's memory bound and lookup cost.

* RSS while 1,000,000 distinct prefixes are written with the default cap (``DEFAULT_MAX_ENTRIES``), sampled
  every 100,000 writes, in a fresh process: once the cap is reached the LRU evicts one entry per write, so RSS
  must stay flat (target: growth from the 200k sample to the 1M sample ≤ 5 MB).
* The cache stage (breakpoints, rolling fingerprints, lookback lookup, refresh/write) on a 100-block
  conversation with four breakpoints: a hit, and a miss that walks every lookback window and writes
  (target ≤ 1 ms each).

    python -m tools.bench --only cache
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import time
from typing import Any

import orjson

SECTION = "cache"
WRITES = 1_000_000
STEP = 100_000
RSS_GROWTH_TARGET_MB = 5.0
LOOKUP_TARGET_MS = 1.0


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        resident = int(f.read().split()[1])
    return resident * os.sysconf("SC_PAGE_SIZE") / 2**20


def _validated(body: dict[str, Any]) -> Any:
    from mockclaude.model.catalog import get_catalog
    from mockclaude.model.request import Policy
    from mockclaude.validate.request import validate_request

    headers = {"x-api-key": "sk-bench", "anthropic-version": "2023-06-01"}
    return validate_request(orjson.dumps(body), headers, Policy(catalog=get_catalog()), kind="messages")


def _rss_run(queue: Any) -> None:
    """In a fresh process: 1M writes of distinct one-block prefixes through ``PromptCache.usage``."""
    from mockclaude.cache import DEFAULT_MAX_ENTRIES, PromptCache
    from mockclaude.clock import ManualClock
    from mockclaude.tokenize.accounting import PromptLayout, Segment

    req = _validated(
        {
            "model": "claude-sonnet-4-6",
            "max_tokens": 16,
            "system": [{"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": "Hi"}],
        }
    )
    clock = ManualClock()
    cache = PromptCache(clock)
    samples = {"start": round(_rss_mb(), 1)}
    t0 = time.perf_counter()
    for i in range(WRITES):
        digest = i.to_bytes(16, "little")
        layout = PromptLayout((Segment("system", "system.0", digest, 3000, 3000, "5m", "text"),), 3010)
        usage = cache.usage(req, layout)
        assert usage.cache_creation_input_tokens == 3000
        if (i + 1) % STEP == 0:
            samples[f"{(i + 1) // 1000}k"] = round(_rss_mb(), 1)
    elapsed = time.perf_counter() - t0
    queue.put(
        {
            "max_entries": DEFAULT_MAX_ENTRIES,
            "entries_after": len(cache.store),
            "evictions": cache.store.evictions,
            "rss_mb": samples,
            "writes_per_second": round(WRITES / elapsed),
        }
    )


def _conversation(salt: str) -> dict[str, Any]:
    """A 100-block conversation (49 turns, user first and last; the first turn has 4 blocks, the others 2) with
    four breakpoints 20 blocks apart, the last on the final block."""
    messages: list[dict[str, Any]] = []
    for t in range(49):
        role = "user" if t % 2 == 0 else "assistant"
        blocks = [
            {"type": "text", "text": f"{salt} {role} turn {t}: " + "lorem ipsum dolor sit amet " * 40},
            {"type": "text", "text": f"{salt} short note {t}"},
        ]
        if t == 0:
            blocks = [{"type": "text", "text": f"{salt} preamble {i}"} for i in range(2)] + blocks
        messages.append({"role": role, "content": blocks})
    for m in (48, 38, 28, 18):
        messages[m]["content"][-1]["cache_control"] = {"type": "ephemeral"}
    return {"model": "claude-sonnet-4-6", "max_tokens": 16, "messages": messages}


def _lookup_ms() -> dict[str, Any]:
    from mockclaude.cache import PromptCache
    from mockclaude.clock import ManualClock
    from mockclaude.tokenize.accounting import InputAccountant
    from mockclaude.tokenize.encoding import get_counter

    req = _validated(_conversation("bench"))
    layout = InputAccountant(get_counter("claude-v1")).layout(req)
    clock = ManualClock()
    cache = PromptCache(clock)
    first = cache.usage(req, layout)
    out: dict[str, Any] = {
        "blocks": len(layout.segments),
        "first_write_tokens": first.cache_creation_input_tokens,
    }
    for label, step in (("hit", 1.0), ("miss_and_write", 400.0)):  # 400 s: every entry expired → full walk
        times = []
        for _ in range(2000):
            clock.advance(seconds=step)
            t0 = time.perf_counter()
            usage = cache.usage(req, layout)
            times.append((time.perf_counter() - t0) * 1000)
        assert (usage.cache_read_input_tokens > 0) == (label == "hit")
        out[f"{label}_ms_median"] = round(statistics.median(times), 4)
        out[f"{label}_ms_p99"] = round(sorted(times)[int(len(times) * 0.99)], 4)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The section's figures, each beside its target."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_rss_run, args=(queue,))
    proc.start()
    memory = queue.get(timeout=900)
    proc.join()
    rss = memory["rss_mb"]
    growth = rss[f"{WRITES // 1000}k"] - rss["200k"]
    lookup = _lookup_ms()
    worst = max(lookup["hit_ms_median"], lookup["miss_and_write_ms_median"])
    return {
        "writes": WRITES,
        **memory,
        "rss_growth_200k_to_1m_mb": round(growth, 1),
        "rss_target": f"growth <= {RSS_GROWTH_TARGET_MB} MB: {'PASS' if growth <= RSS_GROWTH_TARGET_MB else 'FAIL'}",
        "lookup_100_blocks": lookup,
        "lookup_target": f"median <= {LOOKUP_TARGET_MS} ms: {'PASS' if worst <= LOOKUP_TARGET_MS else 'FAIL'}",
    }
