"""Issue 19, item 4: no secret in any output.

A strict-mode miss echoed the whole API key (to the client and into the journal), ``{{ headers.x-api-key }}``
echoed it in a reply, the admin token and cookies were journaled in clear, ``POST /_mock/script`` read any file
the server could open and echoed parts of it, and ``--fixtures`` followed symlinks out of its folder.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp
from tests.serve_proc import start_serve

KEY = "sk-ant-api03-TOPSECRETKEYVALUE"
COOKIE = "session=TOPSECRETCOOKIE"
ADMIN = "TOPSECRETADMINTOKEN"
MESSAGE = {"model": "claude-sonnet-4-6", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}
SECRETS = ("TOPSECRETKEYVALUE", "TOPSECRETCOOKIE", "TOPSECRETADMINTOKEN", "TOPSECRETBEARER")


def _assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, (secret, text[:500])


@pytest.fixture
def strict_server() -> Iterator[ServerThread]:
    with ServerThread(create_app(Settings(strict=True))) as srv:
        yield srv


def test_a_strict_miss_never_echoes_the_key(strict_server: ServerThread) -> None:
    url = strict_server.url
    stub = {"name": "other-key", "match": {"headers": {"x-api-key": "sk-ant-api03-TOPSECRETBEARER"}}}
    assert rawhttp.post(url + "/_mock/stubs", json_body={**stub, "reply": {"text": "x"}}).status == 200
    headers = {"x-api-key": KEY, "cookie": COOKIE, "x-admin-token": ADMIN}
    miss = rawhttp.post(url + "/v1/messages", json_body=MESSAGE, headers=headers)
    assert miss.status == 400 and "no stub matched" in miss.json()["error"]["message"]
    assert "headers.x-api-key" in miss.text  # the reason is still named
    _assert_no_secret(miss.text)
    for path in ("/_mock/journal", "/_mock/journal/unmatched", "/_mock/check"):
        answer = rawhttp.request("GET", url + path)
        assert answer.status == 200
        _assert_no_secret(answer.text)
    search = rawhttp.post(
        url + "/_mock/journal/search", json_body={"match": {"headers": {"x-api-key": "sk-x"}}}
    )
    _assert_no_secret(search.text)
    entry = rawhttp.request("GET", url + "/_mock/journal?limit=1").json()["data"][0]
    assert entry["headers"]["x-api-key"] == "sk-ant…"
    assert entry["headers"]["cookie"] == "sessio…" and entry["headers"]["x-admin-token"] == "TOPSEC…"


def test_a_template_echoing_credentials_is_redacted(server: ServerThread) -> None:
    reply = {"text": "key={{ headers.x-api-key }} auth={{ headers.authorization }} c={{ headers.cookie }}"}
    added = rawhttp.post(
        server.url + "/_mock/stubs", json_body={"match": {"last_user_text": "echo keys"}, "reply": reply}
    )
    stub_id = added.json()["data"][0]["id"]
    try:
        body = {**MESSAGE, "messages": [{"role": "user", "content": "echo keys"}]}
        for headers in ({"x-api-key": KEY, "cookie": COOKIE}, {"authorization": "Bearer sk-TOPSECRETBEARER"}):
            sent = {**headers, "anthropic-version": "2023-06-01", "content-type": "application/json"}
            answer = rawhttp.post(
                server.url + "/v1/messages", json_body=body, headers=sent, default_headers=False
            )
            assert answer.status == 200, answer.text
            _assert_no_secret(answer.text)
        assert "auth=Bearer sk-TOP…" in answer.json()["content"][0]["text"]
    finally:
        rawhttp.request("DELETE", f"{server.url}/_mock/stubs/{stub_id}")


GOOD = (
    "version: 1\nstubs:\n  - name: {name}\n    match: {{last_user_text: {name}}}\n    reply: {{text: hi}}\n"
)


@pytest.fixture
def rooted(tmp_path: Path) -> Iterator[tuple[ServerThread, Path, Path]]:
    """A server whose scripts come from ``tmp/fixtures`` (as serve --fixtures sets), with files outside it."""
    root = tmp_path / "fixtures"
    root.mkdir()
    (root / "inside.yaml").write_text(GOOD.format(name="inside"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text('{"api_key": "sk-TOPSECRETKEYVALUE", "version": 1}')
    (outside / "stub.yaml").write_text(GOOD.format(name="outside"))
    (root / "link.yaml").symlink_to(outside / "stub.yaml")
    (root / "linkdir").symlink_to(outside)
    settings = Settings(fixtures=str(root), script_root=str(root))
    with ServerThread(create_app(settings)) as srv:
        yield srv, root, outside


def _names(url: str) -> list[str]:
    return sorted(stub["name"] for stub in rawhttp.request("GET", url + "/_mock/stubs").json()["data"])


def test_fixtures_never_follow_a_symlink_out_of_the_folder(rooted: tuple[ServerThread, Path, Path]) -> None:
    srv, _, _ = rooted
    assert _names(srv.url) == ["inside"]
    assert rawhttp.post(srv.url + "/_mock/reset", json_body={}).status == 200
    assert _names(srv.url) == ["inside"]


@pytest.mark.parametrize(
    "where", ["outside/secret.json", "outside/stub.yaml", "fixtures/link.yaml", "fixtures/linkdir"]
)
def test_script_paths_are_confined_to_the_script_root(
    rooted: tuple[ServerThread, Path, Path], where: str
) -> None:
    srv, root, _ = rooted
    path = str(root.parent / where)
    for route, body in (("/_mock/script", {"path": path}), ("/_mock/reset", {"script": path})):
        answer = rawhttp.post(srv.url + route, json_body=body)
        assert answer.status == 400, answer.text
        assert "scripts are read only from" in answer.json()["error"]["message"]
        assert "api_key" not in answer.text
        _assert_no_secret(answer.text)
    assert _names(srv.url) == ["inside"]
    assert (
        rawhttp.post(srv.url + "/_mock/script", json_body={"path": str(root / "inside.yaml")}).status == 200
    )


def test_serve_confines_script_paths_to_its_fixtures_folder(tmp_path: Path) -> None:
    root = tmp_path / "fixtures"
    root.mkdir()
    (root / "inside.yaml").write_text(GOOD.format(name="inside"))
    (tmp_path / "secret.json").write_text('{"api_key": "sk-TOPSECRETKEYVALUE"}')
    proc, url = start_serve("--fixtures", str(root))
    try:
        answer = rawhttp.post(url + "/_mock/script", json_body={"path": str(tmp_path / "secret.json")})
        assert answer.status == 400 and "api_key" not in answer.text
        _assert_no_secret(answer.text)
        again = rawhttp.post(url + "/_mock/script", json_body={"path": str(root / "inside.yaml")})
        assert again.status == 200, again.text
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
