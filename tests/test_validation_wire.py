"""The validation matrix over the wire: every case of tests/test_validate.py sent to a live server.

JSON bodies go through the official SDK (its raw ``client.post``, so the SDK builds the request and parses the
error: the SDK is the oracle); bodies no SDK can send (bytes, malformed JSON) go through raw HTTP.
"""

from __future__ import annotations

import json
from typing import Any

import anthropic
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import rawhttp
from tests.test_validate import CASES

WIRE_CASES = [c for c in CASES if "strict policy" not in c[0]]


def _sdk_for(server: Any, headers: dict[str, str]) -> anthropic.Anthropic:
    # The SDK sends its own auth (Bearer) and version; the case's version wins through default_headers.
    extra = {"anthropic-version": headers["anthropic-version"]} if "anthropic-version" in headers else {}
    return anthropic.Anthropic(base_url=server.url, api_key="sk-test", max_retries=0, default_headers=extra)


@pytest.mark.parametrize(("name", "body", "headers", "message"), WIRE_CASES, ids=[c[0] for c in WIRE_CASES])
def test_case_over_the_wire(server: Any, name: str, body: Any, headers: dict[str, str], message: str) -> None:
    has_auth = "x-api-key" in headers or "authorization" in headers
    sdk_can_send = isinstance(body, dict) and "anthropic-version" in headers and has_auth
    if sdk_can_send:
        client = _sdk_for(server, headers)
        with pytest.raises(anthropic.BadRequestError) as info:
            client.post("/v1/messages", cast_to=anthropic.types.Message, body=body)
        error = info.value
        assert error.status_code == 400
        assert error.body == {
            "type": "error",
            "error": {"type": "invalid_request_error", "message": message},
            "request_id": error.request_id,
        }
        assert error.request_id and error.request_id.startswith("req_")
        assert error.response.headers["x-should-retry"] == "false"
    else:
        raw = body if isinstance(body, bytes) else orjson.dumps(body)
        r = rawhttp.post(server.url + "/v1/messages", body=raw, headers=headers, default_headers=False)
        assert r.status == 400
        data = r.json()
        assert data["error"] == {"type": "invalid_request_error", "message": message}
        assert data["request_id"] == r.headers["request-id"]


def _ok(server: Any) -> None:
    r = rawhttp.post(
        server.url + "/v1/messages",
        json_body={
            "model": "claude-sonnet-4-6",
            "max_tokens": 16,
            "messages": [{"role": "user", "content": "hi"}],
        },
    )
    assert r.status == 200, r.text


def test_unknown_route_is_404_in_the_error_shape(server: Any) -> None:
    r = rawhttp.request("GET", server.url + "/v1/nothing-here")
    assert r.status == 404
    assert r.json()["error"]["type"] == "not_found_error"
    assert r.json()["request_id"] == r.headers["request-id"]
    client = anthropic.Anthropic(base_url=server.url, api_key="k", max_retries=0)
    with pytest.raises(anthropic.NotFoundError):
        client.get("/v1/nothing-here", cast_to=object)


def test_wrong_method_is_an_error_in_the_shape(server: Any) -> None:
    r = rawhttp.request("GET", server.url + "/v1/messages")
    assert r.status == 405
    assert set(r.json()) == {"type", "error", "request_id"}
    assert r.headers["content-type"].startswith("application/json")


def test_body_over_32_mb_is_413_and_the_server_keeps_serving(server: Any) -> None:
    big = (
        b'{"model":"claude-sonnet-4-6","max_tokens":1,"messages":[{"role":"user","content":"'
        + b"a" * (32 * 1024 * 1024)
        + b'"}]}'
    )
    try:
        r = rawhttp.post(server.url + "/v1/messages", body=big)
    except (BrokenPipeError, ConnectionResetError):
        pytest.fail("the server closed the connection instead of answering 413")
    assert r.status == 413
    assert r.json()["error"]["type"] == "request_too_large"
    _ok(server)


def test_missing_auth_and_version_come_first(server: Any) -> None:
    r = rawhttp.post(server.url + "/v1/messages", body=b"not json", headers={}, default_headers=False)
    assert r.status == 401
    assert r.json()["error"] == {"type": "authentication_error", "message": "x-api-key header is required"}
    r = rawhttp.post(
        server.url + "/v1/messages", body=b"not json", headers={"x-api-key": "k"}, default_headers=False
    )
    assert r.status == 400
    assert r.json()["error"]["message"] == "anthropic-version: header is required"


def test_count_tokens_validates_like_messages(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.count_tokens(model="claude-sonnet-4-6", messages=[])
    assert info.value.body["error"]["message"] == "messages: at least one message is required"  # type: ignore[index]
    with pytest.raises(anthropic.NotFoundError) as nf:
        client.messages.count_tokens(model="claude-nope", messages=[{"role": "user", "content": "x"}])
    assert nf.value.body["error"]["message"] == "model: claude-nope"  # type: ignore[index]


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    ["model", "max_tokens", "messages", "system", "tools", "tool_choice", "thinking", "stream"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.dictionaries(KEYS, JSONISH, max_size=4))
def test_random_bodies_never_get_a_500(server: Any, extra: dict[str, Any]) -> None:
    body = {
        "model": "claude-sonnet-4-6",
        "max_tokens": 8,
        "messages": [{"role": "user", "content": "x"}],
        **extra,
    }
    r = rawhttp.post(server.url + "/v1/messages", body=json.dumps(body).encode())  # stdlib: big ints too
    assert r.status < 500, r.text
    data = r.json() if r.headers["content-type"].startswith("application/json") else None
    if r.status != 200:
        assert data is not None and data["type"] == "error" and data["request_id"] == r.headers["request-id"]
