"""The pure parts of record and replay: canonical requests, differences, redaction, SSE reading, cassettes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mockclaude.engine.canonical import REDACTED, RequestRules, canonical_request, distance, first_difference
from mockclaude.engine.issues import Issues
from mockclaude.engine.jsonpath import parse_json_path, replaced, without
from mockclaude.engine.recorded import accumulate, compile_recorded, frame
from mockclaude.engine.registry import StubRegistry
from mockclaude.record.cassette import Cassette, Exchange
from mockclaude.record.config import RecordConfig
from mockclaude.record.redact import Redactor
from mockclaude.record.sse import SseParser, decode_data
from mockclaude.script.check import validate
from mockclaude.script.schema import build_schema


def test_canonical_request_reads_a_string_as_its_text_block() -> None:
    plain = {
        "model": "m",
        "stream": True,
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "Hi"}],
    }
    blocks = {
        "model": "m",
        "system": [{"type": "text", "text": "Be brief."}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
    }
    assert canonical_request(plain) == blocks  # and stream is left to the stream matcher
    assert first_difference(canonical_request(blocks), canonical_request(plain)) is None


def test_first_difference_names_the_first_path_and_both_values() -> None:
    recorded = {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 5}
    live = {"model": "m", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 6}
    assert str(first_difference(recorded, live)) == 'messages[0].content: recorded "Hi", got "Hello"'
    longer = {**recorded, "messages": [*recorded["messages"], {"role": "assistant", "content": "x"}]}
    assert (
        str(first_difference(recorded, longer))
        == "messages (1 recorded, 2 sent): recorded absent, got {role, content}"
    )
    assert (
        str(first_difference(recorded, {**recorded, "temperature": 1}))
        == "temperature: recorded absent, got 1"
    )
    assert (
        first_difference({"n": 1}, {"n": 1.0}) is None and first_difference({"n": 1}, {"n": True}) is not None
    )
    assert distance(recorded, live) == 2 and distance(recorded, recorded) == 0


def test_what_redaction_took_out_matches_anything_in_its_place() -> None:
    recorded = {
        "messages": [{"role": "user", "content": f"my key is {REDACTED}, keep it"}],
        "metadata": REDACTED,
    }
    assert (
        first_difference(
            recorded,
            {"messages": [{"role": "user", "content": "my key is sk-123, keep it"}], "metadata": {"a": 1}},
        )
        is None
    )
    assert (
        first_difference(
            recorded, {"messages": [{"role": "user", "content": "my key is sk-123"}], "metadata": 1}
        )
        is not None
    )


def test_rules_ignore_paths_on_both_sides() -> None:
    rules = RequestRules(("$.metadata", "$.messages[*].content[*].cache_control"))
    a = {
        "metadata": {"user_id": "one"},
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}],
            }
        ],
    }
    b = {"metadata": {"user_id": "two"}, "messages": [{"role": "user", "content": "x"}]}
    assert first_difference(rules.canonical(a), rules.canonical(b)) is None
    assert a["metadata"] == {"user_id": "one"}  # the documents themselves are left alone


def test_json_paths_remove_and_replace_without_touching_the_original() -> None:
    doc: dict[str, Any] = {"a": [{"b": 1, "c": 2}, {"b": 3}], "d": {"e": "f"}}
    steps = parse_json_path("$.a[*].b")
    assert steps is not None
    assert without(doc, steps) == {"a": [{"c": 2}, {}], "d": {"e": "f"}}
    assert replaced(doc, ["d", "e"], "X") == {"a": doc["a"], "d": {"e": "X"}}
    assert without(doc, ["a", -1]) == {"a": [{"b": 1, "c": 2}], "d": {"e": "f"}}
    assert doc == {"a": [{"b": 1, "c": 2}, {"b": 3}], "d": {"e": "f"}}


def test_redaction_of_headers_bodies_patterns_paths_and_secrets() -> None:
    redactor = Redactor([r"\bacct-\d+\b"], ["$.metadata.user_id"])
    redactor.add_secret("Bearer sk-plain-secret-value")  # the token inside the header value is learnt too
    redactor.add_secret("short")  # too short to search bodies for
    headers = redactor.headers({"X-Api-Key": "k", "Set-Cookie": "a=b", "Request-Id": "req_1 for acct-42"})
    assert headers == {"x-api-key": REDACTED, "set-cookie": REDACTED, "request-id": f"req_1 for {REDACTED}"}
    body = {
        "metadata": {"user_id": "device-7"},
        "text": "use sk-plain-secret-value or sk-ant-api03-abcdefghijkl, short stays",
        "auth": "bearer abcdefghijklmnop",
    }
    assert redactor.body(body) == {
        "metadata": {"user_id": REDACTED},
        "text": f"use {REDACTED} or {REDACTED}, short stays",
        "auth": REDACTED,
    }
    with pytest.raises(ValueError, match="not a JSON path"):
        Redactor(paths=["metadata"])


def test_sse_parser_reads_events_across_reads_and_line_endings() -> None:
    parser = SseParser()
    assert parser.feed(b'event: a\ndata: {"x"') == []
    assert parser.feed(b": 1}\n\nevent: b\r\ndata: one\r\ndata: two\r\n\r\n: comment\n\ndata: [DONE]\r") == [
        ("a", '{"x": 1}'),
        ("b", "one\ntwo"),
    ]
    assert parser.feed(b"\n\n") == [(None, "[DONE]")]
    assert parser.feed(b"event: last\ndata: cut") == [] and parser.close() == [("last", "cut")]
    assert (
        decode_data('{"x": 1}') == {"x": 1} and decode_data("[DONE]") == "[DONE]" and decode_data("7") == "7"
    )
    assert frame(None, "one\ntwo") == b"data: one\ndata: two\n\n"
    assert frame("ping", {"type": "ping"}) == b'event: ping\ndata: {"type":"ping"}\n\n'


def test_a_stream_adds_up_to_its_message() -> None:
    events: list[tuple[str | None, Any]] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {"id": "msg_1", "content": [], "usage": {"input_tokens": 3}},
            },
        ),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "thinking_delta", "thinking": "hm"},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "signature_delta", "signature": "SIG"},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 1,
                "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": '{"a": '},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": "1}"},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 1}),
        ("ping", {"type": "ping"}),
        (
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}},
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    assert accumulate(events) == {
        "id": "msg_1",
        "content": [
            {"type": "thinking", "thinking": "hm", "signature": "SIG"},
            {"type": "tool_use", "id": "t", "name": "f", "input": {"a": 1}},
        ],
        "usage": {"input_tokens": 3, "output_tokens": 9},
        "stop_reason": "tool_use",
    }
    spec = compile_recorded(
        {"events": [{"ms": i, "event": n, "data": d} for i, (n, d) in enumerate(events)]}, Issues(), "r"
    )
    assert spec is not None and spec.signatures == {"SIG": "hm"}


def test_the_recorded_vocabulary_reports_every_problem() -> None:
    issues = Issues(source="x.yaml", stub="s")
    value = {"status": 99, "body": {}, "text": "t", "events": [{"ms": -1, "data": 1, "when": 2}], "extra": 1}
    assert compile_recorded(value, issues, "reply.recorded") is None
    assert sorted(i.path for i in issues.items) == [
        "reply.recorded",
        "reply.recorded.events[0].ms",
        "reply.recorded.events[0].when",
        "reply.recorded.extra",
        "reply.recorded.status",
    ]


def exchange(**overrides: Any) -> Exchange:
    base: dict[str, Any] = {
        "method": "POST",
        "route": "/v1/messages",
        "query": {},
        "body": {
            "model": "m",
            "max_tokens": 9,
            "stream": True,
            "metadata": {"user_id": "u"},
            "messages": [{"role": "user", "content": "Hi there"}],
        },
        "status": 200,
        "headers": {"content-type": "text/event-stream", "content-length": "10", "request-id": "req_1"},
        "events": [
            (12.34, "message_start", '{"type":"message_start","message":{"id":"msg_1","content":[]}}'),
            (20.0, None, "[DONE]"),
        ],
        "ms": 21.0,
    }
    return Exchange(**{**base, **overrides})


def test_a_cassette_is_an_ordinary_script_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    cassette = Cassette(path)
    redactor = Redactor()
    rules = cassette.configure("http://127.0.0.1:9", redactor, ("$.metadata",))
    cassette.add(exchange(), redactor, rules)
    cassette.add(
        exchange(
            method="GET",
            route="/v1/models",
            query={"limit": "2"},
            body=None,
            events=None,
            content=b'{"data": []}',
        ),
        redactor,
        rules,
    )
    cassette.save()
    data = yaml.safe_load(path.read_text())
    first, second = data["stubs"]
    assert first["name"] == "#1 POST /v1/messages (stream): Hi there"
    assert first["match"] == {
        "stream": True,
        "request": {"model": "m", "max_tokens": 9, "messages": [{"role": "user", "content": "Hi there"}]},
    }
    assert first["reply"]["recorded"]["headers"] == {
        "content-type": "text/event-stream",
        "request-id": "req_1",
    }
    assert first["reply"]["recorded"]["events"] == [
        {
            "ms": 12.3,
            "event": "message_start",
            "data": {"type": "message_start", "message": {"id": "msg_1", "content": []}},
        },
        {"ms": 20.0, "data": "[DONE]"},
    ]
    assert second["match"] == {"route": "GET /v1/models", "request": {"limit": "2"}}
    assert second["reply"]["recorded"]["text"] == '{"data": []}'  # not compact JSON: its exact bytes, as text
    jsonschema.validate(data, build_schema())
    report = validate([path])
    assert report.ok and report.stubs == 2, [str(i) for i in report.issues]
    stubs = StubRegistry().load(path)
    assert [s.route for s in stubs] == ["POST /v1/messages", "GET /v1/models"] and all(
        s.recorded for s in stubs
    )
    again = Cassette(path)  # a later session appends to what the file holds
    assert len(again.stubs) == 2 and again.recording["ignore"] == ["$.metadata"]


def test_a_broken_recording_rule_is_reported_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {"version": 1, "recording": {"ignore": ["metadata"], "redact": ["("], "x": 1}, "stubs": []}
        )
    )
    report = validate([path])
    assert sorted(i.path for i in report.issues) == [
        "recording.ignore[0]",
        "recording.redact[0]",
        "recording.x",
    ]


def test_what_each_mode_does(tmp_path: Path) -> None:
    missing = tmp_path / "none-yet"
    assert RecordConfig(missing, "none").plan() == (True, False)
    assert RecordConfig(missing, "once").plan() == (False, True)  # no cassette: record it
    assert RecordConfig(missing, "new_episodes").plan() == (True, True)
    assert RecordConfig(missing, "all").plan() == (False, True)
    assert RecordConfig(missing).target == missing / "cassette.yaml"
    (tmp_path / "x.yaml").write_text("version: 1\n")
    assert RecordConfig(tmp_path, "once").plan() == (True, False)  # it exists: replay only
    assert RecordConfig(tmp_path / "x.yaml").target == tmp_path / "x.yaml"
    assert RecordConfig(missing, upstream_key="k", env_key="e").key == "k"
    assert RecordConfig(missing, env_key="e").key == "e"
    with pytest.raises(ValueError, match="record mode"):
        RecordConfig(missing, "sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="upstream"):
        RecordConfig(missing, upstream="ftp://x")
