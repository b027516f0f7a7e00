"""The Message Batches API (api-spec §9.3) through the official SDK: create, poll, results, list, cancel, delete."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from mockclaude import MockClaude
from mockclaude.clock import ManualClock
from mockclaude.pipeline import Settings
from tests import rawhttp

MODEL = "claude-sonnet-4-6"
BATCH_KEYS = [
    "id",
    "type",
    "processing_status",
    "request_counts",
    "ended_at",
    "created_at",
    "expires_at",
    "archived_at",
    "cancel_initiated_at",
    "results_url",
]


def params(text: str, **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": text}], **extra}


def requests_of(*texts: str) -> list[dict[str, Any]]:
    return [{"custom_id": f"req-{i}", "params": params(text)} for i, text in enumerate(texts)]


@pytest.fixture
def mock() -> Iterator[MockClaude]:
    """A fresh mock whose batches take an hour of its manual clock."""
    with MockClaude(batch_seconds=3600) as m:
        yield m


@pytest.fixture
def sdk(mock: MockClaude) -> anthropic.Anthropic:
    return mock.client(max_retries=0)


def test_create_poll_and_read_results(mock: MockClaude, sdk: anthropic.Anthropic) -> None:
    raw = sdk.messages.batches.with_raw_response.create(requests=requests_of("Hello", "Bonjour"))
    created = json.loads(raw.text())
    assert list(created) == BATCH_KEYS
    assert created["id"].startswith("msgbatch_01") and len(created["id"]) == len("msgbatch_") + 24
    assert created["processing_status"] == "in_progress"
    assert created["request_counts"] == {
        "processing": 2,
        "succeeded": 0,
        "errored": 0,
        "canceled": 0,
        "expired": 0,
    }
    assert created["created_at"] == "2026-01-01T00:00:00.000000Z"  # the manual clock's start, microseconds
    assert created["expires_at"] == "2026-01-02T00:00:00.000000Z"
    assert created["ended_at"] is None and created["results_url"] is None
    batch_id = created["id"]

    mock.clock.advance(3599)
    polled = sdk.messages.batches.retrieve(batch_id)
    assert polled.processing_status == "in_progress" and polled.request_counts.processing == 2
    with pytest.raises(anthropic.AnthropicError, match="No `results_url`"):
        sdk.messages.batches.results(batch_id)  # the SDK refuses before the end: no results_url yet

    mock.clock.advance(1)
    ended = sdk.messages.batches.retrieve(batch_id)
    assert ended.processing_status == "ended"
    assert ended.ended_at is not None and ended.ended_at.isoformat() == "2026-01-01T01:00:00+00:00"
    assert ended.request_counts.succeeded == 2 and ended.request_counts.processing == 0
    assert ended.results_url == f"{mock.url}/v1/messages/batches/{batch_id}/results"

    results = list(sdk.messages.batches.results(batch_id))
    assert [r.custom_id for r in results] == ["req-0", "req-1"]  # request order
    for result in results:
        assert isinstance(result.result, anthropic.types.messages.MessageBatchSucceededResult)
        message = result.result.message
        assert message.id.startswith("msg_") and message.content[0].type == "text"
        assert message.usage.service_tier == "batch"
    # The same result the Messages API gives for the same params (content is a function of the request).
    direct = sdk.messages.create(**params("Hello"))
    assert direct.content == results[0].result.message.content
    assert direct.usage.service_tier == "standard"


def test_batch_seconds_zero_has_ended_by_the_next_read() -> None:
    with MockClaude() as mock:
        sdk = mock.client(max_retries=0)
        batch = sdk.messages.batches.create(requests=requests_of("Hi"))
        assert batch.processing_status == "in_progress"  # the create itself shows it processing
        assert sdk.messages.batches.retrieve(batch.id).processing_status == "ended"
        assert [r.result.type for r in sdk.messages.batches.results(batch.id)] == ["succeeded"]


def test_scripted_reply_shows_up_in_the_batch(mock: MockClaude, sdk: anthropic.Anthropic) -> None:
    mock.expect(last_user_text={"contains": "weather"}).once().respond(text="Sunny, 21 °C")
    batch = sdk.messages.batches.create(
        requests=requests_of("What is the weather in Paris?", "Tell me a joke")
    )
    mock.clock.advance(hours=1)
    results = {r.custom_id: r.result for r in sdk.messages.batches.results(batch.id)}
    scripted = results["req-0"]
    assert scripted.type == "succeeded"
    assert scripted.message.content[0].text == "Sunny, 21 °C"  # type: ignore[union-attr]
    assert results["req-1"].type == "succeeded"
    assert results["req-1"].message.content[0].text != "Sunny, 21 °C"  # type: ignore[union-attr]
    mock.check()  # the once stub was used up by the batch item


def test_invalid_item_is_errored_while_the_others_succeed(mock: MockClaude, sdk: anthropic.Anthropic) -> None:
    bad = {"model": MODEL, "messages": [{"role": "user", "content": "no max_tokens"}]}
    streaming = params("streamed", stream=True)
    unknown = params("x") | {"model": "claude-nonexistent-9"}
    batch = sdk.messages.batches.create(
        requests=[
            {"custom_id": "ok-1", "params": params("one")},
            {"custom_id": "bad", "params": bad},  # type: ignore[typeddict-item]
            {"custom_id": "streaming", "params": streaming},  # type: ignore[typeddict-item]
            {"custom_id": "unknown-model", "params": unknown},  # type: ignore[typeddict-item]
            {"custom_id": "ok-2", "params": params("two")},
        ]
    )
    assert batch.request_counts.processing == 5  # params are checked when processed, not at create
    mock.clock.advance(hours=1)
    ended = sdk.messages.batches.retrieve(batch.id)
    assert ended.request_counts.succeeded == 2 and ended.request_counts.errored == 3
    lines = rawhttp.request(  # with the creating key: another key's organization does not see this batch
        "GET", ended.results_url or "", headers={"accept": "application/binary", "x-api-key": mock.api_key}
    ).content.splitlines()
    by_id = {row["custom_id"]: row["result"] for row in map(json.loads, lines)}
    assert by_id["bad"] == {
        "type": "errored",
        "error": {
            "type": "error",
            "error": {"type": "invalid_request_error", "message": "max_tokens: Field required"},
            "request_id": None,
        },
    }
    assert by_id["streaming"]["error"]["error"]["type"] == "invalid_request_error"
    assert "stream" in by_id["streaming"]["error"]["error"]["message"]
    assert by_id["unknown-model"]["error"]["error"]["type"] == "not_found_error"
    assert by_id["ok-1"]["type"] == by_id["ok-2"]["type"] == "succeeded"
    typed = {r.custom_id: r.result for r in sdk.messages.batches.results(batch.id)}
    assert isinstance(typed["bad"], anthropic.types.messages.MessageBatchErroredResult)
    assert typed["bad"].error.error.message == "max_tokens: Field required"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {
                "requests": [
                    {"custom_id": "same", "params": params("a")},
                    {"custom_id": "same", "params": params("b")},
                ]
            },
            "requests.1.custom_id: Duplicate custom_id 'same'",
        ),
        (
            {"requests": [{"custom_id": "has:colon", "params": params("a")}]},
            "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
        ),
        (
            {"requests": [{"custom_id": "x" * 65, "params": params("a")}]},
            "requests.0.custom_id: String should have at most 64 characters",
        ),
        (
            {"requests": [{"custom_id": "", "params": params("a")}]},
            "requests.0.custom_id: String should have at least 1 character",
        ),
        ({"requests": []}, "requests: List should have at least 1 item after validation, not 0"),
        (
            {"requests": [{"custom_id": "a", "params": "hi"}]},
            "requests.0.params: Input should be a valid dictionary",
        ),
        (
            {"requests": [{"custom_id": 7, "params": {}}]},
            "requests.0.custom_id: Input should be a valid string",
        ),
        ({"requests": [{"params": {}}]}, "requests.0.custom_id: Field required"),
        ({}, "requests: Field required"),
    ],
)
def test_bad_envelopes_fail_the_create(
    mock: MockClaude, sdk: anthropic.Anthropic, body: dict[str, Any], message: str
) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        sdk.post("/v1/messages/batches", body=body, cast_to=object)
    assert info.value.status_code == 400
    error = info.value.body["error"]  # type: ignore[index]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith(message)
    assert len(mock.pipeline.batches) == 0
    assert mock.journal[-1].endpoint == "batches" and mock.journal[-1].status == 400


def test_duplicate_custom_id_through_the_sdk(sdk: anthropic.Anthropic) -> None:
    duplicated = [{"custom_id": "dup", "params": params("a")}, {"custom_id": "dup", "params": params("b")}]
    with pytest.raises(anthropic.BadRequestError, match="Duplicate custom_id 'dup'"):
        sdk.messages.batches.create(requests=duplicated)  # type: ignore[arg-type]


def test_list_paginates_newest_first(mock: MockClaude, sdk: anthropic.Anthropic) -> None:
    created = [sdk.messages.batches.create(requests=requests_of(f"batch {i}")).id for i in range(5)]
    newest_first = created[::-1]
    assert len(set(created)) == 5
    page = sdk.messages.batches.list(limit=2)
    assert [b.id for b in page.data] == newest_first[:2]
    assert page.has_more and page.first_id == newest_first[0] and page.last_id == newest_first[1]
    assert [b.id for b in sdk.messages.batches.list(limit=2)] == newest_first  # auto-pagination: 3 pages
    assert [b.id for b in sdk.messages.batches.list()] == newest_first
    after = sdk.messages.batches.list(limit=2, after_id=newest_first[3])
    assert [b.id for b in after.data] == newest_first[4:] and after.has_more is False
    before = sdk.messages.batches.list(limit=2, before_id=newest_first[3])
    assert [b.id for b in before.data] == newest_first[1:3] and before.has_more is True
    with pytest.raises(anthropic.BadRequestError, match="limit: Input should be greater than or equal to 1"):
        sdk.messages.batches.list(limit=0)
    with pytest.raises(anthropic.BadRequestError, match="after_id"):
        sdk.messages.batches.list(after_id="msgbatch_unknown")
    mock.clock.advance(hours=1)
    listed = sdk.messages.batches.list()
    assert all(b.processing_status == "ended" and b.results_url for b in listed.data)


def test_cancel_before_the_end_cancels_every_request(mock: MockClaude, sdk: anthropic.Anthropic) -> None:
    batch = sdk.messages.batches.create(requests=requests_of("a", "b", "c"))
    mock.clock.advance(60)
    canceling = sdk.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling"
    assert canceling.cancel_initiated_at is not None
    assert canceling.cancel_initiated_at.isoformat() == "2026-01-01T00:01:00+00:00"
    assert canceling.request_counts.processing == 3
    again = sdk.messages.batches.cancel(batch.id)  # idempotent while canceling
    assert again.cancel_initiated_at == canceling.cancel_initiated_at
    mock.clock.advance(hours=1)
    ended = sdk.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended" and ended.request_counts.canceled == 3
    assert ended.request_counts.succeeded == 0
    assert [r.result.type for r in sdk.messages.batches.results(batch.id)] == ["canceled"] * 3
    assert mock.pipeline.ledger.report()["totals"]["requests"] == 0  # canceled requests are not billed


def test_cancel_after_the_end_returns_the_batch_unchanged(mock: MockClaude, sdk: anthropic.Anthropic) -> None:
    batch = sdk.messages.batches.create(requests=requests_of("a"))
    mock.clock.advance(hours=2)
    canceled = sdk.messages.batches.cancel(batch.id)
    assert canceled.processing_status == "ended" and canceled.cancel_initiated_at is None
    assert canceled.request_counts.succeeded == 1


def test_delete_only_once_ended(mock: MockClaude, sdk: anthropic.Anthropic) -> None:
    batch = sdk.messages.batches.create(requests=requests_of("a"))
    with pytest.raises(anthropic.BadRequestError, match="in_progress"):
        sdk.messages.batches.delete(batch.id)
    sdk.messages.batches.cancel(batch.id)
    with pytest.raises(anthropic.BadRequestError, match="canceling"):
        sdk.messages.batches.delete(batch.id)
    mock.clock.advance(hours=1)
    deleted = sdk.messages.batches.delete(batch.id)
    assert deleted.id == batch.id and deleted.type == "message_batch_deleted"
    with pytest.raises(anthropic.NotFoundError) as info:
        sdk.messages.batches.retrieve(batch.id)
    assert info.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
    with pytest.raises(anthropic.NotFoundError):
        sdk.messages.batches.delete(batch.id)
    assert list(sdk.messages.batches.list()) == []


def test_over_a_day_the_requests_expire() -> None:
    with MockClaude(batch_seconds=2 * 86400) as mock:
        sdk = mock.client(max_retries=0)
        batch = sdk.messages.batches.create(requests=requests_of("a", "b"))
        mock.clock.advance(hours=23)
        assert sdk.messages.batches.retrieve(batch.id).processing_status == "in_progress"
        mock.clock.advance(hours=1)
        ended = sdk.messages.batches.retrieve(batch.id)
        assert ended.processing_status == "ended" and ended.request_counts.expired == 2
        assert ended.ended_at == ended.expires_at
        assert [r.result.type for r in sdk.messages.batches.results(batch.id)] == ["expired"] * 2


def _snapshot(url: str, batch_body: dict[str, Any], clock: ManualClock) -> tuple[bytes, bytes, bytes]:
    created = rawhttp.post(url + "/v1/messages/batches", json_body=batch_body)
    assert created.status == 200
    batch_id = created.json()["id"]
    clock.advance(hours=1)
    retrieved = rawhttp.request("GET", f"{url}/v1/messages/batches/{batch_id}")
    results = rawhttp.request("GET", f"{url}/v1/messages/batches/{batch_id}/results")
    return created.content, retrieved.content.replace(url.encode(), b"ORIGIN"), results.content


def test_same_seed_same_batch_same_bytes() -> None:
    body = {"requests": requests_of("Hello", "Write a haiku about tests", "Hello")}
    snapshots = []
    for _ in range(2):
        clock = ManualClock()
        with MockClaude(seed=7, batch_seconds=60, clock=clock) as mock:
            snapshots.append(_snapshot(mock.url, body, clock))
    assert snapshots[0] == snapshots[1]
    created, retrieved, results = snapshots[0]
    assert json.loads(created)["processing_status"] == "in_progress"
    assert b"ORIGIN/v1/messages/batches/" in retrieved
    rows = [json.loads(line) for line in results.splitlines()]
    ids = [row["result"]["message"]["id"] for row in rows]
    assert len(set(ids)) == 3  # the repeated params get a new message id, as a repeated request does
    assert rows[0]["result"]["message"]["content"] == rows[2]["result"]["message"]["content"]
    with MockClaude(seed=8, batch_seconds=60) as other:
        assert _snapshot(other.url, body, other.clock)[2] != results  # type: ignore[arg-type]


def test_reset_forgets_batches(mock: MockClaude, sdk: anthropic.Anthropic) -> None:
    batch = sdk.messages.batches.create(requests=requests_of("a"))
    assert mock.journal[-1].endpoint == "batches"
    assert mock.journal[-1].reply == sdk.messages.batches.retrieve(batch.id).model_dump(mode="json") | {
        "created_at": "2026-01-01T00:00:00.000000Z",
        "expires_at": "2026-01-02T00:00:00.000000Z",
    }
    mock.reset(batch_seconds=3600)
    with pytest.raises(anthropic.NotFoundError):
        sdk.messages.batches.retrieve(batch.id)
    assert list(sdk.messages.batches.list()) == []
    again = sdk.messages.batches.create(requests=requests_of("a"))
    assert again.id == batch.id  # ids start again, as on a fresh mock
    admin = rawhttp.post(mock.url + "/_mock/reset", json_body={})
    assert admin.status == 200
    assert list(sdk.messages.batches.list()) == []


async def test_async_client(mock: MockClaude) -> None:
    client = mock.async_client(max_retries=0)
    batch = await client.messages.batches.create(requests=requests_of("async one", "async two"))
    assert (await client.messages.batches.retrieve(batch.id)).processing_status == "in_progress"
    mock.clock.advance(hours=1)
    assert [b.id async for b in client.messages.batches.list(limit=1)] == [batch.id]
    results = [r async for r in await client.messages.batches.results(batch.id)]
    assert [r.result.type for r in results] == ["succeeded", "succeeded"]
    deleted = await client.messages.batches.delete(batch.id)
    assert deleted.type == "message_batch_deleted"


def test_results_url_is_the_mocks_own_origin_and_prefix() -> None:
    with MockClaude(path_prefix="/anthropic") as mock:
        base = mock.url + "/anthropic"
        created = rawhttp.post(base + "/v1/messages/batches", json_body={"requests": requests_of("hi")})
        batch_id = created.json()["id"]
        retrieved = rawhttp.request("GET", f"{base}/v1/messages/batches/{batch_id}").json()
        assert retrieved["results_url"] == f"{base}/v1/messages/batches/{batch_id}/results"
        assert mock.url.startswith("http://127.0.0.1:")
        plain = rawhttp.request("GET", f"{mock.url}/v1/messages/batches/{batch_id}").json()
        assert plain["results_url"] == f"{mock.url}/v1/messages/batches/{batch_id}/results"
        download = rawhttp.request("GET", retrieved["results_url"], headers={"accept": "application/binary"})
        assert download.status == 200
        assert download.headers["content-type"].startswith("application/binary")
        assert download.content.endswith(b"\n") and len(download.content.splitlines()) == 1
        assert json.loads(download.content)["custom_id"] == "req-0"
        # The SDK follows the absolute URL under the prefix too.
        sdk = anthropic.Anthropic(base_url=base, api_key="sk-test", max_retries=0)
        assert [r.custom_id for r in sdk.messages.batches.results(batch_id)] == ["req-0"]


def test_raw_errors_auth_version_unknown_and_not_ended(mock: MockClaude) -> None:
    url = mock.url + "/v1/messages/batches"
    no_key = rawhttp.request("GET", url, headers={"x-api-key": ""})
    assert no_key.status == 401 and no_key.json()["error"]["type"] == "authentication_error"
    no_version = rawhttp.request("GET", url, headers={"anthropic-version": ""})
    assert no_version.status == 400 and "anthropic-version" in no_version.json()["error"]["message"]
    missing = rawhttp.request("GET", url + "/msgbatch_01nope/results")
    assert missing.status == 404 and missing.json()["error"]["type"] == "not_found_error"
    created = rawhttp.post(url, json_body={"requests": requests_of("hi")}).json()
    early = rawhttp.request("GET", f"{url}/{created['id']}/results")
    assert early.status == 400 and early.json()["error"]["type"] == "invalid_request_error"
    wrong_method = rawhttp.request("PUT", f"{url}/{created['id']}")
    assert wrong_method.status == 405
    not_json = rawhttp.post(url, body=b"{nope")
    assert not_json.status == 400 and "not valid JSON" in not_json.json()["error"]["message"]


def test_a_body_over_the_messages_limit_is_accepted() -> None:
    # 32 MB is the Messages limit; a batch may be up to 256 MB (api-spec §1.3).
    with MockClaude(batch_seconds=3600) as mock:
        big = "x" * (33 * 1024 * 1024)
        body = {"requests": [{"custom_id": "big", "params": params(big)}]}
        created = rawhttp.post(mock.url + "/v1/messages/batches", json_body=body, timeout=60)
        assert created.status == 200, created.text
        assert created.json()["request_counts"]["processing"] == 1


def test_settings_field_and_pipeline_without_a_socket() -> None:
    from mockclaude.pipeline import Pipeline

    clock = ManualClock()
    pipeline = Pipeline(Settings(clock=clock, batch_seconds=10))
    headers = {"x-api-key": "sk-test", "anthropic-version": "2023-06-01"}
    body = json.dumps({"requests": requests_of("hi")}).encode()
    created = pipeline.create_batch(body, headers)
    assert created["processing_status"] == "in_progress"
    clock.advance(10)
    batch = pipeline.settled_batches().get(created["id"])
    assert batch.ended and batch.counts["succeeded"] == 1
    assert batch.to_json("http://x/results")["results_url"] == "http://x/results"
    pipeline.reset()
    assert len(pipeline.batches) == 0


@pytest.mark.mockclaude(batch_seconds=60)
def test_the_marker_sets_batch_seconds(mockclaude: MockClaude) -> None:
    sdk = mockclaude.client(max_retries=0)
    batch = sdk.messages.batches.create(requests=requests_of("marked"))
    assert sdk.messages.batches.retrieve(batch.id).processing_status == "in_progress"
    mockclaude.clock.advance(60)
    assert sdk.messages.batches.retrieve(batch.id).processing_status == "ended"


def test_without_the_marker_batches_end_at_once(mockclaude: MockClaude) -> None:
    sdk = mockclaude.client(max_retries=0)
    batch = sdk.messages.batches.create(requests=requests_of("unmarked"))
    assert sdk.messages.batches.retrieve(batch.id).processing_status == "ended"


def test_admin_reset_sets_batch_seconds() -> None:
    with MockClaude() as mock:  # batches end at once by default
        url = mock.url + "/v1/messages/batches"
        bad = rawhttp.post(mock.url + "/_mock/reset", json_body={"batch_seconds": -1})
        assert bad.status == 400 and "batch_seconds" in bad.json()["error"]["message"]
        assert rawhttp.post(mock.url + "/_mock/reset", json_body={"batch_seconds": 60}).status == 200
        created = rawhttp.post(url, json_body={"requests": requests_of("hi")}).json()
        assert rawhttp.request("GET", f"{url}/{created['id']}").json()["processing_status"] == "in_progress"
        mock.clock.advance(60)
        assert rawhttp.request("GET", f"{url}/{created['id']}").json()["processing_status"] == "ended"


def test_serve_batch_seconds_flag() -> None:
    import signal

    from tests.serve_proc import start_serve

    proc, url = start_serve("--batch-seconds", "3600")
    try:
        client = anthropic.Anthropic(base_url=url, api_key="sk-test", max_retries=0)
        batch = client.messages.batches.create(requests=requests_of("hi"))  # type: ignore[arg-type]
        again = client.messages.batches.retrieve(batch.id)
        assert again.processing_status == "in_progress" and again.request_counts.processing == 1
        assert client.messages.batches.cancel(batch.id).processing_status == "canceling"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    bad = subprocess.run(
        [sys.executable, "-m", "mockclaude", "serve", "--batch-seconds", "-1"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and bad.stderr.strip() == "mockclaude: --batch-seconds must be >= 0"


# -- found by review --------------------------------------------------------------------------------------------


def test_deleting_while_paging_keeps_the_cursor_valid() -> None:
    """The usual clean-up loop deletes what it pages through; the next page's cursor is a deleted batch."""
    with MockClaude() as mock:
        client = mock.client(max_retries=0)
        made = [client.messages.batches.create(requests=requests_of(f"q{i}")).id for i in range(25)]
        deleted = []
        for batch in client.messages.batches.list(limit=10):
            assert batch.processing_status == "ended"
            client.messages.batches.delete(batch.id)
            deleted.append(batch.id)
        assert deleted == made[::-1]
        assert client.messages.batches.list().data == []


def test_a_broken_item_is_errored_and_every_due_batch_still_ends() -> None:
    """A reply callback whose reply cannot be rendered (a 500 on /v1/messages) once escaped the settling and left
    that batch and every other batch due at the same time in progress for ever."""
    with MockClaude(batch_seconds=10) as mock:
        client = mock.client(max_retries=0)
        broken = {"content": [{"type": "tool_use", "id": "toolu_01", "name": "f", "input": {"x": object()}}]}
        mock.expect(last_user_text="bad").respond_with(lambda req: broken)
        bad = client.messages.batches.create(requests=requests_of("bad", "fine"))
        good = client.messages.batches.create(requests=requests_of("fine too"))
        mock.clock.advance(10)
        assert client.messages.batches.retrieve(good.id).processing_status == "ended"
        ended = client.messages.batches.retrieve(bad.id)
        assert ended.processing_status == "ended"
        assert (ended.request_counts.errored, ended.request_counts.succeeded) == (1, 1)
        first = next(iter(client.messages.batches.results(bad.id)))
        assert first.result.type == "errored" and first.result.error.error.type == "api_error"  # type: ignore[union-attr]


def test_a_failed_create_is_not_journaled_with_an_earlier_items_stub() -> None:
    with MockClaude() as mock:
        client = mock.client(max_retries=0)
        stub = mock.expect(last_user_text="hi").respond(text="Hello")
        client.messages.batches.create(requests=requests_of("hi"))
        duplicate = [{"custom_id": "x", "params": params("hi")}] * 2
        with pytest.raises(anthropic.BadRequestError):
            client.messages.batches.create(requests=duplicate)  # type: ignore[arg-type]
        assert [(e.endpoint, e.status, e.stub_id) for e in mock.journal.entries()] == [
            ("batches", 200, None),
            ("batches", 400, None),
        ]
        assert stub.calls == []  # the batch item is not a request of its own


def test_assert_called_counts_batches_and_count_tokens() -> None:
    with MockClaude() as mock:
        client = mock.client(max_retries=0)
        client.messages.batches.create(requests=requests_of("hi"))
        client.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": "count me"}])
        assert len(mock.assert_called(1, endpoint="batches")) == 1
        assert len(mock.assert_called(1, endpoint="count_tokens", last_user_text="count me")) == 1
        with pytest.raises(AssertionError, match="no messages requests in the journal"):
            mock.assert_called(endpoint="messages")


def test_batch_seconds_must_be_a_non_negative_number() -> None:
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="batch_seconds"):
            MockClaude(batch_seconds=bad)
