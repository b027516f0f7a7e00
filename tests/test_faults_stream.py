"""Stream faults acted out by the server, seen through the official SDK: a mid-stream ``event: error``, dropped
connections, a malformed frame, an empty body, stalls (the client's own timeout trips) and slow headers; and a
client that leaves mid-stream costs the server nothing (model/faults.py has the table of faults)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from mockclaude.clock import ManualClock
from mockclaude.engine.core import Engine
from mockclaude.model.faults import Latency
from mockclaude.pipeline import Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp
from tests.sdk_compat import BODY_DROP_ERROR, BODY_TIMEOUT_ERROR

MODEL = "claude-sonnet-4-6"


@pytest.fixture(scope="module")
def srv() -> Iterator[ServerThread]:
    with ServerThread(create_app(Settings(seed=11))) as server:
        yield server


@pytest.fixture
def engine(srv: ServerThread) -> Iterator[Engine]:
    eng = srv.app[PIPELINE].engine
    eng.reset()
    yield eng
    eng.reset()


def sdk(srv: ServerThread, retries: int = 0, **kw: Any) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=srv.url, api_key="sk-faults", max_retries=retries, **kw)


def params(text: str, **kw: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 256, "messages": [{"role": "user", "content": text}], **kw}


def fault(engine: Engine, text: str, **spec: Any) -> None:
    reply: dict[str, Any] = {
        "text": "One two three four five six seven eight nine ten eleven twelve.",
        "fault": spec,
    }
    engine.stubs.add({"match": {"last_user_text": text}, "reply": reply})


def debug(srv: ServerThread) -> dict[str, int]:
    response = rawhttp.request("GET", srv.url + "/_mock/debug", default_headers=False)
    result: dict[str, int] = response.json()
    return result


def settled(srv: ServerThread, *, active: int = 0, timeout: float = 3.0) -> dict[str, int]:
    """Poll the server until no stream is active (the server notices a departed client within ~0.05 s)."""
    deadline = time.monotonic() + timeout
    state = debug(srv)
    while state["active_streams"] != active and time.monotonic() < deadline:
        time.sleep(0.02)
        state = debug(srv)
    return state


# -- mid-stream error ----------------------------------------------------------------------------------------------
def test_mid_stream_error_raises_in_the_stream_consumer(srv: ServerThread, engine: Engine) -> None:
    fault(engine, "break mid-stream", kind="stream_error", after_events=4)
    seen: list[str] = []
    with (
        pytest.raises(anthropic.APIStatusError) as caught,
        sdk(srv, retries=2).messages.stream(**params("break mid-stream")) as stream,
    ):
        for event in stream:
            seen.append(event.type)
    err = caught.value
    assert (
        type(err) is anthropic.APIStatusError
    )  # chosen by the HTTP status (200), not OverloadedError (§4.5)
    assert err.status_code == 200 and err.type == "overloaded_error" and err.api_message == "Overloaded"
    assert seen[0] == "message_start" and "message_stop" not in seen
    assert len(srv.app[PIPELINE].journal.entries()) >= 1
    # Not retried: the SDK never retries a stream that already started.
    assert sum(1 for e in srv.app[PIPELINE].journal.entries() if "break mid-stream" in str(e.body)) == 1


async def test_mid_stream_error_async(srv: ServerThread, engine: Engine) -> None:
    fault(engine, "async break", kind="stream_error", after_events=3, error_type="api_error", message="boom")
    client = anthropic.AsyncAnthropic(base_url=srv.url, api_key="sk-faults", max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as caught:
        async with client.messages.stream(**params("async break")) as stream:
            async for _ in stream:
                pass
    assert caught.value.type == "api_error" and caught.value.api_message == "boom"


def test_mid_stream_error_on_the_wire(srv: ServerThread, engine: Engine) -> None:
    fault(engine, "wire break", kind="stream_error", after_events=2)
    response = rawhttp.post(srv.url + "/v1/messages", json_body=params("wire break", stream=True))
    assert response.status == 200
    frames = response.text.strip().split("\n\n")
    assert [f.split("\n")[0] for f in frames] == [
        "event: message_start",
        "event: content_block_start",
        "event: error",
    ]
    error = json.loads(frames[-1].split("data: ", 1)[1])
    assert error == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
        "request_id": response.headers["request-id"],
    }


def test_a_stream_error_fault_on_a_non_streaming_request_is_a_json_error(
    srv: ServerThread, engine: Engine
) -> None:
    fault(engine, "json break", kind="stream_error")
    with pytest.raises(anthropic.OverloadedError):
        sdk(srv).messages.create(**params("json break"))


# -- dropped connections -------------------------------------------------------------------------------------------
def test_drop_before_headers_is_a_connection_error_the_sdk_retries(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add(
        {
            "match": {"last_user_text": "drop once"},
            "sequence": [{"fault": {"kind": "drop"}}, {"text": "back again"}],
            "exhausted": "repeat_last",
        }
    )
    with pytest.raises(anthropic.APIConnectionError):
        sdk(srv).messages.create(**params("drop once"))
    assert sdk(srv).messages.create(**params("drop once")).content[0].text == "back again"
    engine.stubs.clear()
    engine.stubs.add(
        {
            "match": {"last_user_text": "drop then retry"},
            "sequence": [{"fault": {"kind": "drop"}}, {"text": "after the retry"}],
            "exhausted": "repeat_last",
        }
    )
    assert (
        sdk(srv, retries=1).messages.create(**params("drop then retry")).content[0].text == "after the retry"
    )


def sent(srv: ServerThread, text: str) -> int:
    """How many requests with this last user text reached the server (the journal's view of retries)."""
    return sum(1 for entry in srv.app[PIPELINE].journal.entries() if text in str(entry.body))


def test_drop_after_n_events(srv: ServerThread, engine: Engine) -> None:
    """A stream cut after its headers: the SDK raises (its own APIConnectionError from 2.17.0, the transport's
    error before, see tests/sdk_compat.py) after yielding what did arrive, and re-sends nothing, even with
    retries left: a stream is never retried once its body has started."""
    fault(engine, "drop later", kind="drop", after_events=3)
    seen: list[str] = []
    with (
        pytest.raises(BODY_DROP_ERROR),
        sdk(srv, retries=2).messages.stream(**params("drop later")) as stream,
    ):
        for event in stream:
            seen.append(event.type)
    assert seen == ["message_start", "content_block_start"]  # the third event was the ping (not yielded)
    assert sent(srv, "drop later") == 1


def test_malformed_frame(srv: ServerThread, engine: Engine) -> None:
    fault(engine, "garble", kind="malformed", after_events=4)
    with pytest.raises(json.JSONDecodeError), sdk(srv).messages.stream(**params("garble")) as stream:
        for _ in stream:
            pass
    with pytest.raises(json.JSONDecodeError):  # the non-streaming form: a truncated JSON body
        sdk(srv).messages.create(**params("garble"))


def test_empty_body(srv: ServerThread, engine: Engine) -> None:
    fault(engine, "nothing", kind="empty_body")
    streamed = rawhttp.post(srv.url + "/v1/messages", json_body=params("nothing", stream=True))
    assert streamed.status == 200 and streamed.content == b""
    assert streamed.headers["content-type"].startswith("text/event-stream")
    with sdk(srv).messages.stream(**params("nothing")) as stream:
        assert list(stream) == []
    plain = rawhttp.post(srv.url + "/v1/messages", json_body=params("nothing"))
    assert (
        plain.status == 200 and plain.content == b"" and plain.headers["content-type"] == "application/json"
    )


# -- stalls ----------------------------------------------------------------------------------------------------
def test_a_stall_trips_the_clients_timeout_and_costs_nothing(srv: ServerThread, engine: Engine) -> None:
    fault(engine, "stall forever", kind="stall", after_events=2)
    before = debug(srv)
    client = sdk(srv, timeout=0.5)
    start = time.perf_counter()
    seen: list[str] = []
    with pytest.raises(BODY_TIMEOUT_ERROR), client.messages.stream(**params("stall forever")) as stream:
        for event in stream:
            seen.append(event.type)
    assert 0.5 <= time.perf_counter() - start < 3
    assert seen == ["message_start", "content_block_start"]
    after = settled(srv)
    assert after["active_streams"] == 0
    assert after["disconnects"] == before["disconnects"] + 1
    # A stall before the headers (non-streaming): the SDK's own timeout error.
    with pytest.raises(anthropic.APITimeoutError):
        sdk(srv, timeout=0.5).messages.create(**params("stall forever"))
    assert settled(srv)["active_streams"] == 0


def test_timed_stall_and_slow_headers_follow_the_manual_clock() -> None:
    clock = ManualClock()
    with ServerThread(create_app(Settings(seed=11, clock=clock))) as server:
        eng = server.app[PIPELINE].engine
        fault(eng, "pause", kind="stall", after_events=3, stall_ms=90_000)
        fault(eng, "slow start", kind="slow_headers", stall_ms=4_500)
        client = sdk(server)
        start = clock.now()
        with client.messages.stream(**params("pause")) as stream:
            message = stream.get_final_message()
        assert message.stop_reason == "end_turn"  # the stream carries on after the stall
        assert clock.now() - start == pytest.approx(90.0)
        start = clock.now()
        assert client.messages.create(**params("slow start")).content
        assert clock.now() - start == pytest.approx(4.5)


# -- departed clients ---------------------------------------------------------------------------------------------
def test_a_client_leaving_mid_stream_leaves_no_task_and_no_log(caplog: pytest.LogCaptureFixture) -> None:
    # A slow stream on the real clock: 30 deltas at 20 tokens/s scaled by 0.2 -> ~0.3 s+; the client leaves early.
    settings = Settings(seed=11, time_scale=0.2, latency=Latency(ttft_ms=0, tokens_per_second=20))
    with caplog.at_level(logging.WARNING), ServerThread(create_app(settings)) as server:
        client = sdk(server)
        rawhttp.request("GET", server.url + "/_mock/debug", default_headers=False)
        baseline = debug(server)["tasks"]
        for _ in range(5):
            with client.messages.stream(**params("leave early")) as stream:
                for event in stream:
                    if event.type == "content_block_delta":
                        break  # closing the stream closes the connection
        state = settled(server)
        assert state["active_streams"] == 0 and state["disconnects"] == 5
        assert debug(server)["tasks"] <= baseline
    noisy = [r for r in caplog.records if r.name.startswith(("aiohttp", "mockclaude", "asyncio"))]
    assert noisy == []
