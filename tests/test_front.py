"""The memoised front half: the same body is validated once, but every request keeps its own headers."""

from __future__ import annotations

import json

import pytest

from mockclaude.model.errors import AuthenticationError
from mockclaude.pipeline import Pipeline, Settings

BODY = json.dumps(
    {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "Same body"}]}
).encode()
BASE = {"x-api-key": "k", "anthropic-version": "2023-06-01"}


def test_header_matchers_see_each_requests_own_headers() -> None:
    pipeline = Pipeline(Settings(seed=1))
    pipeline.engine.stubs.add(
        {"name": "a", "match": {"headers": {"x-client": "a"}}, "reply": {"text": "for a"}}
    )
    pipeline.engine.stubs.add(
        {"name": "b", "match": {"headers": {"x-client": "b"}}, "reply": {"text": "for b"}}
    )
    for client in ("a", "b", "a"):
        served = pipeline.messages(BODY, {**BASE, "x-client": client})
        assert served.reply.blocks[0].final["text"] == f"for {client}"
        assert served.request.headers["x-client"] == client
    assert [e.headers["x-client"] for e in pipeline.journal] == ["a", "b", "a"]


def test_validation_headers_are_part_of_the_key_and_errors_repeat() -> None:
    pipeline = Pipeline(Settings(api_keys=frozenset({"good"})))
    assert pipeline.messages(BODY, {**BASE, "x-api-key": "good"}).reply.stop_reason
    for _ in range(2):  # an invalid request is checked again each time (errors are not memoised)
        with pytest.raises(AuthenticationError):
            pipeline.messages(BODY, {**BASE, "x-api-key": "bad"})


def test_reset_forgets_the_memo() -> None:
    pipeline = Pipeline()
    pipeline.messages(BODY, BASE)
    assert pipeline.front._memo
    pipeline.reset()
    assert not pipeline.front._memo
