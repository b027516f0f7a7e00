"""Issue 19, item 1: no request can stall the server with a catastrophically backtracking regex.

Tool ``input_schema`` patterns (``pattern``, ``patternProperties``) reach the schema-valid generator by every route
that generates tool input: ``tool_choice`` naming the tool, ``auto`` with the tool named in the question, chat
completions and batch items. Each must answer within a second, and ``/_mock/health`` must keep answering.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from mockclaude.engine.saferegex import SEARCH_SECONDS, Budget, user_pattern
from mockclaude.server.runner import ServerThread
from tests import rawhttp

# ^(a+)+(?=b) and ^(\d+)*(?=x) are the issue's; (a|a)*$ is one the regex package itself backtracks on; the nested
# counted repeat is one it would never finish compiling.
EVIL = [r"^(a+)+(?=b)", r"^(\d+)*(?=x)", r"^(a|a)*$", r"^(a|aa)+$", r"((a{1000}){1000}){1000}"]
SECOND = 1.0


def _tool(schema: dict[str, Any], name: str = "lookup_code") -> dict[str, Any]:
    return {"name": name, "description": "Look up a code", "input_schema": schema}


def _string_schema(pattern: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"code": {"type": "string", "pattern": pattern}},
        "required": ["code"],
    }


def _pattern_properties(pattern: str) -> dict[str, Any]:
    return {"type": "object", "patternProperties": {pattern: {"type": "string"}}, "minProperties": 2}


def _messages_body(schema: dict[str, Any], choice: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": "claude-sonnet-4-6",
        "max_tokens": 8192,
        "messages": [{"role": "user", "content": "Please lookup code aaaaaaaaaaaaaaaaaaaaaaaaaaaa now"}],
        "tools": [_tool(schema)],
        "tool_choice": choice,
    }


def _timed(method: str, url: str, **kwargs: Any) -> tuple[rawhttp.Response, float]:
    start = time.monotonic()
    response = rawhttp.request(method, url, timeout=30, **kwargs)
    return response, time.monotonic() - start


class _HealthProbe:
    """Polls /_mock/health from another thread while a request runs; records the slowest answer."""

    def __init__(self, url: str) -> None:
        self.url, self.worst, self.failures = url, 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            response, took = _timed("GET", self.url + "/_mock/health")
            self.worst = max(self.worst, took)
            self.failures += response.status != 200
            time.sleep(0.02)

    def __enter__(self) -> _HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def _assert_tool_input(response: rawhttp.Response) -> None:
    assert response.status == 200, response.text
    blocks = [b for b in response.json()["content"] if b["type"] == "tool_use"]
    assert blocks and isinstance(blocks[0]["input"], dict)


@pytest.mark.parametrize("pattern", EVIL)
@pytest.mark.parametrize("where", ["pattern", "patternProperties"])
def test_backtracking_pattern_in_a_forced_tool_call_answers_fast(
    server: ServerThread, pattern: str, where: str
) -> None:
    schema = _string_schema(pattern) if where == "pattern" else _pattern_properties(pattern)
    body = _messages_body(schema, {"type": "tool", "name": "lookup_code"})
    with _HealthProbe(server.url) as probe:
        response, took = _timed("POST", server.url + "/v1/messages", json_body=body)
    _assert_tool_input(response)
    assert took < SECOND, took
    assert probe.failures == 0 and probe.worst < SECOND, probe.worst
    assert rawhttp.request("GET", server.url + "/_mock/health").status == 200


@pytest.mark.parametrize("pattern", EVIL[:3])
def test_backtracking_pattern_with_auto_tool_choice_naming_the_tool(
    server: ServerThread, pattern: str
) -> None:
    body = _messages_body(_string_schema(pattern), {"type": "auto"})
    response, took = _timed("POST", server.url + "/v1/messages", json_body=body)
    _assert_tool_input(response)
    assert took < SECOND, took


@pytest.mark.parametrize("stream", [False, True])
def test_backtracking_pattern_through_chat_completions(server: ServerThread, stream: bool) -> None:
    body = {
        "model": "claude-sonnet-4-6",
        "messages": [{"role": "user", "content": "lookup code aaaaaaaaaaaaaaaaaaaaaaaaaaaa"}],
        "tools": [
            {
                "type": "function",
                "function": {"name": "lookup_code", "parameters": _string_schema(r"^(a|a)*$")},
            }
        ],
        "tool_choice": "required",
        "stream": stream,
    }
    headers = {"authorization": "Bearer sk-test"}
    response, took = _timed(
        "POST", server.url + "/v1/chat/completions", json_body=body, headers=headers, default_headers=False
    )
    assert response.status == 200, response.text
    assert b"lookup_code" in response.content
    assert took < SECOND, took


def test_backtracking_pattern_in_batch_items(server: ServerThread) -> None:
    items = [
        {"custom_id": f"evil-{i}", "params": _messages_body(_string_schema(p), {"type": "any"})}
        for i, p in enumerate(EVIL)
    ]
    created, took = _timed("POST", server.url + "/v1/messages/batches", json_body={"requests": items})
    assert created.status == 200, created.text
    batch_id = created.json()["id"]
    results, took_results = _timed("GET", f"{server.url}/v1/messages/batches/{batch_id}/results")
    assert results.status == 200, results.text
    assert results.text.count('"succeeded"') == len(EVIL)
    assert took + took_results < 2 * SECOND, (took, took_results)


def test_a_search_is_bounded_and_a_slow_pattern_is_remembered() -> None:
    pattern = user_pattern(r"^(x|x)*$")
    assert pattern is not None
    start = time.monotonic()
    assert pattern.search("x" * 40 + "!") is None  # undecided in time
    assert time.monotonic() - start < 10 * SEARCH_SECONDS
    assert pattern.slow
    start = time.monotonic()
    assert pattern.search("x" * 40 + "!") is None
    assert time.monotonic() - start < SEARCH_SECONDS  # no second attempt


def test_ordinary_patterns_still_decide_and_a_spent_budget_stops_searching() -> None:
    pattern = user_pattern(r"^[a-z]{3}-\d{2}$")
    assert pattern is not None
    assert pattern.search("abc-12") is True and pattern.search("abc-1") is False
    spent = Budget(0.0)
    assert pattern.search("abc-12", spent) is None and not pattern.slow
    assert user_pattern("(") is None  # not a regex: no pattern, as before
