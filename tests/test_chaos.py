"""Chaos mode: a seeded, realistic mix of 429, 529, 500 and stream faults at a chosen rate."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from mockclaude.engine.chaos import DEFAULT_MIX, Chaos, ChaosConfig
from mockclaude.pipeline import Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp
from tests.sdk_compat import BODY_DROP_ERROR

MODEL = "claude-sonnet-4-6"


def params(text: str, **kw: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": text}], **kw}


def status_of(url: str, text: str) -> int:
    """The HTTP status of one raw request; 0 when chaos dropped the connection before the headers."""
    try:
        return rawhttp.post(url + "/v1/messages", json_body=params(text)).status
    except ConnectionError:
        return 0


def test_decisions_are_a_pure_function_of_seed_fingerprint_and_occurrence() -> None:
    config = ChaosConfig(rate=0.3)
    a, b = Chaos(1, config), Chaos(1, config)
    keys = [f"fp{i}" for i in range(4_000)]
    first = [a.decide(k, 0, stream=True) for k in keys]
    # Interleaving other decisions changes nothing (no shared RNG stream).
    for k in reversed(keys):
        b.decide(k, 5, stream=False)
    second = [b.decide(k, 0, stream=True) for k in keys]
    assert [d and d.kind for d in first] == [d and d.kind for d in second]
    failed = [d for d in first if d is not None]
    assert 0.27 < len(failed) / len(keys) < 0.33
    shares = Counter(d.kind for d in failed)
    for kind, share in DEFAULT_MIX.items():
        assert abs(shares[kind] / len(failed) - share) < 0.05, (kind, shares)
    other_seed = [Chaos(2, config).decide(k, 0, stream=True) for k in keys]
    assert [d and d.kind for d in other_seed] != [d and d.kind for d in first]


def test_what_each_kind_looks_like() -> None:
    chaos = Chaos(0, ChaosConfig(rate=1.0, retry_after_ms=1))
    seen: dict[str, Any] = {}
    for i in range(200):
        for stream in (True, False):
            decision = chaos.decide(f"k{i}", 0, stream=stream)
            assert decision is not None
            seen.setdefault((decision.kind, stream), decision)
    assert seen[("overloaded_error", True)].error.status == 529
    limited = seen[("rate_limit_error", True)].error
    assert limited.status == 429 and limited.headers == {"retry-after": "1", "retry-after-ms": "1"}
    assert seen[("api_error", False)].error.status == 500
    assert seen[("stream_error", True)].fault.kind == "stream_error"
    assert (
        seen[("stream_error", False)].error.status == 529
    )  # a non-streaming request fails before its answer
    assert seen[("drop", True)].fault.after_events >= 1
    assert seen[("drop", False)].fault.after_events is None  # before the headers


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        ChaosConfig(rate=1.5)
    with pytest.raises(ValueError, match="unknown kinds"):
        ChaosConfig(rate=0.1, mix={"meteor": 1.0})
    assert Chaos(0, ChaosConfig(rate=0.0)).decide("k", 0, stream=True) is None


@pytest.fixture(scope="module")
def chaotic() -> Iterator[ServerThread]:
    settings = Settings(seed=21, chaos=ChaosConfig(rate=0.4, retry_after_ms=1))
    with ServerThread(create_app(settings)) as server:
        yield server


def test_retrying_clients_get_through_and_the_journal_shows_the_failures(chaotic: ServerThread) -> None:
    client = anthropic.Anthropic(base_url=chaotic.url, api_key="sk-chaos", max_retries=6)
    journal = chaotic.app[PIPELINE].journal
    journal.clear()
    for i in range(30):
        assert client.messages.create(**params(f"question {i}")).content
    statuses = Counter(entry.status for entry in journal.entries())
    assert statuses[200] == 30
    assert statuses[529] + statuses[429] + statuses[500] >= 5  # ~40 % of the first tries fail
    assert set(statuses) <= {200, 429, 500, 529}


def test_streams_meet_stream_faults(chaotic: ServerThread) -> None:
    client = anthropic.Anthropic(base_url=chaotic.url, api_key="sk-chaos", max_retries=0)
    outcomes: Counter[str] = Counter()
    for i in range(60):
        try:
            with client.messages.stream(**params(f"stream {i}")) as stream:
                stream.get_final_message()
            outcomes["ok"] += 1
        except anthropic.APIStatusError as err:
            outcomes["mid-stream error" if err.status_code == 200 else str(err.status_code)] += 1
        except (BODY_DROP_ERROR, anthropic.APIConnectionError):  # after or before the headers
            outcomes["dropped"] += 1
    assert outcomes["ok"] > 20
    assert outcomes["mid-stream error"] + outcomes["dropped"] > 0, outcomes


def test_same_seed_same_failures() -> None:
    def statuses() -> list[int]:
        with ServerThread(create_app(Settings(seed=4, chaos=0.5))) as server:
            return [status_of(server.url, f"same {i % 5}") for i in range(20)]

    first = statuses()
    assert first == statuses()
    assert set(first) - {200}


def test_serve_chaos_flag() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockclaude",
            "serve",
            "--port",
            "0",
            "--chaos",
            "1",
            "--seed",
            "3",
            "--rate-limit",
            "tier1",
            "--time-scale",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            if "serving the Claude Messages API at" in line:
                url = line.split(" at ")[1].split()[0]
                break
        assert url
        statuses = {status_of(url, f"anything {i}") for i in range(12)}
        assert statuses <= {0, 429, 500, 529} and len(statuses) > 1  # every request fails, in several ways
        response = rawhttp.request("GET", url + "/v1/models")
        assert response.headers["anthropic-ratelimit-requests-limit"] == "50"  # --rate-limit tier1
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
