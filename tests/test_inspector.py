"""The inspector's server side, without a browser: journal listeners, the event stream (live, bounded, closed on
shutdown), summaries (what decided, cost, conversation grouping), details (near misses, SSE events with their
planned timings), threads, the new admin routes, and the access rule (tests/test_inspector_browser.py drives the
page itself in Chromium)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.client import HTTPResponse
from typing import Any

import anthropic
import pytest

from mockclaude.clock import ManualClock
from mockclaude.engine.journal import Journal, JournalEntry
from mockclaude.pipeline import Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.inspector import events, views
from mockclaude.server.runner import ServerThread

START = 1_767_225_600.0
MODEL = "claude-sonnet-4-6"


@pytest.fixture
def mock() -> Iterator[ServerThread]:
    with ServerThread(create_app(Settings(seed=0, clock=ManualClock(START)))) as srv:
        yield srv


def admin(srv: ServerThread, method: str, path: str, body: object = None, **headers: str) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(srv.url + path, data=data, method=method, headers=headers)
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def ask(srv: ServerThread, text: str, key: str = "sk-inspect", **params: Any) -> anthropic.types.Message:
    client = anthropic.Anthropic(base_url=srv.url, api_key=key, max_retries=0)
    params.setdefault("messages", [{"role": "user", "content": text}])
    return client.messages.create(model=params.pop("model", MODEL), max_tokens=128, **params)


class Events:
    """A reader of ``GET /_mock/events`` in the test's thread."""

    def __init__(self, srv: ServerThread, **headers: str) -> None:
        request = urllib.request.Request(srv.url + "/_mock/events", headers=headers)
        self.response: HTTPResponse = urllib.request.urlopen(request, timeout=10)

    def next(self, *wanted: str) -> tuple[str, Any]:
        """The next event named one of ``wanted`` (any, when none is given)."""
        while True:
            name, data = "", []
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if not line:
                    break
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
            if data and (not wanted or name in wanted):
                return name, json.loads("\n".join(data))

    def close(self) -> None:
        self.response.close()


# -- the journal's listeners ----------------------------------------------------------------------------------


def test_listeners_hear_every_entry_and_the_clear_and_never_fail_a_request(mock: ServerThread) -> None:
    journal = mock.app[PIPELINE].journal
    assert journal._listeners == ()  # nobody listens: recording does nothing more
    heard: list[JournalEntry | None] = []

    def broken(entry: JournalEntry | None) -> None:
        raise RuntimeError("a listener's bug")

    unsubscribe_broken = journal.subscribe(broken)
    unsubscribe = journal.subscribe(heard.append)
    ask(mock, "Hello")
    journal.clear()
    unsubscribe()
    unsubscribe_broken()
    ask(mock, "Hello again")
    assert [e.index if e is not None else None for e in heard] == [0, None]
    assert journal._listeners == ()


def test_a_full_queue_is_dropped_for_one_resync_marker() -> None:
    async def run() -> list[object]:
        listener = events.Listener(asyncio.get_running_loop(), size=3)
        journal = Journal()
        journal.subscribe(listener)
        for _ in range(11):
            journal.begin("count_tokens", None, 0.0, {}, b"{}").counted(1)
        items = []
        while not listener.queue.empty():
            items.append(listener.queue.get_nowait())
        return items

    items = asyncio.run(run())
    # 0-2 fill it; 3 empties it for the marker, 4-5 follow, 6 empties it again..., 10 follows the last marker.
    assert items[0] is events.RESYNC and [i.index for i in items[1:] if isinstance(i, JournalEntry)] == [10]


def test_a_listener_called_from_another_thread_queues_on_the_loop() -> None:
    async def run() -> object:
        listener = events.Listener(asyncio.get_running_loop())
        journal = Journal()
        journal.subscribe(listener)
        thread = threading.Thread(target=lambda: journal.begin("count_tokens", None, 0, {}, b"{}").counted(3))
        thread.start()
        thread.join()
        return await asyncio.wait_for(listener.queue.get(), 2)

    item = asyncio.run(run())
    assert isinstance(item, JournalEntry) and item.reply == {"input_tokens": 3}


# -- the event stream -----------------------------------------------------------------------------------------


def test_the_stream_sends_a_snapshot_then_each_entry_the_state_and_the_clear(mock: ServerThread) -> None:
    ask(mock, "First, before anyone listened")
    stream = Events(mock)
    try:
        name, snapshot = stream.next()
        assert name == "snapshot" and snapshot["total"] == 1
        assert snapshot["entries"][0]["user_text"] == "First, before anyone listened"
        _, state = stream.next("state")
        assert state["clock"]["now"] == START and state["strict"] is False and state["chaos"] == 0.0
        assert set(state) >= {"stubs", "scenarios", "cache", "limits", "usage", "seed"}
        sent = time.monotonic()
        ask(mock, "Second, live")
        _, entry = stream.next("entry")
        assert time.monotonic() - sent < 1.0
        assert entry["index"] == 1 and entry["user_text"] == "Second, live"
        assert entry["decided"] == {"kind": "rule", "rule": "text.prose", "text": "rule text.prose"}
        _, state = stream.next("state")  # the usage changed with the request
        assert state["usage"]["totals"]["requests"] == 2
        admin(mock, "DELETE", "/_mock/journal")
        assert stream.next("clear", "entry") == ("clear", {"total": 0})
    finally:
        stream.close()


def test_a_rebuilt_journal_is_followed_with_a_new_snapshot(mock: ServerThread) -> None:
    stream = Events(mock)
    try:
        stream.next("snapshot")
        admin(mock, "POST", "/_mock/reset", {"seed": 7})  # a new seed rebuilds the pipeline, journal included
        ask(mock, "After the rebuild")
        name, data = stream.next("snapshot", "entry")
        assert name == "snapshot"  # the new journal, noticed within a second
        if not data["entries"]:
            name, data = stream.next("entry")
            data = {"entries": [data]}
        assert data["entries"][0]["user_text"] == "After the rebuild"
    finally:
        stream.close()


def test_listeners_go_when_the_browser_does_and_shutdown_ends_open_streams() -> None:
    srv = ServerThread(create_app(Settings(seed=0, clock=ManualClock(START)))).start()
    journal = srv.app[PIPELINE].journal
    stream = Events(srv)
    stream.next("snapshot")
    assert len(journal._listeners) == 1
    stream.close()
    deadline = time.monotonic() + 3
    while journal._listeners and time.monotonic() < deadline:
        time.sleep(0.05)
    assert journal._listeners == ()
    kept_open = Events(srv)
    kept_open.next("snapshot")
    started = time.monotonic()
    srv.stop()  # aiohttp would wait 60 s for an open handler; the stream is told to end at shutdown
    assert time.monotonic() - started < 5
    kept_open.close()


# -- what a summary says --------------------------------------------------------------------------------------


def test_what_decided_each_kind_of_answer(mock: ServerThread) -> None:
    pipeline = mock.app[PIPELINE]
    admin(
        mock,
        "POST",
        "/_mock/stubs",
        {"name": "hi", "match": {"last_user_text": "Hi stub"}, "reply": {"text": "!"}},
    )
    admin(
        mock,
        "POST",
        "/_mock/stubs",
        {"match": {"last_user_text": "Boom"}, "reply": {"error": "overloaded_error"}},
    )
    ask(mock, "Hi stub")
    with pytest.raises(anthropic.APIStatusError):
        ask(mock, "Boom")
    ask(mock, "Hello there")
    with pytest.raises(anthropic.NotFoundError):
        ask(mock, "x", model="claude-nope")
    anthropic.Anthropic(base_url=mock.url, api_key="sk-inspect").messages.count_tokens(
        model=MODEL, messages=[{"role": "user", "content": "count me"}]
    )
    admin(mock, "POST", "/_mock/strict", {"strict": True})
    with pytest.raises(anthropic.BadRequestError):
        ask(mock, "Nothing matches me")
    texts = [views.summary(e, pipeline)["decided"]["text"] for e in pipeline.journal.entries()]
    assert texts == [
        "stub 'hi' (stub_1)",
        "stub stub_2: scripted overloaded_error",
        "rule text.greeting",
        "not_found_error before the engine",
        "count_tokens",
        "no stub matched (strict mode)",
    ]
    assert views.summary(pipeline.journal[4], pipeline)["counted"] == 9


def test_an_entrys_cost_is_the_usage_reports(mock: ServerThread) -> None:
    system = [
        {"type": "text", "text": "Be precise. " * 900, "cache_control": {"type": "ephemeral", "ttl": "1h"}}
    ]
    ask(mock, "Cache this", system=system)
    ask(mock, "Cache this", system=system)  # reads what the first wrote
    pipeline = mock.app[PIPELINE]
    costs = [views.summary(e, pipeline)["cost"] for e in pipeline.journal.entries()]
    assert costs[0]["cache_write_1h"] > 0 and costs[1]["cache_read"] > 0
    report = admin(mock, "GET", "/_mock/usage")
    assert sum(c["total"] for c in costs) == pytest.approx(report["totals"]["cost_usd"], abs=1e-9)


def test_conversations_group_by_claude_codes_session_else_by_the_first_user_message(
    mock: ServerThread,
) -> None:
    client = anthropic.Anthropic(base_url=mock.url, api_key="sk-group", max_retries=0)
    session = "09699f3f-6ea0-4738-950b-3aeebda9f350"
    first = [{"role": "user", "content": "Plan a trip"}]
    history = [*first, {"role": "assistant", "content": "Where to?"}, {"role": "user", "content": "Rome"}]
    cc = {"x-claude-code-session-id": session}
    client.messages.create(model=MODEL, max_tokens=64, messages=first, extra_headers=cc)
    user_id = json.dumps({"device_id": "d", "account_uuid": "", "session_id": session})
    client.messages.create(model=MODEL, max_tokens=64, messages=history, metadata={"user_id": user_id})
    old_style = f"user_abc_account__session_{session}"
    client.messages.create(model=MODEL, max_tokens=64, messages=history, metadata={"user_id": old_style})
    client.messages.create(model=MODEL, max_tokens=64, messages=first)
    client.messages.create(model=MODEL, max_tokens=64, messages=history)
    ask(mock, "Plan a trip", key="sk-someone-else")
    pipeline = mock.app[PIPELINE]
    rows = [views.summary(e, pipeline) for e in pipeline.journal.entries()]
    keys = [r["session"] for r in rows]
    assert keys[0] == keys[1] == keys[2] == f"session:{session}"
    assert [r["session_kind"] for r in rows[:3]] == ["claude-code", "metadata", "metadata"]
    assert keys[3] == keys[4] != keys[0] and keys[3].startswith("first:")
    assert keys[5] != keys[3]  # another API key: another conversation
    thread = views.thread(pipeline.journal.entries(), keys[0], pipeline)
    assert [t["index"] for t in thread["turns"]] == [0, 1, 2]
    assert thread["turns"][1]["input"] == [{"role": "user", "content": "Rome"}]  # what was new in that turn
    assert thread["turns"][0]["prompt"] == "Plan a trip"
    later = views.thread(
        pipeline.journal.entries(), keys[0], pipeline, after=1
    )  # a page that has the first two
    assert [t["index"] for t in later["turns"]] == [2] and "system" not in later


def test_claude_code_system_reminders_are_not_the_user_text(mock: ServerThread) -> None:
    content = [
        {"type": "text", "text": "<system-reminder>\nContext the harness adds\n</system-reminder>"},
        {"type": "text", "text": "Read the file hello.txt"},
    ]
    ask(mock, "", messages=[{"role": "user", "content": content}])
    row = views.summary(mock.app[PIPELINE].journal[-1], mock.app[PIPELINE])
    assert row["user_text"] == row["prompt"] == "Read the file hello.txt"


# -- details and threads --------------------------------------------------------------------------------------


def test_the_detail_of_a_stream_has_its_events_with_the_planned_timings() -> None:
    clock = ManualClock(START)
    with ServerThread(create_app(Settings(seed=0, clock=clock, time_scale=1.0))) as srv:
        latency = {"ttft_ms": 500, "tokens_per_second": 50}
        admin(
            srv,
            "POST",
            "/_mock/stubs",
            {"reply": {"text": "one two three four five six", "latency": latency}},
        )
        client = anthropic.Anthropic(base_url=srv.url, api_key="sk-inspect", max_retries=0)
        before = clock.now()
        with client.messages.stream(
            model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Go"}]
        ) as s:
            s.get_final_message()
        took = clock.now() - before  # the server's waits, on the manual clock
        detail = admin(srv, "GET", "/_mock/ui/entries/0")
    sse = detail["sse"]
    assert sse["paced"] is True and sse["time_scale"] == 1.0
    names = [e["event"] for e in sse["events"]]
    assert names[:3] == ["message_start", "content_block_start", "ping"] and names[-1] == "message_stop"
    start = names.index("content_block_start")
    assert sse["events"][start]["wait_ms"] == 500.0  # the time to first token, before the first block
    assert sse["events"][-1]["at_ms"] == pytest.approx(took * 1000, abs=1.0)  # what the server waited
    assert detail["stub"]["matched"] == 1 and detail["summary"]["decided"]["kind"] == "stub"


def test_the_detail_of_an_unmatched_request_names_its_near_misses(mock: ServerThread) -> None:
    admin(
        mock,
        "POST",
        "/_mock/stubs",
        {"name": "weather", "match": {"last_user_text": "weather?"}, "reply": {"text": "x"}},
    )
    ask(mock, "Tell me a joke")
    detail = admin(mock, "GET", "/_mock/ui/entries/0")
    assert detail["summary"]["decided"]["kind"] == "rule" and detail["sse"] is None
    assert detail["near_misses"][0]["name"] == "weather"
    assert "last_user_text" in detail["near_misses"][0]["reasons"][0]
    for bad, status in (
        ("/_mock/ui/entries/9", 404),
        ("/_mock/ui/entries/x", 400),
        ("/_mock/ui/thread", 400),
    ):
        with pytest.raises(urllib.error.HTTPError) as refused:
            admin(mock, "GET", bad)
        assert refused.value.code == status


# -- the page, the new admin routes and the access rule ---------------------------------------------------------


def test_the_page_admits_exactly_its_inlined_script_and_style(mock: ServerThread) -> None:
    with urllib.request.urlopen(mock.url + "/_mock/ui", timeout=10) as response:
        policy = response.headers["content-security-policy"]
        html = response.read().decode()
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        (inline,) = re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.S)
        digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy


def test_with_a_token_only_the_page_takes_it_in_the_url() -> None:
    with ServerThread(create_app(Settings(seed=0, admin_token="s3cret"))) as srv:
        for path in ("/_mock/ui", "/_mock/events?token=s3cret", "/_mock/ui/thread?session=x&token=s3cret"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(srv.url + path, timeout=10)
            assert refused.value.code == 401, path
        with urllib.request.urlopen(srv.url + "/_mock/ui?token=s3cret", timeout=10) as response:
            assert response.status == 200 and "mockclaude inspector" in response.read().decode()
        with pytest.raises(urllib.error.HTTPError) as wrong:
            urllib.request.urlopen(srv.url + "/_mock/ui?token=guess", timeout=10)
        assert wrong.value.code == 401
        stream = Events(srv, **{"x-admin-token": "s3cret"})
        assert stream.next()[0] == "snapshot"
        stream.close()


def test_limits_strict_and_chaos_routes() -> None:
    with ServerThread(create_app(Settings(seed=0, clock=ManualClock(START), rate_limits="tier1"))) as srv:
        assert admin(srv, "GET", "/_mock/limits")["data"] == []
        ask(srv, "Hello", key="sk-limited")
        limits = admin(srv, "GET", "/_mock/limits")
        (bucket,) = limits["data"]
        assert (
            limits["enabled"] is True and bucket["api_key"] == "sk-limited" and bucket["group"] == "sonnet-4"
        )
        assert bucket["requests"]["remaining"] == bucket["requests"]["limit"] - 1
        assert admin(srv, "GET", "/_mock/strict") == {"strict": False}
        assert admin(srv, "POST", "/_mock/chaos", {"chaos": 1}) == {"chaos": 1.0}
        assert admin(srv, "GET", "/_mock/chaos") == {"chaos": 1.0}
        with pytest.raises(anthropic.APIError):
            ask(srv, "Hello", key="sk-chaos")
        assert admin(srv, "POST", "/_mock/chaos", {"chaos": 0}) == {"chaos": 0.0}
        ask(srv, "Hello", key="sk-chaos")
        for bad in ({"chaos": 2}, {"chaos": True}, {"rate": 0.1}):
            with pytest.raises(urllib.error.HTTPError) as refused:
                admin(srv, "POST", "/_mock/chaos", bad)
            assert refused.value.code == 400


def test_a_tool_result_turn_reads_as_the_tool_and_its_result(mock: ServerThread) -> None:
    tool_use = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
    result = {
        "type": "tool_result",
        "tool_use_id": "toolu_1",
        "content": [{"type": "text", "text": "sunny,\n21 °C"}],
    }
    messages = [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [tool_use]},
        {"role": "user", "content": [result]},
    ]
    tools = [{"name": "get_weather", "input_schema": {"type": "object"}}]
    ask(mock, "", messages=messages, tools=tools)
    row = views.summary(mock.app[PIPELINE].journal[-1], mock.app[PIPELINE])
    assert row["user_text"] == "↩ get_weather: sunny, 21 °C" and row["prompt"] == "Weather in Paris?"


def test_a_token_in_the_url_never_stands_in_for_loopback() -> None:
    from unittest import mock as um

    from aiohttp.test_utils import make_mocked_request

    from mockclaude.model.errors import AuthenticationError, PermissionError_
    from mockclaude.server.admin import authorize

    def request(remote: str, path: str) -> Any:
        transport = um.Mock()
        transport.get_extra_info.side_effect = lambda name, default=None: (
            (remote, 40000) if name == "peername" else default
        )
        return make_mocked_request("GET", path, transport=transport)

    with pytest.raises(PermissionError_):  # no token configured: strangers are refused, whatever the URL says
        authorize(request("10.0.0.2", "/_mock/ui?token=anything"), None, query_token=True)
    authorize(request("10.0.0.2", "/_mock/ui?token=s3cret"), "s3cret", query_token=True)
    with pytest.raises(AuthenticationError):  # only the page's route takes it from the URL
        authorize(request("10.0.0.2", "/_mock/events?token=s3cret"), "s3cret")
