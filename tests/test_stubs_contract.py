"""The engine contract other layers build on: StubRegistry, sequences mixing errors and replies, strict mode,
near misses, callbacks, scenarios, priorities — driven through the official SDK against a private server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from mockclaude.engine.core import Engine
from mockclaude.engine.issues import ScriptError
from mockclaude.model.faults import Fault, Latency
from mockclaude.pipeline import Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp

MODEL = "claude-sonnet-4-6"


@pytest.fixture(scope="module")
def srv() -> Iterator[ServerThread]:
    with ServerThread(create_app(Settings(seed=0))) as server:
        yield server


@pytest.fixture
def engine(srv: ServerThread) -> Iterator[Engine]:
    eng = srv.app[PIPELINE].engine
    eng.reset()
    eng.strict = False
    yield eng
    eng.reset()
    eng.strict = False


def sdk(srv: ServerThread, retries: int = 0) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=srv.url, api_key="sk-test", max_retries=retries)


def ask(client: anthropic.Anthropic, text: str, **kw: Any) -> anthropic.types.Message:
    return client.messages.create(
        model=MODEL, max_tokens=256, messages=[{"role": "user", "content": text}], **kw
    )


def test_text_reply_with_template(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add(
        {
            "match": {"last_user_text": {"contains": "echo"}},
            "reply": {"text": "You said: {{ last_user_text }}"},
        }
    )
    message = ask(sdk(srv), "echo this")
    assert message.content[0].type == "text" and message.content[0].text == "You said: echo this"
    assert message.stop_reason == "end_turn" and message.usage.output_tokens > 0


def test_sequence_of_errors_then_success_is_retried_by_the_sdk(srv: ServerThread, engine: Engine) -> None:
    fast = {"retry-after-ms": "1"}  # 0 would make the SDK use its own backoff
    engine.stubs.add(
        {
            "name": "flaky",
            "match": {"last_user_text": "flaky"},
            "sequence": [
                {"error": {"type": "overloaded_error", "headers": fast}},
                {"error": {"type": "overloaded_error", "headers": fast}},
                {"text": "finally"},
            ],
            "exhausted": "error",
        }
    )
    message = ask(sdk(srv, retries=2), "flaky")
    assert message.content[0].text == "finally"
    (listed,) = engine.stubs.list()
    assert listed["matched"] == 3 and listed["remaining"] == 0
    # A fourth request: the sequence is exhausted with policy "error": a 400 the SDK does not retry.
    with pytest.raises(anthropic.BadRequestError) as info:
        ask(sdk(srv, retries=2), "flaky")
    assert "exhausted" in info.value.api_message
    assert info.value.response.headers["x-should-retry"] == "false"


def test_scripted_error_status_message_and_headers(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add(
        {
            "reply": {
                "error": {
                    "type": "rate_limit_error",
                    "message": "slow down, {{ model }}",
                    "headers": {"retry-after": 7, "x-should-retry": False},
                }
            }
        }
    )
    with pytest.raises(anthropic.RateLimitError) as info:
        ask(sdk(srv, retries=2), "hi")
    err = info.value
    assert err.status_code == 429 and err.type == "rate_limit_error"
    assert err.api_message == "slow down, claude-sonnet-4-6"
    assert err.response.headers["retry-after"] == "7"
    assert err.response.headers["x-should-retry"] == "false"


def test_error_status_override(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add({"reply": {"error": {"type": "api_error", "status": 503, "message": "down"}}})
    with pytest.raises(anthropic.APIStatusError) as info:
        ask(sdk(srv), "hi")
    assert info.value.status_code == 503 and info.value.type == "api_error"


def test_fault_and_latency_reach_the_reply(engine: Engine) -> None:
    from mockclaude.pipeline import Pipeline

    pipeline = Pipeline(Settings(seed=0))
    pipeline.engine.stubs.add(
        {
            "reply": {
                "text": "hi",
                "fault": {"kind": "stall", "after_events": 2, "stall_ms": 5},
                "latency": {"ttft_ms": 10, "tokens_per_second": 50},
            }
        }
    )
    body = b'{"model": "claude-sonnet-4-6", "max_tokens": 10, "stream": true, "messages": [{"role": "user", "content": "x"}]}'
    served = pipeline.messages(body, {"x-api-key": "k", "anthropic-version": "2023-06-01"})
    assert served.reply.fault == Fault(kind="stall", after_events=2, stall_ms=5)
    assert served.reply.latency == Latency(ttft_ms=10, tokens_per_second=50)


def test_strict_mode_names_the_nearest_stubs(srv: ServerThread, engine: Engine) -> None:
    engine.strict = True
    engine.stubs.add(
        {
            "name": "weather",
            "match": {"last_user_text": {"contains": "weather"}, "model": MODEL},
            "reply": {"text": "sunny"},
        }
    )
    engine.stubs.add({"name": "other-model", "match": {"model": "claude-opus-4-6"}, "reply": {"text": "x"}})
    with pytest.raises(anthropic.BadRequestError) as info:
        ask(sdk(srv, retries=2), "what's the time?")
    message = info.value.api_message
    assert message.startswith("mockclaude: no stub matched")
    assert "'weather'" in message and 'expected contains "weather"' in message
    assert "'other-model'" in message and 'model: expected equals "claude-opus-4-6"' in message
    (entry,) = engine.unmatched
    assert entry["served"] == "error" and entry["near_misses"][0]["name"] == "weather"
    # the same reasons, through near_misses(req)
    assert [m["name"] for m in entry["near_misses"]] == ["weather", "other-model"]


def test_unmatched_requests_fall_back_to_generation_and_are_recorded(
    srv: ServerThread, engine: Engine
) -> None:
    engine.stubs.add({"name": "only-hello", "match": {"last_user_text": "hello"}, "reply": {"text": "hey"}})
    message = ask(sdk(srv), "something else")
    assert message.content[0].text and message.content[0].text != "hey"
    (entry,) = engine.unmatched
    assert entry["served"] == "generated"
    assert entry["near_misses"][0]["reasons"] == [
        'last_user_text: expected equals "hello", got "something else"'
    ]


def test_times_once_and_unused(srv: ServerThread, engine: Engine) -> None:
    once = engine.stubs.add({"name": "once", "times": 1, "reply": {"text": "first"}, "priority": 1})
    twice = engine.stubs.add({"name": "twice", "times": 2, "reply": {"text": "next"}})
    assert {s.id for s in engine.stubs.unused()} == {once.id, twice.id}
    client = sdk(srv)
    assert [ask(client, "x").content[0].text for _ in range(3)] == ["first", "next", "next"]
    assert engine.stubs.unused() == []
    assert ask(client, "x").content[0].text not in ("first", "next")  # used up: generated


def test_ordered_stubs_are_used_in_order(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add(
        {"name": "a", "ordered": True, "match": {"last_user_text": "one"}, "reply": {"text": "A"}}
    )
    engine.stubs.add(
        {"name": "b", "ordered": True, "match": {"last_user_text": "two"}, "reply": {"text": "B"}}
    )
    engine.strict = True
    with pytest.raises(anthropic.BadRequestError) as info:
        ask(sdk(srv), "two")  # b waits for a
    assert "waits for 'a'" in info.value.api_message
    assert ask(sdk(srv), "one").content[0].text == "A"
    assert ask(sdk(srv), "two").content[0].text == "B"


def test_priority_higher_first_then_load_order(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add({"name": "first-loaded", "reply": {"text": "1"}})
    engine.stubs.add({"name": "second-loaded", "reply": {"text": "2"}})
    assert ask(sdk(srv), "x").content[0].text == "1"
    engine.stubs.add({"name": "urgent", "priority": 5, "reply": {"text": "5"}})
    assert ask(sdk(srv), "x").content[0].text == "5"
    assert [s["name"] for s in engine.stubs.list()] == ["urgent", "first-loaded", "second-loaded"]


def test_remove_and_clear(srv: ServerThread, engine: Engine) -> None:
    stub = engine.stubs.add({"reply": {"text": "x"}})
    assert engine.stubs.remove(stub.id) is True
    assert engine.stubs.remove(stub.id) is False
    engine.stubs.add({"reply": {"text": "x"}})
    engine.stubs.clear()
    assert engine.stubs.list() == []


def test_scenarios_require_and_set(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add(
        {"scenario": "door", "requires": "started", "sets": "open", "reply": {"text": "opening"}}
    )
    engine.stubs.add({"scenario": "door", "requires": "open", "sets": "closed", "reply": {"text": "closing"}})
    client = sdk(srv)
    assert ask(client, "x").content[0].text == "opening"
    assert engine.scenarios.get("door") == "open"
    assert ask(client, "x").content[0].text == "closing"
    assert engine.scenarios.snapshot() == {"door": "closed"}
    engine.scenarios.set("door", "open")
    assert ask(client, "x").content[0].text == "closing"
    engine.scenarios.reset()
    assert engine.scenarios.get("door") == "started"


def test_callback_reply_and_callback_errors(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add(
        {
            "match": {"last_user_text": "fn"},
            "reply": lambda req: {"text": f"{len(req.params.messages)} message(s)"},
        }
    )
    assert ask(sdk(srv), "fn").content[0].text == "1 message(s)"

    def broken(req: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    engine.stubs.add({"match": {"last_user_text": "broken"}, "reply": broken})
    with pytest.raises(anthropic.InternalServerError) as info:
        ask(sdk(srv, retries=2), "broken")
    assert info.value.status_code == 500 and info.value.type == "api_error"
    assert info.value.response.headers["x-should-retry"] == "false"
    (error,) = engine.callback_errors  # once: the SDK did not retry
    assert "boom" in error["error"] and "RuntimeError" in error["traceback"]
    engine.stubs.add({"match": {"last_user_text": "bad"}, "reply": lambda req: {"nonsense": 1}})
    with pytest.raises(anthropic.InternalServerError):
        ask(sdk(srv), "bad")
    assert "unknown key 'nonsense'" in engine.callback_errors[-1]["error"]


def test_add_rejects_unknown_keys_with_every_problem(engine: Engine) -> None:
    with pytest.raises(ScriptError) as info:
        engine.stubs.add(
            {
                "name": "bad",
                "mach": {},
                "match": {"last_user_txt": "x", "model": {"regex": "("}},
                "reply": {"content": [{"type": "txt", "text": "x"}], "stop_reason": "done"},
            }
        )
    text = str(info.value)
    for needle in (
        "unknown stub key 'mach'",
        "unknown match key 'last_user_txt'",
        "match.model.regex: invalid regular expression",
        "unknown content block type 'txt'",
        "unknown stop_reason 'done'",
    ):
        assert needle in text, needle
    assert all(issue.stub == "bad" for issue in info.value.issues)
    assert engine.stubs.list() == []


def test_reset_keeps_nothing(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add({"scenario": "s", "sets": "x", "reply": {"text": "x"}})
    ask(sdk(srv), "x")
    engine.reset()
    assert engine.stubs.list() == [] and engine.scenarios.snapshot() == {} and engine.unmatched == []


def test_raw_http_stream_and_json_agree_for_a_scripted_reply(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add({"reply": {"text": "same bytes"}})
    body = {"model": MODEL, "max_tokens": 20, "messages": [{"role": "user", "content": "x"}]}
    plain = rawhttp.post(f"{srv.url}/v1/messages", json_body=body)
    streamed = rawhttp.post(f"{srv.url}/v1/messages", json_body={**body, "stream": True})
    assert plain.json()["content"] == [{"type": "text", "text": "same bytes"}]
    assert streamed.text.count("event: message_stop") == 1
