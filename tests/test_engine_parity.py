"""Random replies built from the reply vocabulary render identically as JSON and as SSE: the official SDK's
``create`` equals ``stream().get_final_message()`` for every one (DESIGN.md rule 2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockclaude.clock import ManualClock
from mockclaude.engine.core import Engine
from mockclaude.engine.reply_spec import REFUSAL_CATEGORIES, STOP_REASONS
from mockclaude.pipeline import Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread

MODEL = "claude-sonnet-4-6"
LOOKUP = {
    "name": "lookup",
    "input_schema": {
        "type": "object",
        "properties": {"term": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 9}},
        "required": ["term"],
    },
}

# Text without braces (a "{{" would be a template) and without lone surrogates.
_ALPHABET = st.characters(blacklist_categories=("Cs",), blacklist_characters="{}")
text = st.text(_ALPHABET, min_size=1, max_size=60).filter(lambda t: bool(t.strip()))
name = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_-]{0,20}", fullmatch=True)
scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False), text
)
json_value = st.recursive(
    scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(name, inner, max_size=3), max_leaves=8
)
url = st.builds(lambda host, path: f"https://{host}.example.com/{path}", name, name)

citation = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("web_search_result_location"), "url": url, "cited_text": text},
        optional={"title": text, "encrypted_index": name},
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("char_location"),
            "cited_text": text,
            "document_index": st.integers(0, 3),
            "start_char_index": st.integers(0, 50),
            "end_char_index": st.integers(51, 99),
        },
        optional={"document_title": st.none() | text},
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("page_location"),
            "cited_text": text,
            "document_index": st.integers(0, 3),
            "start_page_number": st.integers(1, 5),
            "end_page_number": st.integers(6, 9),
        }
    ),
)
hit = st.fixed_dictionaries({"url": url, "title": text}, optional={"page_age": st.none() | text})
blocks = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("text"), "text": text | st.just("you said {{ last_user_text }}")},
        optional={"citations": st.lists(citation, min_size=1, max_size=3)},
    ),
    st.fixed_dictionaries({"type": st.just("thinking"), "thinking": st.just("") | text}),
    st.fixed_dictionaries({"type": st.just("redacted_thinking")}),
    st.fixed_dictionaries(
        {"type": st.just("tool_use"), "name": st.just("lookup") | name},
        optional={"input": st.dictionaries(name, json_value, max_size=4)},
    ),
    st.fixed_dictionaries(
        {"type": st.just("server_tool_use"), "name": st.just("web_search")},
        optional={
            "input": st.fixed_dictionaries({"query": text}),
            "result": st.lists(hit, min_size=1, max_size=3) | st.just({"error": "max_uses_exceeded"}),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.just("server_tool_use"), "name": st.just("web_fetch")},
        optional={"result": st.fixed_dictionaries({}, optional={"url": url, "title": text, "text": text})},
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("server_tool_use"),
            "name": st.sampled_from(["code_execution", "bash_code_execution"]),
        },
        optional={
            "result": st.fixed_dictionaries(
                {}, optional={"stdout": text, "stderr": st.just(""), "return_code": st.integers(0, 2)}
            )
        },
    ),
)
usage = st.fixed_dictionaries(
    {},
    optional={
        "input_tokens": st.integers(0, 10_000),
        "output_tokens": st.integers(0, 10_000),
        "cache_read_input_tokens": st.integers(0, 10_000),
        "cache_creation": st.fixed_dictionaries({"ephemeral_5m_input_tokens": st.integers(0, 99)}),
        "server_tool_use": st.fixed_dictionaries({"web_fetch_requests": st.integers(0, 3)}),
        "output_tokens_details": st.fixed_dictionaries({"thinking_tokens": st.integers(0, 99)}),
    },
)
replies = st.fixed_dictionaries(
    {},
    optional={
        "content": st.lists(blocks, max_size=6),
        "stop_reason": st.sampled_from(STOP_REASONS),
        "stop_sequence": text,
        "stop_details": st.fixed_dictionaries(
            {},
            optional={
                "category": st.sampled_from([*REFUSAL_CATEGORIES, None]),
                "explanation": st.none() | text,
            },
        ),
        "usage": usage,
        "headers": st.dictionaries(st.from_regex(r"x-test-[a-z]{1,8}", fullmatch=True), name, max_size=2),
    },
)


@pytest.fixture(scope="module")
def srv() -> Iterator[ServerThread]:
    # A manual clock: container expiry and fetch times must not move between the two calls of an example.
    with ServerThread(create_app(Settings(seed=3, clock=ManualClock()))) as server:
        yield server


def _strip(message: anthropic.types.Message) -> dict[str, Any]:
    data = message.model_dump()
    data.pop("id")
    for block in data["content"]:
        block.pop("id", None)
        block.pop("tool_use_id", None)
    if data.get("container"):
        data["container"].pop("id")
    return data


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(reply=replies, streamed_first=st.booleans())
def test_create_equals_stream_for_random_replies(
    srv: ServerThread, reply: dict[str, Any], streamed_first: bool
) -> None:
    engine: Engine = srv.app[PIPELINE].engine
    engine.reset()
    engine.stubs.add({"reply": reply})
    client = anthropic.Anthropic(base_url=srv.url, api_key="sk-test", max_retries=0)
    params: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 512,
        "tools": [LOOKUP, {"type": "web_search_20250305", "name": "web_search"}],
        "messages": [{"role": "user", "content": "parity check"}],
    }

    def stream() -> anthropic.types.Message:
        with client.messages.stream(**params) as s:
            return s.get_final_message()

    if streamed_first:
        streamed, created = stream(), client.messages.create(**params)
    else:
        created, streamed = client.messages.create(**params), stream()
    assert _strip(created) == _strip(streamed)
    assert created.id != streamed.id
    engine.reset()
