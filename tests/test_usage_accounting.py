"""The prompt layout the cache and usage build on, and incremental counting (no socket: internals only).

What a client can observe (counts, usage, the invariant with count_tokens) is tested through the SDK in
``test_usage.py``; here we check the contract of ``PromptLayout`` / ``Segment`` and that counting is memoised.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import orjson
import pytest

from mockclaude import ids
from mockclaude.model.catalog import get_catalog
from mockclaude.model.request import Policy, ValidatedRequest
from mockclaude.tokenize.accounting import InputAccountant, PromptLayout
from mockclaude.tokenize.encoding import TokenCounter, get_counter
from mockclaude.tokenize.media import fit_image
from mockclaude.validate.request import validate_request

HEADERS = {"x-api-key": "sk-test", "anthropic-version": "2023-06-01"}
POLICY = Policy(catalog=get_catalog(), seed=0)
WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "with",
    "was",
    "on",
    "be",
    "by",
    "this",
    "are",
    "from",
    "at",
    "or",
    "an",
    "have",
    "not",
]


class SpyCounter:
    """A TokenCounter that records every text it counts."""

    def __init__(self, inner: TokenCounter) -> None:
        self.inner = inner
        self.name = inner.name
        self.seen: list[str] = []

    def count(self, text: str) -> int:
        self.seen.append(text)
        return self.inner.count(text)

    def encode(self, text: str) -> list[int]:
        return self.inner.encode(text)

    def decode(self, tokens: Sequence[int]) -> str:
        return self.inner.decode(tokens)

    def normalize(self, text: str) -> str:
        return self.inner.normalize(text)

    def truncate(self, text: str, max_tokens: int) -> str:
        return self.inner.truncate(text, max_tokens)


def request(kind: str = "messages", **body: Any) -> ValidatedRequest:
    body.setdefault("model", "claude-sonnet-4-6")
    if kind == "messages":
        body.setdefault("max_tokens", 100)
    return validate_request(orjson.dumps(body), HEADERS, POLICY, kind=kind)  # type: ignore[arg-type]


def conversation(turns: int, words_per_turn: int = 60) -> list[dict[str, Any]]:
    rng = random.Random(turns)
    messages = []
    for i in range(turns):
        text = " ".join(rng.choice(WORDS) for _ in range(words_per_turn)) + f" (turn {i})"
        messages.append({"role": "user" if i % 2 == 0 else "assistant", "content": text})
    if messages[-1]["role"] == "assistant":
        messages.append({"role": "user", "content": "Go on."})
    return messages


def check_layout(layout: PromptLayout) -> None:
    end = 0
    for segment in layout.segments:
        assert segment.tokens >= 0
        end += segment.tokens
        assert segment.end == end
    assert layout.total >= end  # the tail (request framing, thinking prompt) is never in a segment


def test_layout_contract() -> None:
    req = request(
        tools=[{"name": "t", "description": "d", "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
        system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "there"}]}],
    )  # fmt: skip
    layout = InputAccountant(get_counter()).layout(req)
    check_layout(layout)
    assert [(s.part, s.path, s.kind, s.cache_ttl) for s in layout.segments] == [
        ("tools", "tools.0", "tool", "1h"),
        ("system", "system.0", "text", "5m"),
        ("messages", "messages.0.content.0", "text", None),
        ("messages", "messages.0.content.1", "text", None),
    ]
    tokens = [s.tokens for s in layout.segments]
    assert tokens[0] == 346 + 1 + 1 + 5  # tool-use prompt + name + description + {"type":"object"}
    assert tokens[2:] == [4 + 1, 1]  # turn framing rides on the first block of the turn
    assert layout.total == layout.segments[-1].end + 3


def test_digest_ignores_cache_control_only() -> None:
    accountant = InputAccountant(get_counter())
    plain = accountant.layout(request(messages=[{"role": "user", "content": "Hello there"}]))
    marked = accountant.layout(
        request(messages=[{"role": "user", "content": [{"type": "text", "text": "Hello there", "cache_control": {"type": "ephemeral"}}]}])
    )  # fmt: skip
    other = accountant.layout(request(messages=[{"role": "user", "content": "Hello there!"}]))
    assert plain.segments[0].digest == marked.segments[0].digest != other.segments[0].digest
    assert plain.total == marked.total
    results = []
    for mark in (None, {"type": "ephemeral"}):
        inner = {"type": "text", "text": "42", **({"cache_control": mark} if mark else {})}
        turns = [
            {"role": "user", "content": "Use the tool"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "toolu_1", "name": "t", "input": {}}],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [inner]}],
            },
        ]
        results.append(accountant.layout(request(messages=turns)).segments[-1].digest)
    assert results[0] == results[1]  # a nested mark does not change the block's digest either


def test_a_grown_conversation_only_counts_the_new_turn() -> None:
    spy = SpyCounter(get_counter())
    accountant = InputAccountant(spy)
    history = conversation(41)
    first = accountant.layout(request(messages=history))
    assert len(spy.seen) == len(history)
    spy.seen.clear()
    grown = [
        *history,
        {"role": "assistant", "content": "A new answer."},
        {"role": "user", "content": "And then?"},
    ]
    second = accountant.layout(request(messages=grown))
    assert spy.seen == ["A new answer.", "And then?"]
    assert [s.tokens for s in second.segments[: len(first.segments)]] == [s.tokens for s in first.segments]
    spy.seen.clear()
    assert accountant.layout(request(messages=grown)).total == second.total
    assert spy.seen == []


def test_memo_is_bounded() -> None:
    spy = SpyCounter(get_counter())
    accountant = InputAccountant(spy, memo_size=4)
    history = conversation(9)
    accountant.layout(request(messages=history))
    assert len(accountant._memo) == 4
    spy.seen.clear()
    accountant.layout(request(messages=history))
    assert spy.seen == [m["content"] for m in history[:5]]  # only the 4 most recently used stayed


def test_count_tokens_request_counts_like_messages() -> None:
    accountant = InputAccountant(get_counter())
    messages = conversation(5)
    body = {"system": "You are terse.", "messages": messages}
    assert accountant.count(request("count_tokens", **body)) == accountant.count(request(**body))


def test_same_request_same_layout_across_instances() -> None:
    body = {"messages": conversation(7), "system": "S"}
    a = InputAccountant(get_counter()).layout(request(**body))
    b = InputAccountant(get_counter()).layout(request(**body))
    assert a == b


def test_stripped_thinking_keeps_its_segment_with_a_new_digest() -> None:
    thought = "Let me think about the weather."
    turns = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": thought, "signature": ids.sign_thinking(0, thought)},
            {"type": "text", "text": "Sunny."},
        ]},
        {"role": "user", "content": "Thanks"},
    ]  # fmt: skip
    accountant = InputAccountant(get_counter())
    stripped = accountant.layout(request(model="claude-sonnet-4-5", messages=turns))
    kept = accountant.layout(request(model="claude-opus-4-5", messages=turns))
    s_thinking, k_thinking = stripped.segments[1], kept.segments[1]
    assert s_thinking.kind == k_thinking.kind == "thinking"
    assert s_thinking.tokens == 4  # only the turn framing it carries
    assert k_thinking.tokens == 4 + get_counter().count(thought)
    assert s_thinking.digest != k_thinking.digest
    assert stripped.segments[0].digest == kept.segments[0].digest
    check_layout(stripped)


def test_thinking_prompt_is_in_the_tail() -> None:
    accountant = InputAccountant(get_counter())
    body = {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "Hi"}]}
    off = accountant.layout(request(**body))
    on = accountant.layout(
        request(**body, max_tokens=4000, thinking={"type": "enabled", "budget_tokens": 1024})
    )
    assert on.segments == off.segments
    assert on.total - off.total == 33


@pytest.mark.parametrize(
    ("size", "limits", "expected"),
    [
        ((1092, 1092), (1568, 1568), (1092, 1092)),  # DOCS vision.md: the largest sizes not resized
        ((951, 1268), (1568, 1568), (951, 1268)),
        ((896, 1344), (1568, 1568), (896, 1344)),
        ((819, 1456), (1568, 1568), (819, 1456)),
        ((784, 1568), (1568, 1568), (784, 1568)),
        ((1093, 1093), (1568, 1568), (1092, 1092)),
        ((897, 1346), (1568, 1568), (896, 1345)),  # 32 x 49 = 1568 patches
        ((5000, 100), (1568, 1568), (1568, 31)),  # the long-edge rule
        ((8000, 8000), (2576, 4784), (1932, 1932)),  # high-res models: ~3.75 MP
        ((2576, 1449), (2576, 4784), (2576, 1449)),
    ],
)
def test_fit_image(size: tuple[int, int], limits: tuple[int, int], expected: tuple[int, int]) -> None:
    assert fit_image(*size, *limits) == expected


def test_every_block_type_is_counted() -> None:
    """One request carrying every block type a replayed conversation can hold: each costs something, none raises."""
    doc = {"type": "text", "media_type": "text/plain", "data": "Page text."}
    assistant = [
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "weather"}},
        {
            "type": "web_search_tool_result",
            "tool_use_id": "srvtoolu_1",
            "content": [
                {
                    "type": "web_search_result",
                    "url": "https://a.example",
                    "title": "A",
                    "encrypted_content": "RW5jcnlwdGVk" * 20,
                    "page_age": "May 1",
                },
            ],
        },
        {
            "type": "server_tool_use",
            "id": "srvtoolu_2",
            "name": "web_fetch",
            "input": {"url": "https://a.example"},
        },
        {
            "type": "web_fetch_tool_result",
            "tool_use_id": "srvtoolu_2",
            "content": {
                "type": "web_fetch_result",
                "url": "https://a.example",
                "content": {"type": "document", "source": doc},
            },
        },
        {
            "type": "server_tool_use",
            "id": "srvtoolu_3",
            "name": "code_execution",
            "input": {"code": "print(4)"},
        },
        {
            "type": "code_execution_tool_result",
            "tool_use_id": "srvtoolu_3",
            "content": {
                "type": "code_execution_result",
                "stdout": "4\n",
                "stderr": "",
                "return_code": 0,
                "content": [],
            },
        },
        {"type": "text", "text": "Done.", "citations": None},
        {"type": "tool_use", "id": "toolu_9", "name": "lookup", "input": {"q": "x"}},
    ]
    user = [
        {
            "type": "tool_result",
            "tool_use_id": "toolu_9",
            "content": [
                {"type": "text", "text": "result"},
                {
                    "type": "search_result",
                    "source": "kb://1",
                    "title": "KB",
                    "content": [{"type": "text", "text": "passage"}],
                },
                {
                    "type": "document",
                    "source": {"type": "content", "content": [{"type": "text", "text": "inner"}]},
                },
            ],
        },
        {
            "type": "search_result",
            "source": "kb://2",
            "title": "KB2",
            "content": [{"type": "text", "text": "p2"}],
        },
        {"type": "document", "source": {"type": "url", "url": "https://a.example/a.pdf"}, "title": "Remote"},
        {"type": "container_upload", "file_id": "file_011CA"},
        {"type": "text", "text": "Thanks"},
    ]
    tools = [
        {"name": "lookup", "description": "Look up", "input_schema": {"type": "object"}},
        {"type": "bash_20250124", "name": "bash"},
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 3},
    ]
    req = request(
        model="claude-sonnet-4-5",
        tools=tools,
        messages=[{"role": "user", "content": "Search"}, {"role": "assistant", "content": assistant}, {"role": "user", "content": user}],
    )  # fmt: skip
    layout = InputAccountant(get_counter()).layout(req)
    check_layout(layout)
    assert all(s.tokens > 0 for s in layout.segments)
    by_path = {s.path: s.tokens for s in layout.segments}
    assert by_path["tools.1"] == 245  # the docs' bash tool figure
    assert (
        by_path["messages.2.content.2"] > 1500
    )  # a PDF by URL: one page of text + its image (documented default)
