"""Regressions found by review: memoised state must never change what a later request or test sees."""

from __future__ import annotations

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
