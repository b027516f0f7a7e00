"""``make fuzz``: hostile requests over every route of a served mock, with a report.

A real ``mockclaude serve`` runs on loopback (port 0); hypothesis (derandomized: the same cases every run) draws
requests for every route: valid bodies with one value swapped for an odd one, random JSON, raw bytes, odd headers
and query strings, odd admin bodies. Each answer is checked: no 5xx, every error in its route's shape (the
Anthropic ``{"type": "error", ...}`` with the ``request-id``, OpenAI's on the chat route), no stall (a request over
``--timeout``). A second thread polls ``/_mock/health`` throughout; an answer slower than 100 ms is a stall.

    python -m tools.fuzz [--requests 100000] [--timeout 10] [--seed 0]

Exits 1 when anything failed. Settings that make failures by design are never fuzzed (chaos, latency, scripted
errors and faults); the server is reset every 500 requests. ``tests/test_fuzz.py`` runs a short fixed run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tools.served import start_serve

MODEL = "claude-sonnet-4-6"
TOOL = {
    "name": "get_weather",
    "description": "Weather",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string", "pattern": "^[A-Z][a-z]+$"}},
    },
}
SEEDS: list[dict[str, Any]] = [
    {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "Hello"}]},
    {
        "model": MODEL,
        "max_tokens": 64,
        "stream": True,
        "tools": [TOOL],
        "tool_choice": {"type": "any"},
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]}],
    },
    {
        "model": MODEL,
        "max_tokens": 64,
        "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        "messages": [
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}],
            },
        ],
        "tools": [TOOL],
    },
]
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": "Hello"}], "tools": [{"type": "function", "function": {"name": "f", "parameters": TOOL["input_schema"]}}]}  # fmt: skip
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["", "\x00", "\ud7ff", "💥" * 50, "a" * 5000, "^(a+)+$", "{{ headers.x-api-key }}"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
ADMIN_KEYS = ["seed", "strict", "any_model", "api_keys", "tokenizer", "script", "path", "match", "reply", "name", "state", "timestamp", "time", "seconds", "minutes", "hours", "stubs", "endpoint", "replace", "batch_seconds"]  # fmt: skip
ADMIN_POSTS = ["/_mock/reset", "/_mock/seed", "/_mock/strict", "/_mock/stubs", "/_mock/script", "/_mock/journal/search", "/_mock/scenarios", "/_mock/clock/set", "/_mock/clock/advance"]  # fmt: skip
GETS = ["/v1/models", "/v1/models/claude-sonnet-4-6", "/v1/models/x", "/v1/messages/batches", "/v1/messages/batches/msgbatch_x", "/v1/messages/batches/msgbatch_x/results", "/_mock/journal", "/_mock/journal/unmatched", "/_mock/stubs", "/_mock/check", "/_mock/cache", "/_mock/usage", "/_mock/clock", "/_mock/scenarios", "/_mock/seed", "/nope", "/v1/messages"]  # fmt: skip
FORBIDDEN = ("chaos", "time_scale", "rate_limits", "fault", "latency", "error", "callback")


@dataclass
class Case:
    """One request: method, path, headers and body bytes."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None


def _mutate(data: Any, path: list[Any], value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    if isinstance(data, dict) and data:
        key = list(data)[head % len(data)]
        return {**data, key: _mutate(data[key], rest, value)}
    if isinstance(data, list) and data:
        index = head % len(data)
        return [*data[:index], _mutate(data[index], rest, value), *data[index + 1 :]]
    return value


@st.composite
def _body(draw: st.DrawFn, seed_bodies: list[dict[str, Any]]) -> bytes:
    kind = draw(st.sampled_from(["valid", "mutate", "mutate", "mutate", "json", "bytes", "deep"]))
    if kind == "valid":
        return json.dumps(draw(st.sampled_from(seed_bodies))).encode()
    if kind == "mutate":
        path = draw(st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=5))
        return json.dumps(_mutate(draw(st.sampled_from(seed_bodies)), path, draw(ODD))).encode(
            "utf-8", "surrogatepass"
        )
    if kind == "json":
        return json.dumps(draw(JSON)).encode("utf-8", "surrogatepass")
    if kind == "deep":
        depth = draw(st.integers(min_value=150, max_value=1100))
        return (
            b'{"model":"claude-sonnet-4-6","max_tokens":5,"messages":[{"role":"user","content":'
            + b"[" * depth
            + b"]" * depth
            + b"}]}"
        )
    return draw(st.binary(max_size=200))


HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "anthropic-version": st.sampled_from(["2026-10-21", "x", ""]),
        "anthropic-beta": st.sampled_from(["", "a,,b", "interleaved-thinking-2025-05-14"]),
        "content-type": st.sampled_from(["text/plain", "application/json; charset=utf-8"]),
        "origin": st.sampled_from(["http://localhost:3000", "https://evil.example"]),
        "x-odd": st.sampled_from(["é", "\t", "a" * 2000]),
    },
)
AUTH = st.sampled_from(
    [{"x-api-key": "sk-fuzz"}] * 8
    + [{"authorization": "Bearer sk-fuzz"}, {"x-api-key": "sk-fuzz", "authorization": "Bearer sk-fuzz"}, {}]
    + [{"x-api-key": ""}, {"x-api-key": "sk-other"}, {"authorization": "Basic x"}]
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A request for any route."""
    headers = {"anthropic-version": "2023-06-01", "content-type": "application/json", **draw(AUTH)}
    if draw(st.integers(min_value=0, max_value=3)) == 0:  # a quarter of the requests: odd headers too
        headers.update(draw(HEADERS))
    route = draw(
        st.sampled_from(["messages", "messages", "count", "chat", "batch", "get", "admin", "method"])
    )
    if route in ("messages", "count"):
        bodies = (
            SEEDS
            if route == "messages"
            else [{k: v for k, v in s.items() if k not in ("max_tokens", "stream")} for s in SEEDS]
        )
        path = "/v1/messages" if route == "messages" else "/v1/messages/count_tokens"
        return Case("POST", path, headers, draw(_body(bodies)))
    if route == "chat":
        return Case("POST", "/v1/chat/completions", headers, draw(_body([CHAT])))
    if route == "batch":
        envelope = {"requests": [{"custom_id": "a", "params": SEEDS[0]}]}
        return Case("POST", "/v1/messages/batches", headers, draw(_body([envelope])))
    if route == "get":
        query = draw(
            st.sampled_from(["", "?limit=0", "?limit=x", "?after_id=nope", "?limit=-5", "?api_key=%ff"])
        )
        return Case("GET", draw(st.sampled_from(GETS)) + query, headers, None)
    if route == "method":
        return Case(
            draw(st.sampled_from(["PUT", "PATCH", "DELETE", "OPTIONS"])),
            draw(st.sampled_from(GETS)),
            headers,
            None,
        )
    keys = draw(st.lists(st.sampled_from(ADMIN_KEYS), max_size=3, unique=True))
    body = {key: draw(ODD) for key in keys}
    return Case(
        "POST", draw(st.sampled_from(ADMIN_POSTS)), headers, json.dumps(body).encode("utf-8", "surrogatepass")
    )


@dataclass
class Report:
    """What a run saw."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)
    health_worst: float = 0.0
    health_slow: int = 0

    def fail(self, case: Case, why: str) -> None:
        """Record a failure (the first 50 are kept)."""
        if len(self.failures) < 50:
            self.failures.append(f"{case.method} {case.path} {why} body={(case.body or b'')[:120]!r}")


def check(case: Case, status: int, headers: dict[str, str], body: bytes, report: Report) -> None:
    """The answer's status and shape."""
    if status >= 500:
        report.fail(case, f"answered {status}: {body[:200]!r}")
    if status < 400:
        return
    try:
        data = json.loads(body)
    except ValueError:
        report.fail(case, f"{status} not JSON: {body[:200]!r}")
        return
    if case.path.startswith("/v1/chat/completions"):
        ok = (
            isinstance(data, dict)
            and set(data) == {"error"}
            and isinstance(data["error"].get("message"), str)
        )
    else:
        error = data.get("error") if isinstance(data, dict) else None
        ok = (
            isinstance(error, dict)
            and data.get("type") == "error"
            and isinstance(error.get("type"), str)
            and isinstance(error.get("message"), str)
            and data.get("request_id") == headers.get("request-id")
        )
    if not ok:
        report.fail(case, f"{status} outside the route's error shape: {body[:200]!r}")


class Client:
    """One keep-alive connection, reopened after the server closes it."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def send(self, case: Case) -> tuple[int, dict[str, str], bytes]:
        """Status, lower-cased headers and body of ``case``'s answer (one retry on a fresh connection)."""
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(case.method, case.path, body=case.body, headers=case.headers)
                response = self.conn.getresponse()
                body = response.read()
                headers = {k.lower(): v for k, v in response.getheaders()}
                if headers.get("connection", "").lower() == "close":
                    self.close()
                return response.status, headers, body
            except (ConnectionError, http.client.HTTPException) as exc:
                self.close()
                if attempt:
                    raise ConnectionError(str(exc)) from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connection (the next send opens another)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _poll_health(port: int, stop: threading.Event, report: Report) -> None:
    client = Client(port, 5.0)
    while not stop.is_set():
        start = time.monotonic()
        try:
            client.send(Case("GET", "/_mock/health", {}, None))
        except (ConnectionError, TimeoutError, OSError):
            report.health_slow += 1
        took = time.monotonic() - start
        report.health_worst = max(report.health_worst, took)
        report.health_slow += took > 0.1
        time.sleep(0.05)


def run(port: int, requests: int, timeout: float, seed: int) -> Report:
    """Send ``requests`` drawn cases to the server on ``port``; return what was seen."""
    report = Report()
    client = Client(port, timeout)
    stop = threading.Event()
    poller = threading.Thread(target=_poll_health, args=(port, stop, report), daemon=True)
    poller.start()
    reset = Case("POST", "/_mock/reset", {"content-type": "application/json"}, json.dumps({"seed": 0, "strict": False, "tokenizer": "claude-v1", "any_model": False, "api_keys": None, "batch_seconds": 0}).encode())  # fmt: skip

    @settings(max_examples=requests, database=None, derandomize=True, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=cases())
    def one(case: Case) -> None:
        if any(
            word in (case.body or b"").decode("utf-8", "replace")
            for word in FORBIDDEN
            if case.path.startswith("/_mock")
        ):
            return
        report.requests += 1
        if report.requests % 500 == 0:
            client.send(reset)
        start = time.monotonic()
        try:
            status, headers, body = client.send(case)
        except (ConnectionError, TimeoutError, OSError) as exc:
            report.fail(case, f"no answer ({type(exc).__name__}: {exc})")
            return
        took = time.monotonic() - start
        report.statuses[status] += 1
        what = f"{case.method} {case.path} -> {status} {(case.body or b'')[:100]!r}"
        report.slowest = sorted([*report.slowest, (took, what)], reverse=True)[:5]
        check(case, status, headers, body, report)

    try:
        one()
    finally:
        stop.set()
        poller.join(timeout=10)
        client.close()
    return report


def main(argv: list[str] | None = None) -> int:
    """``make fuzz``: serve, fuzz, report; 1 when anything failed."""
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    served = start_serve("--seed", str(args.seed))
    if served is None:
        print("mockclaude serve did not start", file=sys.stderr)
        return 1
    proc, url = served
    port = int(url.rsplit(":", 1)[1])
    started = time.monotonic()
    try:
        report = run(port, args.requests, args.timeout, args.seed)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    elapsed = time.monotonic() - started
    print(f"requests: {report.requests} in {elapsed:.0f} s")
    print("statuses:", dict(sorted(report.statuses.items())))
    print(f"5xx: {sum(n for s, n in report.statuses.items() if s >= 500)}; failures: {len(report.failures)}")
    print(f"health: worst {report.health_worst * 1000:.0f} ms, over 100 ms {report.health_slow} times")
    print("slowest:", *(f"  {took * 1000:.0f} ms {what}" for took, what in report.slowest), sep="\n")
    for failure in report.failures:
        print("FAIL", failure)
    return 1 if report.failures or report.health_slow else 0


if __name__ == "__main__":
    sys.exit(main())
