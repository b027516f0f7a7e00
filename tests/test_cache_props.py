"""Properties of the cache stage, driven in-process through ``Pipeline.messages`` (no socket): determinism,
eviction only turning hits into misses, prefix identity (part, role, nesting), and the cache's own bounds."""

from __future__ import annotations

import hashlib
import random
from typing import Any

import orjson
import pytest

from mockclaude.cache import CacheStore, PromptCache
from mockclaude.cache.store import CacheEntry
from mockclaude.clock import ManualClock
from mockclaude.model.reply import Usage
from mockclaude.pipeline import Pipeline, Settings
from mockclaude.render.message import message_bytes
from tests.test_cache import EPHEMERAL, ONE_HOUR, SONNET, long_text

HEADERS = {"x-api-key": "sk-props", "anthropic-version": "2023-06-01"}


def _pipeline(**settings: Any) -> tuple[Pipeline, ManualClock]:
    clock = ManualClock()
    return Pipeline(Settings(seed=0, clock=clock, **settings)), clock


def _send(pipeline: Pipeline, params: dict[str, Any], key: str = "sk-props") -> Usage:
    headers = {**HEADERS, "x-api-key": key}
    return pipeline.messages(orjson.dumps({"model": SONNET, "max_tokens": 32, **params}), headers).reply.usage


SYSTEMS = [long_text(2000, f"s{i}-") for i in range(3)]
DOCS = [long_text(1600, f"d{i}-") for i in range(3)]


def _random_request(rng: random.Random) -> dict[str, Any]:
    """A prompt from a small pool (so prefixes repeat), with up to three breakpoints and mixed TTLs."""
    system_ttl = rng.choice([None, EPHEMERAL, ONE_HOUR])
    system: dict[str, Any] = {"type": "text", "text": rng.choice(SYSTEMS)}
    if system_ttl is not None:
        system["cache_control"] = system_ttl
    blocks: list[dict[str, Any]] = [{"type": "text", "text": rng.choice(DOCS)}]
    if rng.random() < 0.5:
        blocks[0]["cache_control"] = (
            EPHEMERAL if system_ttl is not ONE_HOUR or rng.random() < 0.5 else ONE_HOUR
        )
    for i in range(rng.randint(0, 25)):
        blocks.append({"type": "text", "text": f"Note {i}: {rng.randint(0, 2)}"})
    blocks[-1] = {**blocks[-1], "cache_control": EPHEMERAL}
    return {"system": [system], "messages": [{"role": "user", "content": blocks}]}


def test_same_seed_same_requests_same_bytes() -> None:
    rng = random.Random(7)
    requests = [_random_request(rng) for _ in range(40)]
    outputs = []
    for _ in range(2):
        pipeline, clock = _pipeline()
        replies = []
        for params in requests:
            clock.advance(seconds=45)
            body = orjson.dumps({"model": SONNET, "max_tokens": 32, **params})
            replies.append(message_bytes(pipeline.messages(body, HEADERS).reply))
        outputs.append(replies)
    assert outputs[0] == outputs[1]
    usages = [orjson.loads(r)["usage"] for r in outputs[0]]
    assert any(u["cache_read_input_tokens"] for u in usages) and any(
        u["cache_creation_input_tokens"] for u in usages
    )


@pytest.mark.parametrize("seed", range(3))
def test_eviction_only_ever_turns_a_hit_into_a_miss(seed: int) -> None:
    rng = random.Random(seed)
    unbounded, clock_u = _pipeline()
    bounded, clock_b = _pipeline(cache_max_entries=3)
    differed = 0
    for _ in range(120):
        params = _random_request(rng)
        step = rng.choice([0, 5, 30, 200, 400])
        clock_u.advance(seconds=step)
        clock_b.advance(seconds=step)
        free, capped = _send(unbounded, params), _send(bounded, params)
        # The same breakpoints are served either way: only the split of the cached part may move from read to write.
        assert capped.input_tokens == free.input_tokens
        assert capped.cache_read_input_tokens + capped.cache_creation_input_tokens == (
            free.cache_read_input_tokens + free.cache_creation_input_tokens
        )
        assert capped.cache_read_input_tokens <= free.cache_read_input_tokens
        differed += capped.cache_read_input_tokens < free.cache_read_input_tokens
    assert len(bounded.cache.store) <= 3
    assert differed > 0  # the cap really bit


def test_a_block_is_keyed_by_where_it_sits() -> None:
    pipeline, _ = _pipeline()
    text = long_text(2000, "same-")
    as_system = {
        "system": [{"type": "text", "text": text, "cache_control": EPHEMERAL}],
        "messages": [{"role": "user", "content": "Hi"}],
    }
    as_message = {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": text, "cache_control": EPHEMERAL}]}
        ]
    }
    assert _send(pipeline, as_system).cache_creation_input_tokens > 0
    assert (
        _send(pipeline, as_message).cache_read_input_tokens == 0
    )  # the same text in another part: a new prefix
    assert _send(pipeline, as_message).cache_read_input_tokens > 0


def test_a_nested_breakpoint_caches_through_its_enclosing_block() -> None:
    pipeline, _ = _pipeline()
    result = {
        "type": "tool_result",
        "tool_use_id": "toolu_01",
        "content": [{"type": "text", "text": long_text(2000, "result-"), "cache_control": EPHEMERAL}],
    }
    params = {
        "tools": [{"name": "read", "input_schema": {"type": "object"}}],
        "messages": [
            {"role": "user", "content": "Read it."},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "toolu_01", "name": "read", "input": {}}],
            },
            {"role": "user", "content": [result, {"type": "text", "text": "Now summarise."}]},
        ],
    }
    first, second = _send(pipeline, params), _send(pipeline, params)
    assert first.cache_creation_input_tokens > 2048 and first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.input_tokens == first.input_tokens > 0  # "Now summarise." and the framing stay uncached


def test_scope_covers_model_aliases() -> None:
    pipeline, _ = _pipeline()
    params = {
        "system": [{"type": "text", "text": long_text(2000), "cache_control": EPHEMERAL}],
        "messages": [{"role": "user", "content": "Hi"}],
    }
    body = {"max_tokens": 8, **params}
    write = pipeline.messages(
        orjson.dumps({"model": "claude-haiku-4-5-20251001", **body}), HEADERS
    ).reply.usage
    read = pipeline.messages(orjson.dumps({"model": "claude-haiku-4-5", **body}), HEADERS).reply.usage
    assert write.cache_creation_input_tokens == 0  # ~3,000 tokens: below Haiku 4.5's 4,096
    assert read.cache_read_input_tokens == 0
    long_body = {
        "max_tokens": 8,
        "system": [{"type": "text", "text": long_text(3000), "cache_control": EPHEMERAL}],
        "messages": [{"role": "user", "content": "Hi"}],
    }
    write = pipeline.messages(
        orjson.dumps({"model": "claude-haiku-4-5-20251001", **long_body}), HEADERS
    ).reply.usage
    read = pipeline.messages(orjson.dumps({"model": "claude-haiku-4-5", **long_body}), HEADERS).reply.usage
    assert (
        write.cache_creation_input_tokens > 4096
        and read.cache_read_input_tokens == write.cache_creation_input_tokens
    )


def test_store_and_cache_reject_nonsense_settings() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        CacheStore(0)
    with pytest.raises(ValueError, match="ttft_scale"):
        PromptCache(ManualClock(), ttft_scale=-1)


def test_expired_entries_leave_the_admin_view() -> None:
    pipeline, clock = _pipeline()
    params = {
        "system": [{"type": "text", "text": long_text(2000), "cache_control": EPHEMERAL}],
        "messages": [{"role": "user", "content": "Hi"}],
    }
    _send(pipeline, params)
    assert pipeline.cache.snapshot()["entries"] == 1
    clock.advance(minutes=5)
    view = pipeline.cache.snapshot()
    assert view["entries"] == 0 and view["expirations"] == 1 and view["data"] == []


def test_large_caps_are_sharded_yet_bounded_and_ordered() -> None:
    store = CacheStore(20_000)  # 4 shards of 5,000: each an exact LRU
    scope = ("sk", "m")
    keys = [hashlib.blake2b(str(i).encode(), digest_size=16).digest() for i in range(60_000)]
    for key in keys:
        store.write(key, CacheEntry(scope, 1, 300.0, 0.0, 0.0))
    assert 19_000 <= len(store) <= 20_000
    assert store.evictions == 60_000 - len(store)
    assert store.live(keys[-1], 1.0) is not None and store.live(keys[0], 1.0) is None
    recency = [entry.used for _, entry in store.items()]
    assert recency == sorted(recency, reverse=True)
    small = CacheStore(3)  # small caps: one exact LRU
    for key in keys[:4]:
        small.write(key, CacheEntry(scope, 1, 300.0, 0.0, 0.0))
    assert [k for k, _ in small.items()] == keys[3:0:-1]
