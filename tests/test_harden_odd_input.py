"""Issue 19, item 3: small odd input answers the API's 400, never a 500, and never breaks a later route.

Deeply nested JSON (255 to 1,024 levels: orjson parses them, but cannot write them back), a header byte 0xFF, a
non-string block ``type`` or a 65-bit integer in a stub, a body that is not valid for its ``Content-Encoding``,
and a broken file in ``--fixtures`` each used to answer 500, some of them on every later journal read, reset or
seed change.
"""

from __future__ import annotations

import gzip
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from mockclaude.model.jsonbody import MAX_JSON_DEPTH
from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp

MODEL = "claude-sonnet-4-6"
DEPTH_ERROR = "The request body is not valid JSON: depth limit exceeded: line 1 column "


class _Deep:
    """A placeholder for JSON nested ``levels`` deep (objects or arrays), written out as text by ``_post_raw``:
    orjson cannot write such depths, and the standard encoder recurses."""

    def __init__(self, levels: int, kind: str = "object") -> None:
        self.levels, self.kind = levels, kind

    def text(self) -> bytes:
        if self.kind == "object":
            return b'{"a":' * self.levels + b'"leaf"' + b"}" * self.levels
        return b"[" * self.levels + b"1" + b"]" * self.levels


def _nested(levels: int) -> Any:
    return _Deep(levels)


def _nested_list(levels: int) -> Any:
    return _Deep(levels, "array")


def _tool_input_body(levels: int) -> dict[str, Any]:
    return {
        "model": MODEL,
        "max_tokens": 16,
        "tools": [{"name": "t", "input_schema": {"type": "object"}}],
        "messages": [
            {"role": "user", "content": "go"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "toolu_1", "name": "t", "input": _nested(levels)}],
            },
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]},
        ],
    }


def _schema_body(levels: int) -> dict[str, Any]:
    return {
        "model": MODEL,
        "max_tokens": 16,
        "tools": [{"name": "t", "input_schema": {"type": "object", "properties": {"a": _nested(levels)}}}],
        "messages": [{"role": "user", "content": "hi"}],
    }


def _content_body(levels: int) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": _nested_list(levels)}]}


def _post_raw(url: str, payload: Any, **kwargs: Any) -> rawhttp.Response:
    deep: list[_Deep] = []

    def mark(value: Any) -> Any:
        deep.append(value)
        return f"__deep_{len(deep) - 1}__"

    raw = orjson.dumps(payload, default=mark)
    for i, value in enumerate(deep):
        raw = raw.replace(f'"__deep_{i}__"'.encode(), value.text())
    return rawhttp.post(url, body=raw, **kwargs)


def _assert_journal_routes_answer(url: str) -> None:
    for path in ("/_mock/journal", "/_mock/journal/unmatched", "/_mock/check"):
        response = rawhttp.request("GET", url + path)
        assert response.status == 200, (path, response.text[:300])
    search = rawhttp.post(url + "/_mock/journal/search", json_body={"match": {}})
    assert search.status == 200, search.text[:300]


@pytest.mark.parametrize("levels", [255, 300, 1000, 1024])
@pytest.mark.parametrize("where", ["tool_input", "schema", "content"])
def test_deep_json_is_a_400_and_the_journal_still_answers(
    server: ServerThread, where: str, levels: int
) -> None:
    body = {"tool_input": _tool_input_body, "schema": _schema_body, "content": _content_body}[where](levels)
    for path in ("/v1/messages", "/v1/messages/count_tokens"):
        response = _post_raw(server.url + path, body)
        assert response.status == 400, response.text[:300]
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error" and error["message"].startswith(DEPTH_ERROR), error
    _assert_journal_routes_answer(server.url)


def test_deep_json_elsewhere_batches_chat_and_admin(server: ServerThread) -> None:
    batch = {"requests": [{"custom_id": "deep", "params": _content_body(300)}]}
    assert _post_raw(server.url + "/v1/messages/batches", batch).status == 400
    chat = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "metadata": _nested(300)}
    bearer = {"authorization": "Bearer sk", "content-type": "application/json"}
    response = _post_raw(server.url + "/v1/chat/completions", chat, headers=bearer, default_headers=False)
    assert response.status == 400 and response.json()["error"]["message"].startswith(DEPTH_ERROR)
    arguments = _nested_list(900).text().decode()  # a string in the body, nested once parsed
    call = {"id": "c1", "type": "function", "function": {"name": "t", "arguments": arguments}}
    chat = {
        "model": MODEL,
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        ],
    }
    assert rawhttp.post(server.url + "/v1/chat/completions", json_body=chat).status == 400
    stub = {"match": {}, "reply": {"content": [{"type": "tool_use", "name": "t", "input": _nested(300)}]}}
    assert _post_raw(server.url + "/_mock/stubs", stub).status == 400
    _assert_journal_routes_answer(server.url)


def test_nesting_within_the_limit_is_served_and_journaled(server: ServerThread) -> None:
    body = _tool_input_body(MAX_JSON_DEPTH - 10)
    response = _post_raw(server.url + "/v1/messages", body)
    assert response.status == 200, response.text[:300]
    journal = rawhttp.request("GET", server.url + "/_mock/journal?limit=1")
    assert journal.status == 200
    assert journal.json()["data"][0]["request_id"] == response.headers["request-id"]
    _assert_journal_routes_answer(server.url)


def _raw_exchange(port: int, head: bytes, body: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + b"content-length: %d\r\n\r\n" % len(body) + body)
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def test_a_header_byte_0xff_breaks_nothing(server: ServerThread) -> None:
    body = orjson.dumps(
        {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "odd header"}]}
    )
    head = (
        b"POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: sk-test\r\nanthropic-version: 2023-06-01\r\n"
        b"content-type: application/json\r\nx-odd: caf\xe9 \xff\xfe\r\n"
    )
    status, _ = _raw_exchange(server.port, head, body)
    assert status == 200
    _assert_journal_routes_answer(server.url)
    entry = rawhttp.request("GET", server.url + "/_mock/journal?limit=1").json()["data"][0]
    assert entry["headers"]["x-odd"].startswith("caf\ufffd")
    bad_version = head.replace(b"anthropic-version: 2023-06-01", b"anthropic-version: 2023-\xff")
    status, answer = _raw_exchange(server.port, bad_version, body)
    assert status == 400 and orjson.loads(answer)["error"]["type"] == "invalid_request_error"
    _assert_journal_routes_answer(server.url)


@pytest.mark.parametrize("kind", [["text"], {"a": 1}])
def test_a_stub_block_type_that_is_not_a_string_is_a_400(server: ServerThread, kind: Any) -> None:
    for reply in (
        {"content": [{"type": kind}]},
        {"content": [{"type": "text", "text": "x", "citations": [{"type": kind}]}]},
    ):
        response = rawhttp.post(server.url + "/_mock/stubs", json_body={"match": {}, "reply": reply})
        assert response.status == 400, response.text
        assert "unknown" in response.json()["error"]["message"]


def test_a_65_bit_integer_in_a_yaml_stub_is_served(server: ServerThread, tmp_path: Path) -> None:
    script = tmp_path / "big.yaml"
    script.write_text(
        "version: 1\nstubs:\n  - match: {last_user_text: big number please}\n"
        "    reply: {content: [{type: tool_use, name: t, input: {n: 100000000000000000000000000000}}]}\n"
    )
    loaded = rawhttp.post(server.url + "/_mock/script", json_body={"path": str(script)})
    assert loaded.status == 200, loaded.text
    try:
        body = {
            "model": MODEL,
            "max_tokens": 64,
            "messages": [{"role": "user", "content": "big number please"}],
        }
        body["tools"] = [{"name": "t", "input_schema": {"type": "object"}}]
        response = rawhttp.post(server.url + "/v1/messages", json_body=body)
        assert response.status == 200, response.text
        assert response.json()["content"][0]["input"] == {"n": 1e29}
    finally:
        for stub in loaded.json()["data"]:
            rawhttp.request("DELETE", f"{server.url}/_mock/stubs/{stub['id']}")


MESSAGE = orjson.dumps({"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]})


@pytest.mark.parametrize(
    ("encoding", "junk"),
    [
        ("gzip", b"junkjunkjunk"),
        ("gzip", b"\x1f\x8b\x08\x00" + b"junk" * 8),
        ("deflate", b"x\x9c" + b"\xff" * 32),
    ],
)
def test_a_body_not_valid_for_its_content_encoding_is_a_400(
    server: ServerThread, encoding: str, junk: bytes
) -> None:
    response = rawhttp.post(server.url + "/v1/messages", body=junk, headers={"content-encoding": encoding})
    assert response.status == 400, response.text
    body = response.json()
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["details"] == {"error_code": "request_body_encoding_invalid"}
    assert body["request_id"] == response.headers["request-id"]
    assert rawhttp.request("GET", server.url + "/_mock/health").status == 200


@pytest.mark.parametrize(
    ("encoding", "packed"),
    [("gzip", gzip.compress(MESSAGE, mtime=0)), ("deflate", zlib.compress(MESSAGE))],
    ids=["gzip", "deflate"],
)
def test_a_compressed_body_is_still_decoded(server: ServerThread, encoding: str, packed: bytes) -> None:
    response = rawhttp.post(server.url + "/v1/messages", body=packed, headers={"content-encoding": encoding})
    assert response.status == 200, response.text


GOOD = "version: 1\nstubs:\n  - name: hello\n    match: {last_user_text: hello}\n    reply: {text: Hi from fixtures}\n"


@pytest.fixture
def fixtures_server(tmp_path: Path) -> Iterator[tuple[ServerThread, Path]]:
    folder = tmp_path / "fixtures"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD)
    with ServerThread(create_app(Settings(fixtures=str(folder)))) as srv:
        yield srv, folder


@pytest.mark.parametrize(
    "broken",
    [
        b"version: 1\nstubs: [\n",
        b"\xff\xfe not text",
        b"version: 1\nstubs:\n  - reply: {content: [{type: [x]}]}\n",
    ],
    ids=["bad-yaml", "not-utf8", "bad-block-type"],
)
def test_a_broken_fixtures_file_makes_reset_and_seed_a_400(
    fixtures_server: tuple[ServerThread, Path], broken: bytes
) -> None:
    srv, folder = fixtures_server
    (folder / "broken.yaml").write_bytes(broken)
    for path, body in (("/_mock/reset", {}), ("/_mock/seed", {"seed": 5}), ("/_mock/reset", {"seed": 6})):
        response = rawhttp.post(srv.url + path, json_body=body)
        assert response.status == 400, (path, response.text)
        issues = response.json()["error"]["details"]["issues"]
        assert any("broken.yaml" in str(issue) for issue in issues), issues
    assert rawhttp.request("GET", srv.url + "/_mock/seed").json() == {"seed": 0}
    assert rawhttp.request("GET", srv.url + "/_mock/health").status == 200
    (folder / "broken.yaml").unlink()
    assert rawhttp.post(srv.url + "/_mock/reset", json_body={}).status == 200
    names = [stub["name"] for stub in rawhttp.request("GET", srv.url + "/_mock/stubs").json()["data"]]
    assert names == ["hello"]


def test_a_script_path_with_a_nul_byte_is_a_400(server: ServerThread) -> None:
    """Found by make fuzz: ``{"path": "\\u0000"}`` answered 500 (os.stat raises ValueError on a NUL)."""
    for route, body in (("/_mock/script", {"path": "\x00"}), ("/_mock/reset", {"script": "a\x00b"})):
        answer = rawhttp.post(server.url + route, json_body=body)
        assert answer.status == 400, answer.text
        assert answer.json()["error"]["type"] == "invalid_request_error"
    tokenizer = rawhttp.post(server.url + "/_mock/reset", json_body={"tokenizer": "file:\x00"})
    assert tokenizer.status == 400, tokenizer.text


def test_a_script_folder_scan_skips_hidden_folders_and_is_bounded(
    server: ServerThread, tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "hidden.yaml").write_text("not: a script")
    (tmp_path / "one.yaml").write_text(GOOD.replace("hello", "scan-one"))
    loaded = rawhttp.post(server.url + "/_mock/script", json_body={"path": str(tmp_path)})
    assert loaded.status == 200, loaded.text
    assert [stub["name"] for stub in loaded.json()["data"]] == ["scan-one"]
    for stub in loaded.json()["data"]:
        rawhttp.request("DELETE", f"{server.url}/_mock/stubs/{stub['id']}")
    crowded = tmp_path / "crowded"
    crowded.mkdir()
    for i in range(10_001):
        (crowded / f"f{i}.txt").touch()
    refused = rawhttp.post(server.url + "/_mock/script", json_body={"path": str(crowded)})
    assert refused.status == 400 and "not a script folder" in refused.text
