"""The ``/_mock`` control plane for the cache and the clock, concurrency, eviction, and a real ``mockclaude serve``
process running the seed page's prompt-caching snippet twice (a write, then a read)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from tests import rawhttp
from tests.serve_proc import start_serve
from tests.test_cache import SONNET, Mock, expect, long_text, start_mock, system_request, usage_of
from tests.test_cache import key as key  # the per-test API key fixture
from tests.test_seed_snippets import SNIPPETS, run_snippet


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    m = start_mock()
    yield m
    m.server.stop()


@pytest.fixture
def sdk(mock: Mock, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.url, api_key=key, max_retries=0)


# -- clock routes ------------------------------------------------------------------------------------------------


def test_clock_routes_move_the_manual_clock(mock: Mock) -> None:
    before = rawhttp.request("GET", mock.url + "/_mock/clock").json()
    assert before["now"] == mock.clock.now()
    moved = rawhttp.post(mock.url + "/_mock/clock/advance", json_body={"seconds": 90}).json()
    assert moved["now"] == before["now"] + 90 == mock.clock.now()
    moved = rawhttp.post(mock.url + "/_mock/clock/advance", json_body={"minutes": 1, "hours": 1}).json()
    assert moved["now"] == before["now"] + 90 + 3660
    jumped = rawhttp.post(mock.url + "/_mock/clock/set", json_body={"time": "2027-03-01T12:00:00Z"}).json()
    assert jumped["time"] == "2027-03-01T12:00:00Z" and mock.clock.now() == jumped["now"]
    rawhttp.post(mock.url + "/_mock/clock/set", json_body={"timestamp": before["now"] + 4000})
    assert mock.clock.now() == before["now"] + 4000


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/_mock/clock/advance", b"{", "The request body is not valid JSON"),
        ("/_mock/clock/advance", b"[1]", "The request body must be a JSON object"),
        ("/_mock/clock/advance", b"{}", "seconds: Field required"),
        ("/_mock/clock/advance", b'{"seconds": -1}', "seconds: Input should be greater than or equal to 0"),
        ("/_mock/clock/advance", b'{"seconds": "5"}', "seconds: Input should be a valid number"),
        ("/_mock/clock/advance", b'{"secs": 5}', "secs: Extra inputs are not permitted"),
        ("/_mock/clock/set", b"{}", "timestamp: Field required"),
        ("/_mock/clock/set", b'{"time": "tomorrow"}', "time: Input should be an RFC 3339 date-time"),
    ],
)
def test_clock_routes_reject_bad_bodies(mock: Mock, path: str, body: bytes, message: str) -> None:
    now = mock.clock.now()
    response = rawhttp.post(mock.url + path, body=body)
    assert response.status == 400
    payload = response.json()
    assert payload["type"] == "error" and payload["error"]["type"] == "invalid_request_error"
    assert payload["error"]["message"].startswith(message)
    assert payload["request_id"] == response.headers["request-id"]
    assert mock.clock.now() == now


def test_admin_routes_answer_405_to_other_methods(mock: Mock) -> None:
    response = rawhttp.request("GET", mock.url + "/_mock/clock/advance")
    assert response.status == 405
    # The edge's 405 shape (model/errors.py): the route exists, so not not_found_error (issue 19), with Allow.
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.headers["allow"] == "POST"


# -- cache routes --------------------------------------------------------------------------------------------


def test_cache_route_lists_and_deletes_entries(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request()
    ends, total = mock.layout(key, **params)
    prefix = ends["system.0"]
    sdk.messages.create(**params)
    sdk.messages.create(**params)
    view = rawhttp.request("GET", f"{mock.url}/_mock/cache?api_key={key}").json()
    assert view["scopes"] == [{"api_key": key, "model": SONNET, "entries": 1, "tokens": prefix}]
    (entry,) = view["data"]
    assert entry["tokens"] == prefix and entry["ttl"] == "5m" and entry["hits"] == 1 and entry["readable"]
    assert entry["expires_in_seconds"] == 300
    assert view["max_entries"] == 100_000 and view["entries"] >= 1
    by_alias = rawhttp.request("GET", f"{mock.url}/_mock/cache?api_key={key}&model=claude-sonnet-4-6").json()
    assert by_alias["scopes"] == view["scopes"]
    deleted = rawhttp.request("DELETE", f"{mock.url}/_mock/cache?api_key={key}").json()
    assert deleted == {"deleted": 1}
    assert usage_of(sdk.messages.create(**params)) == expect(total, w5m=prefix)


def test_cache_route_rejects_a_bad_limit(mock: Mock) -> None:
    response = rawhttp.request("GET", mock.url + "/_mock/cache?limit=many")
    assert response.status == 400
    assert response.json()["error"]["message"] == "limit: Input should be a valid integer"


# -- concurrency and eviction ---------------------------------------------------------------------------------


def test_parallel_requests_all_miss_until_the_first_reply_began() -> None:
    # ttft_scale=1: an entry is readable one model time-to-first-token (Sonnet 4.6: 600 ms in the catalog) after
    # its write. Requests at the same virtual instant are "parallel": each one misses and pays the write.
    mock = start_mock(cache_ttft_scale=1.0)
    try:
        sdk = anthropic.Anthropic(base_url=mock.url, api_key="sk-parallel", max_retries=0)
        params = system_request()
        ends, total = mock.layout("sk-parallel", **params)
        write, read = expect(total, w5m=ends["system.0"]), expect(total, read=ends["system.0"])
        assert [usage_of(sdk.messages.create(**params)) for _ in range(3)] == [write] * 3
        mock.clock.advance(seconds=0.5)
        assert usage_of(sdk.messages.create(**params)) == write  # still before the first reply began
        mock.clock.advance(seconds=0.11)
        assert usage_of(sdk.messages.create(**params)) == read
    finally:
        mock.server.stop()


def test_eviction_only_turns_hits_into_misses() -> None:
    mock = start_mock(cache_max_entries=2)
    try:
        sdk = anthropic.Anthropic(base_url=mock.url, api_key="sk-evict", max_retries=0)
        prompts = [system_request(salt=salt) for salt in ("a", "b", "c")]
        layouts = [mock.layout("sk-evict", **p) for p in prompts]
        write = [expect(total, w5m=ends["system.0"]) for ends, total in layouts]
        read = [expect(total, read=ends["system.0"]) for ends, total in layouts]
        assert [usage_of(sdk.messages.create(**p)) for p in prompts] == write  # a is evicted by c
        assert usage_of(sdk.messages.create(**prompts[2])) == read[2]
        assert usage_of(sdk.messages.create(**prompts[1])) == read[1]
        assert usage_of(sdk.messages.create(**prompts[0])) == write[0]  # a miss, written again; evicts c
        assert usage_of(sdk.messages.create(**prompts[1])) == read[1]
        view = mock.pipeline.cache.snapshot()
        assert view["entries"] == 2 and view["evictions"] == 2
    finally:
        mock.server.stop()


# -- a real `mockclaude serve` -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    proc, url = start_serve("--cache-max-entries", "50000")
    try:
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


def _caching_snippet() -> str:
    # The seed page's snippet verbatim, but for instructions long enough to cache on Sonnet 4.6 (2,048 tokens).
    return SNIPPETS["prompt_caching"].replace("[Long detailed instructions...]", long_text(2000, "review-"))


def test_seed_snippet_twice_against_serve_writes_then_reads(served: str) -> None:
    printed_first, first = run_snippet(_caching_snippet(), served)
    printed_second, second = run_snippet(_caching_snippet(), served)
    written = first["message"].usage.cache_creation_input_tokens
    assert written > 2048 and first["message"].usage.cache_read_input_tokens == 0
    assert f"cache_creation_input_tokens={written}" in printed_first
    assert second["message"].usage.cache_read_input_tokens == written
    assert second["message"].usage.cache_creation_input_tokens == 0
    assert f"cache_read_input_tokens={written}" in printed_second
    assert first["message"].usage.input_tokens == second["message"].usage.input_tokens


def test_serve_clock_advance_expires_entries_without_sleeping(served: str) -> None:
    sdk = anthropic.Anthropic(base_url=served, api_key="sk-serve-clock", max_retries=0)
    params: dict[str, Any] = system_request(salt="serve")
    first = usage_of(sdk.messages.create(**params))
    assert first["write"] > 0 and first["read"] == 0
    assert usage_of(sdk.messages.create(**params))["read"] == first["write"]
    before = rawhttp.request("GET", served + "/_mock/clock").json()["now"]
    moved = rawhttp.post(served + "/_mock/clock/advance", json_body={"seconds": 301}).json()
    assert moved["now"] - before >= 301
    assert usage_of(sdk.messages.create(**params)) == first
    assert (
        rawhttp.request("GET", served + "/_mock/cache").json()["max_entries"] == 50_000
    )  # --cache-max-entries
    usage = rawhttp.request("GET", served + "/_mock/usage?api_key=sk-serve-clock").json()
    (row,) = usage["data"]
    assert row["requests"] == 3
    assert row["tokens"]["cache_creation_input_tokens"] == 2 * first["write"]
    assert row["tokens"]["cache_read_input_tokens"] == first["write"]


# -- a refused request writes nothing ----------------------------------------------------------------------------


def test_a_rate_limited_request_writes_nothing() -> None:
    mock = start_mock(rate_limits="1,1000000,1000000")  # one request per minute
    try:
        sdk = anthropic.Anthropic(base_url=mock.url, api_key="sk-limited", max_retries=0)
        sdk.messages.create(model=SONNET, max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
        params = system_request()
        ends, total = mock.layout("sk-limited", **params)
        with pytest.raises(anthropic.RateLimitError):
            sdk.messages.create(**params)
        assert mock.pipeline.cache.snapshot()["entries"] == 0
        mock.clock.advance(seconds=60)
        assert usage_of(sdk.messages.create(**params)) == expect(total, w5m=ends["system.0"])
    finally:
        mock.server.stop()


def test_a_scripted_error_writes_nothing(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request(salt="scripted-")
    ends, total = mock.layout(key, **params)
    stub = {
        "match": {"last_user_text": "Summarise the rules."},
        "reply": {"error": {"type": "overloaded_error"}},
    }
    added = rawhttp.post(mock.url + "/_mock/stubs", json_body=stub).json()["data"][0]["id"]
    try:
        with pytest.raises(anthropic.InternalServerError) as caught:
            sdk.messages.create(**params)
        assert caught.value.status_code == 529
    finally:
        rawhttp.request("DELETE", f"{mock.url}/_mock/stubs/{added}")
    assert mock.pipeline.cache.snapshot(api_key=key)["scopes"] == []
    assert usage_of(sdk.messages.create(**params)) == expect(total, w5m=ends["system.0"])
