"""Issue 19, item 5: the admin plane is safe from web pages.

A page the developer visits could add stubs with a ``text/plain`` or form POST (no preflight needed), and with DNS
rebinding (its own name resolving to 127.0.0.1) read the journal: prompts and replies. Admin bodies are now JSON
only (415 otherwise), a ``Host`` that is not a loopback name and an ``Origin`` of another site are refused (403),
and ``--allow-host`` adds names.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp
from tests.serve_proc import start_serve

STUB = b'{"name": "from-a-page", "match": {}, "reply": {"text": "pwned"}}'
MESSAGE = {"model": "claude-sonnet-4-6", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(scope="module")
def own_server() -> Iterator[ServerThread]:
    with ServerThread(create_app(Settings(allowed_hosts=frozenset({"mock.internal"})))) as srv:
        yield srv


def _error(response: rawhttp.Response, status: int, kind: str) -> str:
    assert response.status == status, response.text
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == kind
    assert body["request_id"] == response.headers["request-id"]
    message: str = body["error"]["message"]
    return message


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
def test_admin_bodies_must_be_json(own_server: ServerThread, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    for path in ("/_mock/stubs", "/_mock/reset", "/_mock/script", "/_mock/clock/advance"):
        answer = rawhttp.post(own_server.url + path, body=STUB, headers=headers, default_headers=False)
        assert "application/json" in _error(answer, 415, "invalid_request_error")
    assert rawhttp.request("GET", own_server.url + "/_mock/stubs").json() == {"data": []}


def test_json_bodies_and_empty_posts_still_work(own_server: ServerThread) -> None:
    url = own_server.url
    typed = {"content-type": "application/json; charset=utf-8"}
    added = rawhttp.post(url + "/_mock/stubs", body=STUB, headers=typed, default_headers=False)
    assert added.status == 200, added.text
    assert rawhttp.request("POST", url + "/_mock/reset", default_headers=False).status == 200  # curl -X POST
    assert rawhttp.request("GET", url + "/_mock/stubs").json() == {"data": []}


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}", "10.0.0.1"]
)
def test_a_foreign_host_is_refused_dns_rebinding(own_server: ServerThread, host: str) -> None:
    headers = {"host": host.format(port=own_server.port)}
    for method, path in (("GET", "/_mock/journal"), ("GET", "/_mock/stubs"), ("DELETE", "/_mock/journal")):
        answer = rawhttp.request(method, own_server.url + path, headers=headers)
        assert "Host" in _error(answer, 403, "permission_error")
    stub = rawhttp.post(own_server.url + "/_mock/stubs", body=STUB, headers=headers)
    _error(stub, 403, "permission_error")
    assert rawhttp.request("GET", own_server.url + "/_mock/health", headers=headers).status == 200
    assert rawhttp.post(own_server.url + "/v1/messages", json_body=MESSAGE, headers=headers).status == 200


@pytest.mark.parametrize(
    "host",
    [
        "localhost:{port}",
        "127.0.0.1:{port}",
        "[::1]:{port}",
        "localhost",
        "app.localhost:{port}",
        "mock.internal:{port}",
    ],
)
def test_loopback_and_allowed_hosts_are_answered(own_server: ServerThread, host: str) -> None:
    answer = rawhttp.request(
        "GET", own_server.url + "/_mock/journal", headers={"host": host.format(port=own_server.port)}
    )
    assert answer.status == 200, answer.text


@pytest.mark.parametrize("origin", ["https://evil.example", "http://evil.example:8080", "null", "file://"])
def test_a_foreign_origin_is_refused(own_server: ServerThread, origin: str) -> None:
    headers = {"origin": origin}
    assert "Origin" in _error(
        rawhttp.request("GET", own_server.url + "/_mock/journal", headers=headers), 403, "permission_error"
    )
    _error(rawhttp.post(own_server.url + "/_mock/stubs", body=STUB, headers=headers), 403, "permission_error")
    assert rawhttp.request("GET", own_server.url + "/_mock/stubs").json() == {"data": []}


@pytest.mark.parametrize(
    "origin", ["http://localhost:3000", "http://127.0.0.1:5173", "http://[::1]:8000", "https://mock.internal"]
)
def test_a_loopback_origin_is_answered(own_server: ServerThread, origin: str) -> None:
    assert rawhttp.request("GET", own_server.url + "/_mock/journal", headers={"origin": origin}).status == 200


def test_with_an_admin_token_any_host_name_may_call_but_no_foreign_origin() -> None:
    with ServerThread(create_app(Settings(admin_token="s3cret"))) as srv:
        token = {"x-admin-token": "s3cret", "host": "build-box.example:9000"}
        assert rawhttp.request("GET", srv.url + "/_mock/journal", headers=token).status == 200
        page = {**token, "origin": "https://evil.example"}
        _error(rawhttp.request("GET", srv.url + "/_mock/journal", headers=page), 403, "permission_error")


def test_serve_allow_host() -> None:
    proc, url = start_serve("--allow-host", "mock.internal")
    try:
        port = url.rsplit(":", 1)[1]
        allowed = rawhttp.request("GET", url + "/_mock/journal", headers={"host": f"mock.internal:{port}"})
        assert allowed.status == 200, allowed.text
        denied = rawhttp.request("GET", url + "/_mock/journal", headers={"host": f"other.example:{port}"})
        assert denied.status == 403
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
