"""Latency: time to first token, tokens per second, jitter, pings; driven by the clock so no test sleeps.

With a manual clock the server's waits advance virtual time instantly, so a test reads how long a reply "took"
from the clock; one test runs on the real clock with a tiny time scale to show the waits are real there.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from mockclaude.clock import ManualClock
from mockclaude.model.faults import Latency
from mockclaude.pipeline import Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp

PARAMS: dict[str, Any] = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 200,
    "messages": [{"role": "user", "content": "Tell me about latency."}],
}
SONNET_46 = {"ttft_ms": 600.0, "tps": 70.0}  # the catalog's figures for claude-sonnet-4-6


class Timed:
    """A server on its own manual clock."""

    def __init__(self, **settings: Any) -> None:
        self.clock = ManualClock()
        self.server = ServerThread(create_app(Settings(seed=5, clock=self.clock, **settings))).start()
        self.client = anthropic.Anthropic(base_url=self.server.url, api_key="sk-lat", max_retries=0)

    def took(self, fn: Any) -> tuple[Any, float]:
        before = self.clock.now()
        result = fn()
        return result, self.clock.now() - before

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture(scope="module")
def production() -> Iterator[Timed]:
    """time_scale 1: the catalog's per-model latency, on a manual clock."""
    timed = Timed(time_scale=1.0)
    yield timed
    timed.stop()


def test_stream_takes_ttft_plus_output_over_tokens_per_second(production: Timed) -> None:
    def stream() -> anthropic.types.Message:
        with production.client.messages.stream(**PARAMS) as s:
            return s.get_final_message()

    message, took = production.took(stream)
    expected = SONNET_46["ttft_ms"] / 1000 + message.usage.output_tokens / SONNET_46["tps"]
    assert took == pytest.approx(expected, rel=1e-6)


def test_non_streaming_waits_the_whole_generation_time(production: Timed) -> None:
    params = {**PARAMS, "messages": [{"role": "user", "content": "A different question, please."}]}
    message, took = production.took(lambda: production.client.messages.create(**params))
    expected = SONNET_46["ttft_ms"] / 1000 + message.usage.output_tokens / SONNET_46["tps"]
    assert took == pytest.approx(expected, rel=1e-6)


def test_each_model_paces_at_its_own_speed(production: Timed) -> None:
    params = {**PARAMS, "model": "claude-haiku-4-5"}
    message, took = production.took(lambda: production.client.messages.create(**params))
    assert took == pytest.approx(0.350 + message.usage.output_tokens / 150.0, rel=1e-6)


def test_pacing_keeps_the_stream_bytes_and_parity(production: Timed) -> None:
    params = {**PARAMS, "messages": [{"role": "user", "content": "Parity under latency."}]}
    created = production.client.messages.create(**params)
    with production.client.messages.stream(**params) as s:
        streamed = s.get_final_message()
    assert [b.model_dump(exclude={"parsed_output"}) for b in streamed.content] == [
        b.model_dump() for b in created.content
    ]
    assert streamed.usage == created.usage
    # Same seed, with and without latency: byte-identical SSE (ids included).
    plain, paced = ServerThread(create_app(Settings(seed=5))).start(), Timed(time_scale=1.0)
    try:
        bodies = [
            rawhttp.post(url + "/v1/messages", json_body={**PARAMS, "stream": True}).content
            for url in (plain.url, paced.server.url)
        ]
        assert bodies[0] == bodies[1]
    finally:
        plain.stop()
        paced.stop()


def test_long_quiet_stretches_get_pings_at_the_real_interval() -> None:
    timed = Timed(time_scale=1.0, latency=Latency(ttft_ms=65_000, tokens_per_second=50))
    try:
        body, took = timed.took(
            lambda: (
                rawhttp.post(timed.server.url + "/v1/messages", json_body={**PARAMS, "stream": True}).content
            )
        )
        assert took >= 65
        events = [line for line in body.split(b"\n") if line.startswith(b"event: ")]
        # Pings at 30 s and 60 s of the 65 s wait, before the first content block; then the usual one after it.
        assert events[:4] == [
            b"event: message_start",
            b"event: ping",
            b"event: ping",
            b"event: content_block_start",
        ]
        assert events.count(b"event: ping") == 3
    finally:
        timed.stop()


def test_tokens_per_delta_and_time_scale_override() -> None:
    # The server runs at time_scale 0 (tests), but this latency brings its own scale.
    latency = Latency(ttft_ms=1_000, tokens_per_second=10, tokens_per_delta=2, time_scale=0.5)
    timed = Timed(latency=latency)
    try:
        body, took = timed.took(
            lambda: (
                rawhttp.post(timed.server.url + "/v1/messages", json_body={**PARAMS, "stream": True}).content
            )
        )
        deltas = body.count(b"event: content_block_delta")
        assert took == pytest.approx(0.5 * (1.0 + deltas * 2 / 10), rel=1e-6)
    finally:
        timed.stop()


@pytest.mark.parametrize("jitter", ["fixed", "uniform", "lognormal"])
def test_jitter_is_seeded(jitter: str) -> None:
    latency = Latency(ttft_ms=500, tokens_per_second=40, jitter=jitter, jitter_ms=30, jitter_sigma=0.5)  # type: ignore[arg-type]
    totals = []
    for _ in range(2):  # two fresh servers, same seed, same requests: the same pacing
        timed = Timed(latency=latency, time_scale=1.0)
        try:
            create = functools.partial(timed.client.messages.create, **PARAMS)
            runs = [timed.took(create) for _ in range(2)]
        finally:
            timed.stop()
        totals.append([took for _, took in runs])
    assert totals[0] == totals[1]
    message = runs[0][0]
    base = 0.5 + message.usage.output_tokens / 40
    if jitter == "fixed":
        assert totals[0][0] > base
    else:
        assert totals[0][0] != pytest.approx(base, rel=1e-9)
    if jitter != "fixed":
        assert totals[0][0] != totals[0][1]  # each occurrence draws its own jitter


def test_the_real_clock_really_waits() -> None:
    # 20 s of modelled time to first token at time_scale 0.005 = 0.1 s of real waiting.
    settings = Settings(seed=5, time_scale=0.005, latency=Latency(ttft_ms=20_000, tokens_per_second=0))
    with ServerThread(create_app(settings)) as srv:
        client = anthropic.Anthropic(base_url=srv.url, api_key="sk-lat", max_retries=0)
        client.messages.create(**PARAMS)  # warm up (tokenizer, faker)
        start = time.perf_counter()
        client.messages.create(**PARAMS)
        assert time.perf_counter() - start >= 0.1


def test_a_stub_scripts_its_own_latency() -> None:
    # The server runs at time_scale 0; the stub's latency carries its own scale, so only its replies are slow.
    timed = Timed()
    try:
        stubs = timed.server.app[PIPELINE].engine.stubs
        latency = {"ttft_ms": 2_000, "tokens_per_second": 25, "time_scale": 1}
        stubs.add(
            {"match": {"last_user_text": "slow one"}, "reply": {"text": "Slowly, then.", "latency": latency}}
        )
        slow = {**PARAMS, "messages": [{"role": "user", "content": "slow one"}]}
        message, took = timed.took(lambda: timed.client.messages.create(**slow))
        assert took == pytest.approx(2.0 + message.usage.output_tokens / 25, rel=1e-6)
        _, took = timed.took(lambda: timed.client.messages.create(**PARAMS))
        assert took == 0
    finally:
        timed.stop()
