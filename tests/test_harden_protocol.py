"""Issue 19, item 9: the smaller findings.

aiohttp's parser answered malformed HTTP with a plain-text 400 and no ``request-id``; 405s said
``not_found_error``; the chat completions route answered its 405 and 500 in the Anthropic shape; and a request with
both ``x-api-key`` and ``Authorization`` was accepted (the real API answers 401, api-spec §0.4).
"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from mockclaude.pipeline import Settings
from mockclaude.server import openai_compat
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp

MESSAGE = {"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}
HEAD = b"POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: sk-test\r\nanthropic-version: 2023-06-01\r\n"


def _exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /v1/models HTTP/1.1\r\nhost: x\r\nbad header line\r\n\r\n",
        b"GET /v1/models HTTP/1.1\r\nhost: x\r\nx-long: " + b"a" * 9000 + b"\r\n\r\n",
        b"GET /v1/models HTTP/9.9\r\nhost: x\r\n\r\n",
        b"POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello",
    ],
    ids=["request-line", "header-line", "long-header", "version", "two-lengths"],
)
def test_malformed_http_is_answered_in_the_api_shape_with_a_request_id(
    server: ServerThread, raw: bytes
) -> None:
    status, headers, body = _exchange(server.port, raw)
    assert 400 <= status < 500
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)
    assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
    assert error["request_id"] == headers["request-id"] and headers["request-id"].startswith("req_")
    assert rawhttp.request("GET", server.url + "/_mock/health").status == 200


@pytest.mark.parametrize(
    ("encoding", "body", "code"),
    [
        (b"deflate", b"x\x9cjunkjunk", "request_body_encoding_invalid"),  # refused when the message completes
        (b"br", b"junk", "request_body_encoding_unsupported"),  # no brotli library installed
    ],
)
def test_content_encoding_errors_of_the_parser(
    server: ServerThread, encoding: bytes, body: bytes, code: str
) -> None:
    raw = HEAD + b"content-encoding: " + encoding + b"\r\ncontent-length: %d\r\n\r\n" % len(body) + body
    status, headers, answer = _exchange(server.port, raw)
    assert status == 400, answer
    error = json.loads(answer)
    assert error["error"]["details"] == {"error_code": code}
    assert error["request_id"] == headers["request-id"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/v1/messages", "POST"),
        ("PUT", "/v1/messages/batches", "GET, POST"),
        ("PATCH", "/v1/models", "GET"),
        ("GET", "/_mock/reset", "POST"),
        ("PUT", "/_mock/stubs", "DELETE, GET, POST"),
    ],
)
def test_a_405_is_an_invalid_request_error_with_allow(
    server: ServerThread, method: str, path: str, allow: str
) -> None:
    answer = rawhttp.request(method, server.url + path)
    assert answer.status == 405
    body = answer.json()
    assert body["error"]["type"] == "invalid_request_error" and method in body["error"]["message"]
    assert body["request_id"] == answer.headers["request-id"]
    assert answer.headers["allow"] == allow


def test_the_chat_route_answers_405_in_the_openai_shape(server: ServerThread) -> None:
    answer = rawhttp.request(
        "GET", server.url + "/v1/chat/completions", headers={"authorization": "Bearer k"}
    )
    assert answer.status == 405 and answer.headers["allow"] == "POST"
    assert set(answer.json()) == {"error"} and set(answer.json()["error"]) == {
        "message",
        "type",
        "param",
        "code",
    }
    prefixed = rawhttp.request("GET", server.url + "/anthropic/v1/chat/completions")
    assert prefixed.status == 405 and set(prefixed.json()) == {"error"}


def test_the_chat_route_answers_500_in_the_openai_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("a bug")

    monkeypatch.setattr(openai_compat, "completion_bytes", broken)
    with ServerThread(create_app(Settings())) as srv:
        body = {"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "hi"}]}
        headers = {"authorization": "Bearer k", "content-type": "application/json"}
        answer = rawhttp.post(
            srv.url + "/v1/chat/completions", json_body=body, headers=headers, default_headers=False
        )
    assert answer.status == 500
    assert answer.json() == {
        "error": {"message": "Internal server error", "type": "api_error", "param": None, "code": None}
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/messages", MESSAGE),
        ("POST", "/v1/messages/count_tokens", {k: v for k, v in MESSAGE.items() if k != "max_tokens"}),
        ("GET", "/v1/models", None),
        ("GET", "/v1/messages/batches", None),
        (
            "POST",
            "/v1/chat/completions",
            {"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "x"}]},
        ),
    ],
)
def test_both_credentials_are_a_401(server: ServerThread, method: str, path: str, body: Any) -> None:
    headers = {"x-api-key": "sk-test", "authorization": "Bearer sk-test"}
    answer = rawhttp.request(method, server.url + path, json_body=body, headers=headers)
    assert answer.status == 401, answer.text
    assert "both sent" in answer.text and "authentication_error" in answer.text


def test_both_credentials_when_accepted_serve_the_x_api_key() -> None:
    with ServerThread(create_app(Settings(accept_both_credentials=True))) as srv:
        answer = rawhttp.post(
            srv.url + "/v1/messages", json_body=MESSAGE, headers={"authorization": "Bearer other"}
        )
        assert answer.status == 200, answer.text
