"""The request journal: every request recorded exactly once, with what was served, whatever happened to it."""

from __future__ import annotations

import anthropic
import pytest

from mockclaude import MockClaude, Settings
from mockclaude.engine.journal import Journal, journal_headers, redact
from tests import rawhttp

ASK = {"model": "claude-sonnet-4-6", "max_tokens": 32, "messages": [{"role": "user", "content": "Hello"}]}


def test_redact_keeps_a_short_prefix() -> None:
    assert redact("sk-ant-api03-abcdefghijklmnop") == "sk-ant…"
    assert redact("Bearer sk-ant-api03-abcdefghijklmnop") == "Bearer sk-ant…"
    assert redact("sk-test") == "sk-…"
    assert redact("") == "…"
    headers = journal_headers({"X-Api-Key": "sk-ant-secret-value", "Content-Type": "application/json"})
    assert headers == {"x-api-key": "sk-ant…", "content-type": "application/json"}


def test_bounded_oldest_first_and_cleared() -> None:
    journal = Journal(maxlen=3)
    for i in range(5):
        journal.begin("count_tokens", f"req_{i}", float(i), {}, b"{}").counted(i)
    assert [e.request_id for e in journal] == ["req_2", "req_3", "req_4"]
    assert journal.total == 5 and len(journal) == 3 and journal.maxlen == 3
    assert journal[-1].index == 4 and journal.last is journal[-1]
    journal.clear()
    assert len(journal) == 0 and journal.total == 0 and journal.last is None


def test_a_reply_is_recorded_with_body_headers_and_what_was_served(mockclaude: MockClaude) -> None:
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-ant-api03-secret", max_retries=0)
    message = client.messages.create(**ASK, metadata={"user_id": "u-1"})  # type: ignore[call-overload]
    (entry,) = mockclaude.journal
    assert entry.endpoint == "messages" and entry.status == 200 and entry.ok and not entry.stream
    assert entry.body == {**ASK, "metadata": {"user_id": "u-1"}}  # as the client sent it
    assert entry.model == "claude-sonnet-4-6"
    assert entry.headers["authorization"] == "Bearer sk-ant…"  # lower-cased names, key redacted
    assert "sk-ant-api03-secret" not in str(entry.to_json())
    assert entry.headers["anthropic-version"]
    assert entry.request_id == message._request_id
    assert entry.time == mockclaude.clock.now()  # the manual clock
    assert anthropic.types.Message.model_validate(entry.reply) == message  # the very JSON the client parsed
    assert entry.text == message.content[0].text  # type: ignore[union-attr]
    assert entry.reply is not None and entry.usage == entry.reply["usage"]
    assert entry.usage["output_tokens"] == message.usage.output_tokens
    assert entry.error is None and entry.stub_id is None and entry.unmatched  # generated: no stub matched
    assert entry.request is not None and entry.request.params.model == "claude-sonnet-4-6"


def test_a_stream_is_recorded_once_with_its_final_message(mockclaude: MockClaude) -> None:
    stub = mockclaude.expect(last_user_text="Hello").respond(text="Streamed hello")
    with mockclaude.client(max_retries=0).messages.stream(**ASK) as stream:
        final = stream.get_final_message()
    (entry,) = mockclaude.journal
    assert entry.stream and entry.status == 200 and entry.stub_id == stub.id and not entry.unmatched
    assert entry.reply is not None and entry.reply["content"] == [{"type": "text", "text": "Streamed hello"}]
    assert entry.reply["usage"]["output_tokens"] == final.usage.output_tokens
    assert stub.calls == [entry]


def test_errors_are_recorded_with_the_body_the_client_got(mockclaude: MockClaude) -> None:
    url = mockclaude.url + "/v1/messages"
    bad = rawhttp.post(url, json_body={"model": "claude-sonnet-4-6", "messages": []})  # no max_tokens
    not_json = rawhttp.post(url, body=b"{nope")
    no_key = rawhttp.post(url, json_body=ASK, headers={"x-api-key": ""})
    entries = mockclaude.journal.entries()
    assert [e.status for e in entries] == [400, 400, 401]
    for entry, response in zip(entries, (bad, not_json, no_key), strict=True):
        assert entry.error == response.json()
        assert entry.request_id == response.headers["request-id"]
        assert entry.reply is None and entry.usage is None and entry.request is None and not entry.unmatched
    assert entries[1].body == "{nope"  # not JSON: kept as text


def test_scripted_errors_and_strict_misses_name_their_stub(mockclaude: MockClaude) -> None:
    overloaded = mockclaude.expect(last_user_text="busy").respond(error={"type": "overloaded_error"})
    mockclaude.strict = True
    client = mockclaude.client(max_retries=0)
    with pytest.raises(anthropic.InternalServerError):
        client.messages.create(**{**ASK, "messages": [{"role": "user", "content": "busy"}]})
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(**ASK)
    busy, missed = mockclaude.journal
    assert (busy.status, busy.stub_id, busy.unmatched) == (529, overloaded.id, False)
    assert busy.error is not None and busy.error["error"]["type"] == "overloaded_error"
    assert (missed.status, missed.stub_id, missed.unmatched) == (400, None, True)
    assert missed.error is not None and missed.error["error"]["message"].startswith(
        "mockclaude: no stub matched"
    )
    assert missed.request is not None  # validated: the near misses can be computed from it
    assert mockclaude.journal.unmatched() == [missed]
    mockclaude.strict = False  # the miss was on purpose: in strict mode check() would fail this test


def test_count_tokens_is_journaled(mockclaude: MockClaude) -> None:
    counted = mockclaude.client().messages.count_tokens(model="claude-sonnet-4-6", messages=ASK["messages"])
    (entry,) = mockclaude.journal
    assert entry.endpoint == "count_tokens" and entry.reply == {"input_tokens": counted.input_tokens}
    assert entry.usage is None and not entry.unmatched


def test_every_sdk_retry_is_its_own_entry(mockclaude: MockClaude) -> None:
    busy = {"error": {"type": "overloaded_error"}, "headers": {"retry-after-ms": "1"}}
    mockclaude.expect().sequence(busy, busy, {"text": "ok"}, then="repeat_last")
    message = mockclaude.client(max_retries=2).messages.create(**ASK)
    assert message.content[0].text == "ok"  # type: ignore[union-attr]
    assert [(e.index, e.status) for e in mockclaude.journal] == [(0, 529), (1, 529), (2, 200)]
    assert [e.headers["x-stainless-retry-count"] for e in mockclaude.journal] == ["0", "1", "2"]


def test_the_journal_is_bounded_by_settings() -> None:
    with MockClaude(settings=Settings(journal_size=2)) as mock:
        client = mock.client(max_retries=0)
        for text in ("one", "two", "three"):
            client.messages.create(**{**ASK, "messages": [{"role": "user", "content": text}]})
        assert [e.body["messages"][0]["content"] for e in mock.journal] == ["two", "three"]
        assert mock.journal.total == 3


def test_a_fault_acted_out_on_the_wire_is_recorded(mockclaude: MockClaude) -> None:
    mockclaude.expect().respond(text="cut short", fault={"kind": "stream_error", "after_events": 2})
    with (
        pytest.raises(anthropic.APIStatusError),
        mockclaude.client(max_retries=0).messages.stream(**ASK) as s,
    ):
        s.get_final_message()
    (entry,) = mockclaude.journal
    assert entry.status == 200 and entry.stream  # the status line was sent before the stream broke
    assert (
        entry.fault is not None and entry.fault["kind"] == "stream_error" and entry.fault["after_events"] == 2
    )
    assert entry.to_json()["fault"] == entry.fault
