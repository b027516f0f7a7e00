"""The Files API (GA in SDK 2.17) through the official SDK against a real server: upload, list, retrieve,
download, delete, and ``file`` sources in Messages and Message Batches.

Each test works in an organization of its own (an API key named after the test): files are scoped per key, so
tests sharing the session's server never see each other's files.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from mockclaude import MockClaude
from mockclaude.server.runner import ServerThread
from tests import rawhttp
from tests.test_usage import jpeg, pdf, png

MODEL = "claude-sonnet-4-6"
META_KEYS = ["id", "type", "filename", "mime_type", "size_bytes", "created_at", "downloadable", "expires_at"]
pytestmark = pytest.mark.skipif(not hasattr(anthropic.Anthropic, "files"), reason="SDK without GA files")


@pytest.fixture
def key(request: pytest.FixtureRequest) -> str:
    """An organization of this test's own."""
    return "sk-files-" + request.node.name


@pytest.fixture
def sdk(server: ServerThread, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.url, api_key=key, max_retries=0)


@pytest.fixture
def mock() -> Iterator[MockClaude]:
    """A mock of its own (manual clock) for the tests that move time or change limits."""
    with MockClaude() as m:
        yield m


def _document(file_id: str) -> dict[str, Any]:
    return {"type": "document", "source": {"type": "file", "file_id": file_id}}


def _ask(sdk: anthropic.Anthropic, *blocks: dict[str, Any]) -> anthropic.types.Message:
    content = [*blocks, {"type": "text", "text": "Summarise this."}]
    return sdk.messages.create(model=MODEL, max_tokens=16, messages=[{"role": "user", "content": content}])


# -- the resource ----------------------------------------------------------------------------------------------


def test_upload_retrieve_list_delete(sdk: anthropic.Anthropic) -> None:
    raw = sdk.files.with_raw_response.upload(file=("notes.txt", b"Remember the milk.", "text/plain"))
    body = json.loads(raw.text())
    assert list(body) == META_KEYS  # the DOCS upload example's order, then expires_at
    uploaded = raw.parse()
    assert uploaded.id.startswith("file_011C") and len(uploaded.id) == len("file_") + 24
    assert (uploaded.filename, uploaded.mime_type, uploaded.size_bytes) == ("notes.txt", "text/plain", 18)
    assert uploaded.downloadable is False and uploaded.expires_at is None and uploaded.type == "file"
    assert sdk.files.retrieve_metadata(uploaded.id) == uploaded
    assert [f.id for f in sdk.files.list()] == [uploaded.id]
    deleted = sdk.files.delete(uploaded.id)
    assert (deleted.id, deleted.type) == (uploaded.id, "file_deleted")
    with pytest.raises(anthropic.NotFoundError) as caught:
        sdk.files.retrieve_metadata(uploaded.id)
    assert caught.value.body["error"]["message"] == f"File `{uploaded.id}` not found."  # type: ignore[index]
    assert sdk.files.list().data == []
    with pytest.raises(anthropic.NotFoundError):
        sdk.files.delete(uploaded.id)


def test_async_round_trip(server: ServerThread, key: str) -> None:
    async def run() -> list[str]:
        client = anthropic.AsyncAnthropic(base_url=server.url, api_key=key, max_retries=0)
        first = await client.files.upload(file=("a.txt", b"alpha", "text/plain"))
        second = await client.files.upload(file=("b.txt", b"beta", "text/plain"))
        assert (await client.files.retrieve_metadata(first.id)).filename == "a.txt"
        listed = [f.id async for f in client.files.list(limit=1)]  # auto-paginates over next_page
        assert listed == [second.id, first.id]
        await client.files.delete(first.id)
        return [f.id async for f in client.files.list()]

    assert len(asyncio.run(run())) == 1


def test_same_uploads_get_the_same_ids_in_a_fresh_mock() -> None:
    def ids() -> list[str]:
        with MockClaude() as m:
            client = m.client(max_retries=0)
            return [client.files.upload(file=("x.txt", b"same", "text/plain")).id for _ in range(2)]

    first = ids()
    assert first == ids() and first[0] != first[1]  # seeded, and a second upload is a second file


def test_files_are_scoped_per_api_key(server: ServerThread, sdk: anthropic.Anthropic) -> None:
    mine = sdk.files.upload(file=("mine.txt", b"private", "text/plain"))
    other = anthropic.Anthropic(base_url=server.url, api_key="sk-files-another-org", max_retries=0)
    assert other.files.list().data == []
    with pytest.raises(anthropic.NotFoundError):
        other.files.retrieve_metadata(mine.id)
    with pytest.raises(anthropic.NotFoundError):
        _ask(other, _document(mine.id))


@pytest.mark.parametrize(
    ("upload", "filename", "mime_type"),
    [
        (
            ("dir/sub/report.pdf", base64.b64decode(pdf(["x"])), "application/pdf"),
            "report.pdf",
            "application/pdf",
        ),
        (("C:\\docs\\win.txt", b"text", "text/plain"), "win.txt", "text/plain"),
        (base64.b64decode(pdf(["x"])), "unnamed.pdf", "application/pdf"),  # bare bytes: sniffed
        (base64.b64decode(png(4, 4)), "unnamed.png", "image/png"),
        (b"plain words", "unnamed.txt", "text/plain"),
        (("data.csv", b"a,b\n1,2\n", "text/csv"), "data.csv", "text/csv"),
        (("blob.bin", b"\x00\x01\x02", "application/octet-stream"), "blob.bin", "application/octet-stream"),
    ],
)
def test_filename_and_mime_rules(
    sdk: anthropic.Anthropic, upload: Any, filename: str, mime_type: str
) -> None:
    meta = sdk.files.upload(file=upload)
    assert (meta.filename, meta.mime_type) == (filename, mime_type)


@pytest.mark.parametrize(
    ("name", "message"),
    [("a" * 256 + ".txt", "at most 255 characters"), ("what?.txt", "forbidden character '?'")],
)
def test_bad_filenames_are_refused(sdk: anthropic.Anthropic, name: str, message: str) -> None:
    with pytest.raises(anthropic.BadRequestError, match=message):
        sdk.files.upload(file=(name, b"x", "text/plain"))


def test_expires_in_seconds(mock: MockClaude) -> None:
    sdk = mock.client(max_retries=0)
    meta = sdk.files.upload(file=("soon.txt", b"short-lived", "text/plain"), expires_in_seconds=3600)
    assert meta.expires_at is not None and (meta.expires_at - meta.created_at).total_seconds() == 3600
    for bad, text in ((3599, "greater than or equal to 3600"), (7_776_001, "less than or equal to 7776000")):
        with pytest.raises(anthropic.BadRequestError, match=text):
            sdk.files.upload(file=("x.txt", b"x", "text/plain"), expires_in_seconds=bad)
    assert _ask(sdk, _document(meta.id)).usage.input_tokens > 0
    mock.clock.advance(3600)
    with pytest.raises(anthropic.NotFoundError) as caught:
        _ask(sdk, _document(meta.id))
    assert caught.value.error_code == "file_expired"  # type: ignore[attr-defined]
    assert sdk.files.retrieve_metadata(meta.id).id == meta.id  # the metadata stays


def test_list_pages_with_cursors_ids_and_the_old_beta_shape(sdk: anthropic.Anthropic) -> None:
    made = [sdk.files.upload(file=(f"f{i}.txt", f"file {i}".encode(), "text/plain")).id for i in range(5)]
    newest_first = made[::-1]
    first = sdk.files.list(limit=2)
    assert [f.id for f in first.data] == newest_first[:2] and first.next_page is not None
    assert first.next_page.startswith("page_")
    assert [f.id for f in sdk.files.list(limit=2)] == newest_first  # the SDK follows next_page
    second = sdk.files.list(limit=2, page=first.next_page)
    assert [f.id for f in second.data] == newest_first[2:4]
    assert [f.id for f in sdk.files.list(ids=[made[0], made[3], "file_missing"])] == [made[3], made[0]]
    with pytest.raises(anthropic.BadRequestError, match="cannot be combined"):
        sdk.files.list(ids=[made[0]], limit=1)
    with pytest.raises(anthropic.BadRequestError, match="Invalid page cursor"):
        sdk.files.list(page="page_bogus")
    with pytest.raises(anthropic.BadRequestError, match="less than or equal to 1000"):
        sdk.files.list(limit=1001)
    # The old beta header keeps the beta page: has_more / first_id / last_id, paged with after_id.
    legacy: Any = sdk.get(
        "/v1/files",
        cast_to=object,
        options={
            "params": {"after_id": made[3], "limit": 2},
            "headers": {"anthropic-beta": "files-api-2025-04-14"},
        },
    )
    assert [f["id"] for f in legacy["data"]] == newest_first[2:4]
    assert legacy["has_more"] is True and legacy["last_id"] == made[1] and "next_page" not in legacy
    assert set(json.loads(sdk.files.with_raw_response.list().text())) == {"data", "next_page"}


def test_uploads_are_not_downloadable_tool_files_are(mock: MockClaude) -> None:
    sdk = mock.client(max_retries=0)
    uploaded = sdk.files.upload(file=("in.txt", b"input", "text/plain"))
    with pytest.raises(anthropic.BadRequestError) as caught:
        sdk.files.download(uploaded.id)
    assert caught.value.error_code == "file_not_downloadable"  # type: ignore[attr-defined]
    made = mock.add_file(b"col\n1\n", filename="chart.csv", mime_type="text/csv")
    assert made["downloadable"] is True
    response = sdk.files.download(made["id"])
    assert response.read() == b"col\n1\n" and response.headers["content-type"].startswith("text/csv")
    via_admin = rawhttp.post(
        mock.url + "/_mock/files",
        json_body={"api_key": mock.api_key, "filename": "out.png", "content_base64": png(2, 2)},
    ).json()
    assert via_admin["mime_type"] == "image/png" and via_admin["downloadable"] is True
    assert sdk.files.download(via_admin["id"]).read() == base64.b64decode(png(2, 2))


def test_size_and_quota_limits(mock: MockClaude) -> None:
    sdk = mock.client(max_retries=0)
    mock.pipeline.files.max_file_bytes = 10
    with pytest.raises(anthropic.APIStatusError) as too_big:
        sdk.files.upload(file=("big.txt", b"x" * 11, "text/plain"))
    assert too_big.value.status_code == 413
    mock.pipeline.files.max_file_bytes, mock.pipeline.files.quota_bytes = 100, 15
    sdk.files.upload(file=("one.txt", b"x" * 10, "text/plain"))
    with pytest.raises(anthropic.BadRequestError) as full:
        sdk.files.upload(file=("two.txt", b"x" * 10, "text/plain"))
    assert full.value.error_code == "storage_quota_exceeded"  # type: ignore[attr-defined]


def test_upload_without_a_file_part(server: ServerThread, key: str) -> None:
    answer = rawhttp.post(server.url + "/v1/files", json_body={"file": "nope"}, headers={"x-api-key": key})
    assert answer.status == 400 and answer.json()["error"]["type"] == "invalid_request_error"


def test_reset_forgets_files(mock: MockClaude) -> None:
    sdk = mock.client(max_retries=0)
    first = sdk.files.upload(file=("a.txt", b"a", "text/plain"))
    mock.reset()
    assert sdk.files.list().data == []
    again = sdk.files.upload(file=("a.txt", b"a", "text/plain"))
    assert again.id == first.id  # ids start from the beginning
    assert rawhttp.post(mock.url + "/_mock/reset", json_body={}).status == 200
    assert sdk.files.list().data == []


# -- file sources in Messages and Batches ------------------------------------------------------------------------


def _tokens(sdk: anthropic.Anthropic, *blocks: dict[str, Any]) -> int:
    return _ask(sdk, *blocks).usage.input_tokens


def test_a_file_is_counted_by_its_content(sdk: anthropic.Anthropic) -> None:
    text = "The quarterly report says revenue grew by twelve percent. " * 20
    txt = sdk.files.upload(file=("report.txt", text.encode(), "text/plain"))
    inline = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": text}}
    assert _tokens(sdk, _document(txt.id)) == _tokens(sdk, inline)
    pdf_b64 = pdf(["First page of the report", "Second page with more words"])
    as_pdf = sdk.files.upload(file=("r.pdf", base64.b64decode(pdf_b64), "application/pdf"))
    inline_pdf = {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": pdf_b64},
    }
    assert _tokens(sdk, _document(as_pdf.id)) == _tokens(sdk, inline_pdf)
    image = sdk.files.upload(file=("p.jpg", base64.b64decode(jpeg(400, 300)), "image/jpeg"))
    file_image = {"type": "image", "source": {"type": "file", "file_id": image.id}}
    inline_image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/jpeg", "data": jpeg(400, 300)},
    }
    assert _tokens(sdk, file_image) == _tokens(sdk, inline_image)
    assert _tokens(sdk, file_image) < _tokens(
        sdk, {"type": "image", "source": {"type": "url", "url": "https://e.x/a.jpg"}}
    )


def test_unknown_deleted_and_mismatched_files_are_refused(sdk: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        _ask(sdk, _document("file_011CNha8iCJcU1wXNR6q4V8w"))
    assert caught.value.body["error"] == {  # type: ignore[index]
        "type": "not_found_error",
        "message": "File `file_011CNha8iCJcU1wXNR6q4V8w` not found.",
    }
    picture = sdk.files.upload(file=("pic.png", base64.b64decode(png(8, 8)), "image/png"))
    with pytest.raises(anthropic.BadRequestError, match="not supported in a `document` block"):
        _ask(sdk, _document(picture.id))
    paper = sdk.files.upload(file=("doc.pdf", base64.b64decode(pdf(["p"])), "application/pdf"))
    with pytest.raises(anthropic.BadRequestError, match="not supported in a `image` block"):
        _ask(sdk, {"type": "image", "source": {"type": "file", "file_id": paper.id}})
    nested = {"type": "tool_result", "tool_use_id": "toolu_1", "content": [_document("file_gone")]}
    history = [
        {"role": "user", "content": "Look it up"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get", "input": {}}]},
        {"role": "user", "content": [nested]},
    ]
    tools = [{"name": "get", "description": "Get", "input_schema": {"type": "object"}}]
    with pytest.raises(anthropic.NotFoundError, match="file_gone"):
        sdk.messages.create(model=MODEL, max_tokens=8, tools=tools, messages=history)  # type: ignore[arg-type]
    sdk.files.delete(paper.id)
    with pytest.raises(anthropic.NotFoundError):
        _ask(sdk, _document(paper.id))


def test_a_memoised_request_sees_a_deleted_file(sdk: anthropic.Anthropic) -> None:
    txt = sdk.files.upload(file=("again.txt", b"same request twice", "text/plain"))
    _ask(sdk, _document(txt.id))
    _ask(sdk, _document(txt.id))  # the front half's memo hit still checks the file
    sdk.files.delete(txt.id)
    with pytest.raises(anthropic.NotFoundError):
        _ask(sdk, _document(txt.id))


def test_batch_items_resolve_files_when_processed(sdk: anthropic.Anthropic) -> None:
    txt = sdk.files.upload(file=("b.txt", b"batch input", "text/plain"))

    def item(custom_id: str, file_id: str) -> dict[str, Any]:
        content = [_document(file_id), {"type": "text", "text": "Summarise."}]
        return {"custom_id": custom_id, "params": {"model": MODEL, "max_tokens": 8, "messages": [{"role": "user", "content": content}]}}  # fmt: skip

    batch = sdk.messages.batches.create(requests=[item("ok", txt.id), item("gone", "file_nope")])  # type: ignore[list-item]
    sdk.messages.batches.retrieve(batch.id)
    results = {r.custom_id: r.result for r in sdk.messages.batches.results(batch.id)}
    assert results["ok"].type == "succeeded"
    assert results["gone"].type == "errored"
    assert results["gone"].error.error.type == "not_found_error"  # type: ignore[union-attr]
