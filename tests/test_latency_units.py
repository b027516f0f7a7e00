"""The latency model without a server: where the waits go, jitter, the clocks' sleep, and the data checks."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from mockclaude.clock import ManualClock, SystemClock, sleep
from mockclaude.model.faults import Fault, Latency
from mockclaude.model.reply import Reply, ReplyBlock, Usage
from mockclaude.render.sse import frames
from mockclaude.server.pacing import jittered, plan_waits


def _reply(blocks: list[ReplyBlock], output_tokens: int = 30) -> Reply:
    return Reply(
        id="msg_x",
        model="claude-sonnet-4-6",
        blocks=blocks,
        stop_reason="end_turn",
        usage=Usage(input_tokens=5, output_tokens=output_tokens),
    )


def _text(*chunks: str) -> ReplyBlock:
    return ReplyBlock(
        final={"type": "text", "text": "".join(chunks)},
        start={"type": "text", "text": ""},
        deltas=[{"type": "text_delta", "text": c} for c in chunks],
    )


def _names(out: list[bytes]) -> list[str]:
    return [f.split(b"\n", 1)[0].decode().removeprefix("event: ") for f in out]


def test_waits_go_before_the_first_block_and_each_delta() -> None:
    reply = _reply([_text("Hello", " there, how are", " you")])
    out = frames(reply)
    waits = plan_waits(out, reply, Latency(ttft_ms=500, tokens_per_second=10), 1.0, seed=0)
    named = dict(zip(range(len(out)), _names(out), strict=True))
    assert named[0] == "message_start" and waits[0] == 0
    assert named[1] == "content_block_start" and waits[1] == pytest.approx(0.5)
    delta_waits = [w for i, w in enumerate(waits) if named[i] == "content_block_delta"]
    assert sum(delta_waits) == pytest.approx(30 / 10)  # output_tokens / tokens_per_second in all
    assert delta_waits[1] > delta_waits[0]  # the longer delta weighs more
    others = [
        w for i, w in enumerate(waits) if named[i] not in ("content_block_delta", "content_block_start")
    ]
    assert others == [0.0] * len(others)
    scaled = plan_waits(out, reply, Latency(ttft_ms=500, tokens_per_second=10), 0.1, seed=0)
    assert sum(scaled) == pytest.approx(0.1 * sum(waits))
    assert plan_waits(out, reply, Latency(ttft_ms=500, tokens_per_second=10), 0.0, seed=0) == [0.0] * len(out)


def test_signature_deltas_weigh_nothing_and_replies_without_deltas_wait_before_message_delta() -> None:
    thinking = ReplyBlock(
        final={"type": "thinking", "thinking": "Hmm.", "signature": "Eq" + "A" * 300},
        start={"type": "thinking", "thinking": "", "signature": ""},
        deltas=[
            {"type": "thinking_delta", "thinking": "Hmm."},
            {"type": "signature_delta", "signature": "Eq" + "A" * 300},
        ],
    )
    reply = _reply([thinking], output_tokens=20)
    out = frames(reply)
    waits = plan_waits(out, reply, Latency(tokens_per_second=20), 1.0, seed=0)
    names = _names(out)
    assert waits[names.index("content_block_delta")] == pytest.approx(
        1.0
    )  # the thinking delta: all 20 tokens
    assert waits[len(names) - 1 - names[::-1].index("content_block_delta")] == 0  # the signature
    empty = _reply([], output_tokens=10)
    out = frames(empty)
    waits = plan_waits(out, empty, Latency(ttft_ms=100, tokens_per_second=10), 1.0, seed=0)
    assert waits[_names(out).index("message_delta")] == pytest.approx(0.1 + 1.0)


def test_tokens_per_delta() -> None:
    reply = _reply([_text("a", "b", "c", "d")], output_tokens=999)
    out = frames(reply)
    waits = plan_waits(out, reply, Latency(tokens_per_second=4, tokens_per_delta=2), 1.0, seed=0)
    assert sum(waits) == pytest.approx(4 * 2 / 4)


def test_jitter_kinds() -> None:
    rng = random.Random(1)
    assert jittered(100, Latency(jitter="none"), rng) == 100
    assert jittered(100, Latency(jitter="fixed", jitter_ms=7), rng) == 107
    draws = [jittered(100, Latency(jitter="uniform", jitter_ms=10), rng) for _ in range(200)]
    assert min(draws) >= 100 and max(draws) <= 110 and len(set(draws)) > 100
    logs = sorted(jittered(100, Latency(jitter="lognormal", jitter_sigma=0.5), rng) for _ in range(2_001))
    assert 85 < logs[1_000] < 115 and logs[-1] > 200 and logs[0] > 0  # median ~100, a long right tail


def test_jitter_is_seeded_per_reply() -> None:
    reply = _reply([_text("one", " two", " three")])
    out = frames(reply)
    latency = Latency(ttft_ms=300, tokens_per_second=10, jitter="lognormal", jitter_sigma=0.4)
    assert plan_waits(out, reply, latency, 1.0, seed=0) == plan_waits(out, reply, latency, 1.0, seed=0)
    assert plan_waits(out, reply, latency, 1.0, seed=0) != plan_waits(out, reply, latency, 1.0, seed=1)


def test_clocks_sleep() -> None:
    manual = ManualClock()
    start = manual.now()
    t0 = time.perf_counter()
    asyncio.run(sleep(manual, 3_600))
    assert manual.now() - start == 3_600 and time.perf_counter() - t0 < 1
    system = SystemClock()
    t0 = time.perf_counter()
    asyncio.run(sleep(system, 0.02))
    assert time.perf_counter() - t0 >= 0.02

    class Bare:
        def now(self) -> float:
            return 0.0

    asyncio.run(sleep(Bare(), 0.0))  # a clock without sleep falls back to asyncio.sleep


def test_fault_and_latency_values_are_checked() -> None:
    with pytest.raises(ValueError, match="kind"):
        Fault("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="after_events"):
        Fault("drop", after_events=-1)
    with pytest.raises(ValueError, match="error_type"):
        Fault("stream_error", error_type="bad_error")
    with pytest.raises(ValueError, match="stall_ms"):
        Fault("slow_headers")
    with pytest.raises(ValueError, match="tokens_per_second"):
        Latency(tokens_per_second=-1)
    with pytest.raises(ValueError, match="jitter"):
        Latency(jitter="gaussian")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ping_interval_ms"):
        Latency(ping_interval_ms=0)
    assert Latency().scale(0.5) == 0.5 and Latency(time_scale=2).scale(0.5) == 2
