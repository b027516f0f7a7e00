"""Regressions found by review: memoised state must never change what a later request or test sees."""

from __future__ import annotations

import base64
import json
from typing import Any

import anthropic

from mockclaude.clock import ManualClock
from mockclaude.pipeline import Pipeline, Settings
from mockclaude.render.message import message_json
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp

PLAIN = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


def _kinds(pipeline: Pipeline, body: bytes, headers: dict[str, str]) -> list[str]:
    return [b.final["type"] for b in pipeline.messages(body, headers).reply.blocks]


def test_the_plan_memo_keys_on_what_headers_decide() -> None:
    """Interleaved thinking (a beta header) changes the reply to the same body: no leak through the memo."""
    body = json.dumps(
        {
            "model": "claude-sonnet-4-5",
            "max_tokens": 4000,
            "thinking": {"type": "enabled", "budget_tokens": 2000},
            "tools": [TOOL],
            "messages": [
                {"role": "user", "content": "What is the weather in Paris?"},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": "Call the tool.", "signature": "sig"},
                        {
                            "type": "tool_use",
                            "id": "toolu_01",
                            "name": "get_weather",
                            "input": {"city": "Paris"},
                        },
                    ],
                },
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "20C"}],
                },
            ],
        }
    ).encode()
    beta = {**PLAIN, "anthropic-beta": "interleaved-thinking-2025-05-14"}
    alone = _kinds(Pipeline(Settings(verify_signatures=False)), body, beta)
    shared = Pipeline(Settings(verify_signatures=False))
    _kinds(shared, body, PLAIN)
    assert _kinds(shared, body, beta) == alone


def test_content_that_takes_the_time_follows_the_clock() -> None:
    body = json.dumps(
        {
            "model": "claude-sonnet-4-6",
            "max_tokens": 2000,
            "tools": [{"type": "web_fetch_20250910", "name": "web_fetch"}],
            "messages": [
                {"role": "user", "content": "Please fetch https://example.com/article and summarise it"}
            ],
        }
    ).encode()

    def retrieved(pipeline: Pipeline) -> Any:
        reply = message_json(pipeline.messages(body, PLAIN).reply)
        return next(
            b["content"]["retrieved_at"] for b in reply["content"] if b["type"] == "web_fetch_tool_result"
        )

    clock = ManualClock()
    pipeline = Pipeline(Settings(clock=clock))
    first = retrieved(pipeline)
    clock.advance(hours=24 * 40)
    later = retrieved(pipeline)
    assert later != first
    assert later == retrieved(Pipeline(Settings(clock=ManualClock(clock.now()))))


def test_editing_a_journal_entry_changes_no_later_reply() -> None:
    pipeline = Pipeline()
    body = json.dumps(
        {"model": "claude-sonnet-4-6", "max_tokens": 200, "messages": [{"role": "user", "content": "Hi"}]}
    ).encode()
    original = message_json(pipeline.messages(body, PLAIN).reply)["content"][0]["text"]
    entry = pipeline.journal.last
    assert entry is not None and entry.reply is not None
    entry.reply["content"][0]["text"] = "EDITED BY A TEST"
    assert message_json(pipeline.messages(body, PLAIN).reply)["content"][0]["text"] == original


def test_header_matchers_ignore_the_case_the_client_used() -> None:
    with ServerThread(create_app(Settings())) as server:
        pipeline = server.app[PIPELINE]
        pipeline.engine.stubs.add({"match": {"headers": {"x-client": "a"}}, "reply": {"text": "for a"}})
        body = {
            "model": "claude-sonnet-4-6",
            "max_tokens": 20,
            "messages": [{"role": "user", "content": "hi"}],
        }
        for name in ("x-client", "X-Client"):
            r = rawhttp.post(server.url + "/v1/messages", json_body=body, headers={name: "a"})
            assert r.json()["content"][0]["text"] == "for a", name
        client = anthropic.Anthropic(
            base_url=server.url, api_key="k", max_retries=0, default_headers={"X-Client": "a"}
        )
        assert client.messages.create(**body).content[0].text == "for a"  # type: ignore[arg-type,union-attr]


def _tiny_window_mock() -> Any:
    from mockclaude.mock import MockClaude
    from mockclaude.model.catalog import get_catalog

    catalog = get_catalog().copy()
    catalog.add(
        {
            "id": "tiny-new",
            "base": "claude-sonnet-4-5",
            "context_exceeded_stop": True,
            "context_window": 400,
            "max_output_tokens": 300,
        }
    )
    return MockClaude(settings=Settings(seed=0, clock=ManualClock(), catalog=catalog))


LONG = [{"role": "user", "content": " ".join(["alpha", "beta", "gamma", "delta"] * 85)}]


def test_stubs_and_callbacks_see_the_max_tokens_that_was_sent() -> None:
    """A 4.5+ model caps generation at the window's room, but matchers and callbacks see the request as sent."""
    with _tiny_window_mock() as mock:
        client = mock.client(max_retries=0)
        room = 400 - client.messages.count_tokens(model="tiny-new", messages=LONG).input_tokens
        assert 0 < room < 300  # so the window caps a max_tokens of 300
        mock.expect(json={"$.max_tokens": 300}).respond(text="matched as sent")
        message = client.messages.create(model="tiny-new", max_tokens=300, messages=LONG)
        assert message.content[0].text == "matched as sent"  # type: ignore[union-attr]
        seen: list[int] = []

        def reply(req: Any) -> dict[str, Any]:
            seen.append(req.params.max_tokens)
            return {"text": "from a callback"}

        mock.reset()
        mock.expect().respond_with(reply)
        client.messages.create(model="tiny-new", max_tokens=299, messages=LONG)
        assert seen == [299]
        mock.reset()  # no stubs: the generated reply still stops at the window
        generated = client.messages.create(model="tiny-new", max_tokens=300, messages=LONG)
        assert generated.stop_reason == "model_context_window_exceeded"
        assert generated.usage.output_tokens == room


def test_a_callback_that_mutates_its_request_changes_nothing_later() -> None:
    """Callbacks get the request itself; the front memo shares it between identical requests, so a callback
    that edits it must not change what the next identical request looks like (to stubs, the journal, usage)."""
    from mockclaude.mock import MockClaude

    with MockClaude() as mock:
        client = mock.client(max_retries=0)
        ask = {
            "model": "claude-sonnet-4-6",
            "max_tokens": 50,
            "messages": [{"role": "user", "content": "Hi"}],
        }

        def vandal(req: Any) -> dict[str, Any]:
            req.params.messages[0].content[0].text = "EDITED"
            req.params.max_tokens = 1
            return {"text": "ok"}

        first = client.messages.create(**ask)
        mock.expect().once().respond_with(vandal)
        assert client.messages.create(**ask).content[0].text == "ok"  # type: ignore[union-attr]
        mock.expect(last_user_text="Hi", json={"$.max_tokens": 50}).respond(text="still Hi")
        again = client.messages.create(**ask)
        assert again.content[0].text == "still Hi"  # type: ignore[union-attr]
        assert again.usage.input_tokens == first.usage.input_tokens
        seen = [e.request for e in mock.journal.entries()]
        assert [(r.params.messages[0].content[0].text, r.params.max_tokens) for r in seen] == [("Hi", 50)] * 3


def test_reconfigure_never_shows_a_request_a_half_built_pipeline() -> None:
    """``reconfigure`` (admin reset, ``mock.reset(seed=...)``) swaps the state of a pipeline that the server thread
    may be using. It once cleared the attributes before setting the new ones; under load a request could fall in
    between and fail with AttributeError (a 500). The switch interval is cut so the threads interleave often."""
    import sys
    import threading

    pipeline = Pipeline(Settings(seed=0))
    body = json.dumps(
        {"model": "claude-sonnet-4-6", "max_tokens": 20, "messages": [{"role": "user", "content": "Hi"}]}
    ).encode()
    errors: list[str] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                pipeline.messages(body, PLAIN)
            except Exception as exc:  # any failure is the bug
                errors.append(repr(exc))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        for i in range(3000):
            pipeline.reconfigure(Settings(seed=i % 3))
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    assert errors == []


def test_a_refused_oversized_body_does_not_hold_the_server_at_shutdown() -> None:
    """The 413 for a body over 32 MB went out before the body was read; aiohttp then "lingered" on the connection
    for its full 10 s, and stopping the server (a test session's teardown) waited that long while the client
    kept its connection open. The body is now drained before answering, so the client reads its 413 and the
    server stops at once."""
    import http.client
    import time

    server = ServerThread(create_app(Settings(seed=0))).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(
            "POST", "/v1/messages", b"x" * (33 * 1024 * 1024), {**PLAIN, "content-type": "application/json"}
        )
        response = conn.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["error"]["type"] == "request_too_large"
        start = time.monotonic()
        server.stop()  # with the client's connection still open
        assert time.monotonic() - start < 3
    finally:
        conn.close()
        server.stop()


# -- second review of this session's changes ------------------------------------------------------------------


def _serve_error(*args: str) -> tuple[int, str]:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "mockclaude", "serve", *args], capture_output=True, text=True, timeout=60
    )
    return out.returncode, out.stderr


def test_serve_refuses_bad_values_in_one_line(tmp_path: Any) -> None:
    code, err = _serve_error("--port", "99999")
    assert code == 2 and "port must be 0-65535" in err and "Traceback" not in err
    negative = tmp_path / "negative.tiktoken"  # a rank tiktoken cannot hold (it is a u32)
    negative.write_text("".join(f"{base64.b64encode(bytes([b])).decode()} {b - 1}\n" for b in range(256)))
    code, err = _serve_error("--port", "0", "--tokenizer", f"file:{negative}")
    assert code == 2 and err.startswith("mockclaude: ") and "ranks must be" in err and "Traceback" not in err
    latin = tmp_path / "models.json"
    latin.write_bytes(b"\xff\xfe")
    code, err = _serve_error("--port", "0", "--models", str(latin))
    assert code == 2 and "not UTF-8" in err and "Traceback" not in err
    code, err = _serve_error("--port", "0", "--time-scale", "inf")
    assert code == 2 and "--time-scale must be a finite number" in err


def test_admin_routes_refuse_an_oversized_body_in_the_error_shape() -> None:
    with ServerThread(create_app(Settings(seed=0))) as server:
        response = rawhttp.post(server.url + "/_mock/reset", body=b"x" * (33 * 1024 * 1024), timeout=60)
    assert response.status == 413 and response.json()["error"]["type"] == "request_too_large"


def test_a_scripted_max_tokens_stop_is_not_renamed_by_the_window_cap() -> None:
    with _tiny_window_mock() as mock:
        client = mock.client(max_retries=0)
        mock.expect().respond(text="scripted cut", stop_reason="max_tokens")
        message = client.messages.create(
            model="tiny-new", max_tokens=300, messages=LONG
        )  # capped by the window
        assert message.stop_reason == "max_tokens"


def test_reset_validates_batch_seconds_like_the_constructor() -> None:
    from mockclaude.mock import MockClaude

    with MockClaude() as mock:
        for bad in (float("nan"), -1.0):
            try:
                mock.reset(batch_seconds=bad)
            except ValueError as exc:
                assert "batch_seconds" in str(exc)
            else:
                raise AssertionError(f"reset(batch_seconds={bad}) was accepted")


def test_count_tokens_per_minute_is_refused_on_a_model_line() -> None:
    from mockclaude.limits import RateLimits
    from mockclaude.limits.tiers import count_tokens_limit

    assert count_tokens_limit({"*": RateLimits(5, 1000, 1000, count_tokens_per_minute=3)}) == 3
    try:
        count_tokens_limit({"sonnet": RateLimits(5, 1000, 1000, count_tokens_per_minute=3)})
    except ValueError as exc:
        assert "'*' row" in str(exc)
    else:
        raise AssertionError("a per-line count_tokens_per_minute was silently ignored")
