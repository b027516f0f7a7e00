"""Issue 19, item 7: memory has a byte bound.

The journal kept 1,000 entries whatever their size, the per-request occurrence counter never forgot, the engine
kept 256 unmatched requests whatever their size, a 453-byte YAML alias bomb took 4 GB (``mockclaude validate``
hung on it too), and ``POST /_mock/reset {"tokenizer": "file:/dev/zero"}`` grew the server by 1.2 GB a second.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from mockclaude import ids
from mockclaude.engine import core
from mockclaude.engine.journal_size import ENTRY_BODY_BYTES
from mockclaude.pipeline import Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from mockclaude.tokenize.backends import MAX_RANK_FILE_BYTES
from tests import rawhttp

MODEL = "claude-sonnet-4-6"
# Under 453 bytes: nine levels of nine aliases, 9**9 (387 million) strings once expanded.
BOMB = 'version: 1\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def _count_body(text: str) -> bytes:
    return orjson.dumps({"model": MODEL, "messages": [{"role": "user", "content": text}]})


@pytest.fixture
def small_journal() -> Iterator[ServerThread]:
    with ServerThread(create_app(Settings(journal_bytes=8 * 1024 * 1024))) as srv:
        yield srv


def test_the_journal_is_bounded_in_bytes(small_journal: ServerThread) -> None:
    url = small_journal.url
    for i in range(8):  # just under the shortening size: each kept whole, with its parsed request
        body = _count_body(f"{i} " + "word " * ((ENTRY_BODY_BYTES - 200) // 5))
        assert rawhttp.post(url + "/v1/messages/count_tokens", body=body).status == 200
    journal = rawhttp.request("GET", url + "/_mock/journal").json()
    assert journal["total"] == 8 and 2 <= len(journal["data"]) < 8  # the oldest went first
    assert journal["data"][-1]["body"]["messages"][0]["content"].startswith("7 ")
    assert small_journal.app[PIPELINE].journal.size_bytes <= 8 * 1024 * 1024
    assert rawhttp.request("DELETE", url + "/_mock/journal").status == 200
    assert small_journal.app[PIPELINE].journal.size_bytes == 0


def test_a_large_body_is_journaled_shortened_with_a_marker(server: ServerThread) -> None:
    body = _count_body("big " + "word " * 600_000)  # 3 MB
    assert rawhttp.post(server.url + "/v1/messages/count_tokens", body=body).status == 200
    entry = rawhttp.request("GET", server.url + "/_mock/journal?limit=1").json()["data"][0]
    content = entry["body"]["messages"][0]["content"]  # still JSON: only the long string was cut
    assert content.startswith("big word") and content.endswith("characters, shortened for the journal]")
    assert len(content) < 5000
    search = rawhttp.post(
        server.url + "/_mock/journal/search", json_body={"match": {}, "endpoint": "count_tokens"}
    )
    assert search.status == 200


def test_the_occurrence_counter_is_bounded() -> None:
    counter = ids.Occurrences(limit=3)
    assert [counter.next(k) for k in "aab"] == [0, 1, 0]
    for key in "cde":
        counter.next(key)
    assert len(counter) == 3 and counter.next("a") == 0  # forgotten: least recently seen
    with ServerThread(create_app(Settings())) as srv:
        pipeline = srv.app[PIPELINE]
        pipeline._occurrences = ids.Occurrences(limit=5)
        for i in range(20):
            body = orjson.dumps(
                {"model": MODEL, "max_tokens": 8, "messages": [{"role": "user", "content": f"q{i}"}]}
            )
            assert rawhttp.post(srv.url + "/v1/messages", body=body).status == 200
        assert len(pipeline._occurrences) == 5
        assert pipeline.batches._occurrences.limit == ids.OCCURRENCES_KEPT


def test_unmatched_requests_are_bounded_in_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "UNMATCHED_BYTES", 4 * 1024 * 1024)
    with ServerThread(create_app(Settings())) as srv:
        for i in range(6):
            text = f"{i} " + "word " * 100_000  # 0.5 MB each, twice that counted
            body = orjson.dumps(
                {"model": MODEL, "max_tokens": 8, "messages": [{"role": "user", "content": text}]}
            )
            assert rawhttp.post(srv.url + "/v1/messages", body=body).status == 200
        kept = srv.app[PIPELINE].engine.unmatched
        assert 1 <= len(kept) <= 4 and kept[-1]["last_user_text"].startswith("5 ")


def test_a_yaml_alias_bomb_is_refused_fast(server: ServerThread, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    assert len(BOMB.encode()) <= 453
    start = time.monotonic()
    checked = subprocess.run(
        [sys.executable, "-m", "mockclaude", "validate", str(bomb)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 1 and "alias bomb" in checked.stdout
    loaded = rawhttp.post(server.url + "/_mock/script", json_body={"path": str(bomb)})
    assert loaded.status == 400 and "alias bomb" in loaded.text
    assert time.monotonic() - start < 10
    anchors = tmp_path / "anchors.yaml"  # ordinary anchors still work
    anchors.write_text(
        "version: 1\nstubs:\n  - name: one\n    match: {last_user_text: anchor one}\n    reply: &r {text: hi}\n"
        "  - name: two\n    match: {last_user_text: anchor two}\n    reply: *r\n"
    )
    ok = rawhttp.post(server.url + "/_mock/script", json_body={"path": str(anchors)})
    assert ok.status == 200, ok.text
    for stub in ok.json()["data"]:
        rawhttp.request("DELETE", f"{server.url}/_mock/stubs/{stub['id']}")


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/urandom", "/proc/self/environ", "/etc"])
def test_a_tokenizer_file_must_be_a_regular_file(server: ServerThread, path: str) -> None:
    start = time.monotonic()
    answer = rawhttp.post(server.url + "/_mock/reset", json_body={"tokenizer": f"file:{path}"})
    assert answer.status == 400 and "not a regular file" in answer.json()["error"]["message"]
    assert time.monotonic() - start < 5
    assert rawhttp.request("GET", server.url + "/_mock/health").status == 200


def test_a_tokenizer_file_has_a_size_cap_and_a_root(tmp_path: Path) -> None:
    huge = tmp_path / "huge.tiktoken"
    with huge.open("wb") as handle:  # sparse: costs no disk
        handle.truncate(MAX_RANK_FILE_BYTES + 1)
    with ServerThread(create_app(Settings(script_root=str(tmp_path / "fixtures")))) as srv:
        refused = rawhttp.post(srv.url + "/_mock/reset", json_body={"tokenizer": f"file:{huge}"})
        assert refused.status == 400 and "scripts are read only from" in refused.text
    with ServerThread(create_app(Settings())) as srv:
        big = rawhttp.post(srv.url + "/_mock/reset", json_body={"tokenizer": f"file:{huge}"})
        assert big.status == 400 and "is over 64 MB" in big.text


def test_serve_refuses_a_device_tokenizer() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mockclaude", "serve", "--port", "0", "--tokenizer", "file:/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "not a regular file" in run.stderr
