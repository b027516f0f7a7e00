"""Record through an upstream, stop it, replay offline (README "Record and replay").

The upstream is tests/record_upstream.py on loopback: it checks the key, names its organisation, and answers
with ids, text and usage no mock would invent. Nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic
import pytest
import yaml

from mockclaude.clock import ManualClock
from mockclaude.pipeline import Settings
from mockclaude.record.config import RecordConfig
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp
from tests.record_upstream import ORG_ID, UPSTREAM_KEY, Upstream

CLIENT_KEY = "sk-ant-client-key-that-must-never-be-written-0042"
HELLO = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "Hello there"}],
}


@dataclass
class Running:
    server: ServerThread
    upstream: Upstream

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture
def upstream() -> Iterator[Running]:
    state = Upstream()
    with ServerThread(state.app()) as server:
        yield Running(server, state)


def serve(path: Path, mode: str, upstream: str | None = None, **settings: Any) -> ServerThread:
    """A mock recording into (or replaying) ``path``; the upstream gets the upstream key, not the client's."""
    config = RecordConfig(path=path, mode=mode, upstream=upstream, upstream_key=UPSTREAM_KEY)  # type: ignore[arg-type]
    return ServerThread(create_app(Settings(any_model=True, **settings), record=config)).start()


def client(server: ServerThread) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.url, api_key=CLIENT_KEY, max_retries=0)


def sse_events(server: ServerThread, body: dict[str, Any]) -> list[tuple[str, str]]:
    """The raw (event, data) lines of a stream, as the wire carries them."""
    response = rawhttp.request(
        "POST",
        server.url + "/v1/messages",
        json_body={**body, "stream": True},
        headers={"x-api-key": CLIENT_KEY},
    )
    assert response.status == 200, response.text
    lines = [line for line in response.text.splitlines() if line]
    return list(zip(lines[0::2], lines[1::2], strict=True))


def record_session(tmp_path: Path, upstream: Running) -> dict[str, Any]:
    """Record JSON, a stream, count_tokens, models and an error through the proxy; what the client saw."""
    seen: dict[str, Any] = {}
    proxy = serve(tmp_path, "once", upstream.url)
    try:
        sdk = client(proxy)
        raw = sdk.messages.with_raw_response.create(**HELLO)
        seen["json"] = raw.http_response.content
        seen["request_id"] = raw.request_id
        seen["sse"] = sse_events(proxy, HELLO)
        with sdk.messages.stream(
            **{**HELLO, "messages": [{"role": "user", "content": "Stream it"}]}
        ) as stream:
            seen["sdk_events"] = [event.type for event in stream]
            seen["sdk_text"] = stream.get_final_text()
        seen["count"] = sdk.messages.count_tokens(
            model=HELLO["model"], messages=HELLO["messages"]
        ).input_tokens
        seen["models"] = [model.id for model in sdk.models.list()]
        seen["models_raw"] = sdk.models.with_raw_response.list().http_response.content
        with pytest.raises(anthropic.RateLimitError) as limited:
            sdk.messages.create(**{**HELLO, "messages": [{"role": "user", "content": "rate me"}]})
        seen["error"] = limited.value.response.content
    finally:
        proxy.stop()
    return seen


def test_record_stop_the_upstream_replay_the_same_bytes(tmp_path: Path, upstream: Running) -> None:
    seen = record_session(tmp_path, upstream)
    assert b"msg_upstream_0001" in seen["json"] and seen["models"] == ["claude-upstream-9"]
    upstream.server.stop()  # from here on, only the cassette can answer
    replay = serve(tmp_path, "none")
    try:
        sdk = client(replay)
        raw = sdk.messages.with_raw_response.create(**HELLO)
        assert raw.http_response.content == seen["json"]  # ids, text and usage included
        assert raw.request_id == seen["request_id"]
        assert sse_events(replay, HELLO) == seen["sse"]  # event by event, pings included
        with sdk.messages.stream(
            **{**HELLO, "messages": [{"role": "user", "content": "Stream it"}]}
        ) as stream:
            assert [event.type for event in stream] == seen["sdk_events"]
            assert stream.get_final_text() == seen["sdk_text"] and "Upstream answer" in seen["sdk_text"]
        assert sdk.messages.count_tokens(model=HELLO["model"], messages=HELLO["messages"]).input_tokens == 777
        assert [model.id for model in sdk.models.list()] == seen["models"]
        assert sdk.models.with_raw_response.list().http_response.content == seen["models_raw"]  # not compact
        with pytest.raises(anthropic.RateLimitError) as limited:
            sdk.messages.create(**{**HELLO, "messages": [{"role": "user", "content": "rate me"}]})
        # The same bytes, but for what redaction took out before the file was written (the organisation).
        assert limited.value.response.content == seen["error"].replace(ORG_ID.encode(), b"[REDACTED]")
    finally:
        replay.stop()
    checked = subprocess.run(
        [sys.executable, "-m", "mockclaude", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("ok: 7 stubs in 1 file")


def test_no_secret_reaches_the_recorded_files(tmp_path: Path, upstream: Running) -> None:
    record_session(tmp_path, upstream)
    written = "".join(path.read_text() for path in tmp_path.rglob("*") if path.is_file())
    assert written and "msg_upstream_0001" in written
    for secret in (CLIENT_KEY, UPSTREAM_KEY, ORG_ID, "s3cr3t"):
        assert secret not in written
    data = yaml.safe_load((tmp_path / "cassette.yaml").read_text())
    headers = data["stubs"][0]["reply"]["recorded"]["headers"]
    assert headers["anthropic-organization-id"] == headers["set-cookie"] == "[REDACTED]"
    error = data["stubs"][-1]["reply"]["recorded"]["body"]["error"]["message"]
    assert error == "Number of requests exceeded (organization [REDACTED])"  # in bodies too


def test_the_upstream_gets_the_upstream_key_or_the_clients_own(tmp_path: Path, upstream: Running) -> None:
    config = RecordConfig(path=tmp_path / "own.yaml", mode="all", upstream=upstream.url, env_key="")
    proxy = ServerThread(create_app(Settings(), record=config)).start()
    try:
        with pytest.raises(anthropic.AuthenticationError):  # the client's own key, which the upstream refuses
            client(proxy).messages.create(**HELLO)
        ok = anthropic.Anthropic(base_url=proxy.url, api_key=UPSTREAM_KEY, max_retries=0).messages.create(
            **HELLO
        )
        assert ok.id.startswith("msg_upstream_")
    finally:
        proxy.stop()
    assert UPSTREAM_KEY not in (tmp_path / "own.yaml").read_text()


def test_a_strict_miss_is_a_400_naming_the_nearest_recording(tmp_path: Path, upstream: Running) -> None:
    record_session(tmp_path, upstream)
    upstream.server.stop()
    replay = serve(tmp_path, "none")
    try:
        with pytest.raises(anthropic.BadRequestError) as missed:
            client(replay).messages.create(
                **{**HELLO, "messages": [{"role": "user", "content": "Hello where"}]}
            )
        message = missed.value.message
        assert "no stub matched this request" in message
        assert "'#1 POST /v1/messages: Hello there'" in message.split("Nearest")[1].split("|")[0]
        assert 'messages[0].content[0].text: recorded "Hello there", got "Hello where"' in message
        assert missed.value.response.headers["x-should-retry"] == "false"
        with pytest.raises(anthropic.BadRequestError) as models:
            client(replay).models.list(limit=5)
        assert "no recording matches GET /v1/models (record mode none)" in models.value.message
        assert 'limit: recorded absent, got "5"' in models.value.message
    finally:
        replay.stop()


def test_new_episodes_records_only_the_miss(tmp_path: Path, upstream: Running) -> None:
    proxy = serve(tmp_path, "once", upstream.url)
    try:
        first = client(proxy).messages.create(**HELLO)
    finally:
        proxy.stop()
    assert upstream.upstream.seen == ["POST /v1/messages"]
    proxy = serve(tmp_path, "new_episodes", upstream.url)
    try:
        again = client(proxy).messages.create(**HELLO)  # recorded: replayed, the upstream never sees it
        other = client(proxy).messages.create(
            **{**HELLO, "messages": [{"role": "user", "content": "Something new"}]}
        )
    finally:
        proxy.stop()
    assert again.id == first.id and other.id == "msg_upstream_0002"
    assert upstream.upstream.seen == ["POST /v1/messages", "POST /v1/messages"]
    stubs = yaml.safe_load((tmp_path / "cassette.yaml").read_text())["stubs"]
    assert [stub["name"] for stub in stubs] == [
        "#1 POST /v1/messages: Hello there",
        "#2 POST /v1/messages: Something new",
    ]


def test_once_replays_an_existing_cassette_and_all_records_it_afresh(
    tmp_path: Path, upstream: Running
) -> None:
    proxy = serve(tmp_path, "once", upstream.url)
    try:
        client(proxy).messages.create(**HELLO)
    finally:
        proxy.stop()
    proxy = serve(tmp_path, "once", upstream.url)
    try:
        with pytest.raises(anthropic.BadRequestError):  # the cassette exists: once replays only
            client(proxy).messages.create(**{**HELLO, "messages": [{"role": "user", "content": "new"}]})
    finally:
        proxy.stop()
    proxy = serve(tmp_path, "all", upstream.url)
    try:
        again = client(proxy).messages.create(**HELLO)  # all: upstream again, never the recording
    finally:
        proxy.stop()
    assert again.id == "msg_upstream_0002"
    stubs = yaml.safe_load((tmp_path / "cassette.yaml").read_text())["stubs"]
    assert len(stubs) == 1 and stubs[0]["reply"]["recorded"]["body"]["id"] == "msg_upstream_0002"


def test_a_replay_paces_like_the_original(tmp_path: Path, upstream: Running) -> None:
    proxy = serve(tmp_path, "once", upstream.url)
    try:
        started = time.perf_counter()
        sse_events(proxy, HELLO)
        took = time.perf_counter() - started
    finally:
        proxy.stop()
    events = yaml.safe_load((tmp_path / "cassette.yaml").read_text())["stubs"][0]["reply"]["recorded"][
        "events"
    ]
    gaps = [b["ms"] - a["ms"] for a, b in itertools.pairwise(events)]
    assert sum(g > 30 for g in gaps) >= 5  # the upstream's pauses (40 ms) are kept event by event
    clock = ManualClock()
    replay = serve(tmp_path, "none", time_scale=1.0, clock=clock)
    try:
        before = clock.now()
        sse_events(replay, HELLO)
        paced = clock.now() - before  # the manual clock advances by every wait, without waiting
    finally:
        replay.stop()
    assert paced == pytest.approx(events[-1]["ms"] / 1000.0, rel=0.02)
    assert paced <= took


def test_recount_serves_the_mocks_usage(tmp_path: Path, upstream: Running) -> None:
    proxy = serve(tmp_path, "once", upstream.url)
    try:
        recorded = client(proxy).messages.create(**HELLO).usage
    finally:
        proxy.stop()
    assert recorded.input_tokens == 4001
    replay = serve(tmp_path, "none", recount=True)
    try:
        message = client(replay).messages.create(**HELLO)
        recounted = client(replay).messages.count_tokens(model=HELLO["model"], messages=HELLO["messages"])
    finally:
        replay.stop()
    with ServerThread(create_app(Settings())) as plain:  # what the mock itself counts for this prompt
        counted = (
            client(plain).messages.count_tokens(model=HELLO["model"], messages=HELLO["messages"]).input_tokens
        )
    assert message.id == "msg_upstream_0001"
    assert message.usage.input_tokens == counted == recounted.input_tokens != recorded.input_tokens
    assert 0 < message.usage.output_tokens < recorded.output_tokens


def test_thinking_signatures_come_back_verbatim_and_are_accepted(tmp_path: Path) -> None:
    """Another seed signs differently: without the recording's signatures, the second turn would be a 400."""
    thinking = {"type": "enabled", "budget_tokens": 1024}
    first = {**HELLO, "max_tokens": 2048, "thinking": thinking}
    with ServerThread(create_app(Settings(seed=5))) as other_mock:
        proxy = serve(tmp_path, "once", other_mock.url)
        try:
            turn1 = client(proxy).messages.create(**first)
            history = [
                *first["messages"],
                {"role": "assistant", "content": [b.model_dump() for b in turn1.content]},
            ]
            second = {**first, "messages": [*history, {"role": "user", "content": "And then?"}]}
            turn2 = client(proxy).messages.create(**second)
        finally:
            proxy.stop()
    assert turn1.content[0].type == "thinking"
    replay = serve(tmp_path, "none")  # seed 0, the upstream gone
    try:
        again1 = client(replay).messages.create(**first)
        assert again1.content[0].signature == turn1.content[0].signature  # verbatim
        again2 = client(replay).messages.create(**second)  # the seed-5 signature is accepted
        assert again2.id == turn2.id
        with pytest.raises(anthropic.BadRequestError, match="Invalid `signature`"):  # altered text: refused
            forged = {
                **second["messages"][1],
                "content": [{**history[1]["content"][0], "thinking": "forged"}],
            }
            client(replay).messages.create(
                **{**second, "messages": [second["messages"][0], forged, second["messages"][2]]}
            )
    finally:
        replay.stop()


def test_batches_record_and_replay(tmp_path: Path, upstream: Running) -> None:
    item = {"custom_id": "one", "params": HELLO}
    proxy = serve(tmp_path, "once", upstream.url)
    try:
        sdk = client(proxy)
        created = sdk.messages.batches.create(requests=[item])  # type: ignore[list-item]
        polls = [sdk.messages.batches.retrieve(created.id).processing_status for _ in range(3)]
    finally:
        proxy.stop()
    assert polls == ["in_progress", "ended", "ended"]
    upstream.server.stop()
    replay = serve(tmp_path, "none")
    try:
        sdk = client(replay)
        assert sdk.messages.batches.create(requests=[item]).id == created.id  # type: ignore[list-item]
        assert [sdk.messages.batches.retrieve(created.id).processing_status for _ in range(3)] == polls
        with pytest.raises(anthropic.BadRequestError, match="played already"):  # each recording plays once
            sdk.messages.batches.retrieve(created.id)
    finally:
        replay.stop()


def test_serve_records_and_replays_from_the_command_line(tmp_path: Path, upstream: Running) -> None:
    import signal

    from tests.serve_proc import start_serve

    proc, url = start_serve(
        "--upstream", upstream.url, "--record", str(tmp_path), "--upstream-key", UPSTREAM_KEY
    )
    try:
        recorded = anthropic.Anthropic(base_url=url, api_key=CLIENT_KEY, max_retries=0).messages.create(
            **HELLO
        )
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.stdout.read() if proc.stdout else ""  # not communicate(): it skips what readline buffered
        proc.wait(timeout=30)
    assert f"Proxying {upstream.url}, recording into {tmp_path / 'cassette.yaml'} (record mode once)." in out
    upstream.server.stop()
    proc, url = start_serve("--record", str(tmp_path), "--record-mode", "none")
    try:
        again = anthropic.Anthropic(base_url=url, api_key="sk-any", max_retries=0).messages.create(**HELLO)
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.stdout.read() if proc.stdout else ""  # not communicate(): it skips what readline buffered
        proc.wait(timeout=30)
    assert "Replaying" in out and again.id == recorded.id == "msg_upstream_0001"


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--upstream", "http://127.0.0.1:9"], "--upstream needs --record DIR"),
        (["--record", "{tmp}/nothing", "--record-mode", "none"], "no cassette at"),
        (["--record", "{tmp}/nothing"], "record mode once sends requests upstream: give --upstream URL"),
        (["--record", "{tmp}", "--upstream", "ftp://x"], "upstream: expected an http(s) URL"),
        (["--record", "{tmp}", "--upstream", "http://127.0.0.1:9", "--redact-path", "x"], "not a JSON path"),
    ],
)
def test_serve_refuses_record_flags_that_do_not_fit(tmp_path: Path, flags: list[str], says: str) -> None:
    args = [flag.replace("{tmp}", str(tmp_path)) for flag in flags]
    done = subprocess.run(
        [sys.executable, "-m", "mockclaude", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and says in done.stderr, done.stderr


def test_the_admin_route_starts_shows_and_ends_a_session(tmp_path: Path, upstream: Running) -> None:
    from mockclaude.mock import MockClaude

    with MockClaude() as mock:
        body = {
            "path": str(tmp_path),
            "mode": "new_episodes",
            "upstream": upstream.url,
            "upstream_key": UPSTREAM_KEY,
        }
        started = rawhttp.request("POST", mock.url + "/_mock/cassette", json_body=body).json()
        assert started["active"] and started["records"] and started["replays"] and started["recorded"] == 0
        assert mock.client(max_retries=0).messages.create(**HELLO).id == "msg_upstream_0001"
        assert rawhttp.request("GET", mock.url + "/_mock/cassette").json()["recorded"] == 1
        assert rawhttp.request("DELETE", mock.url + "/_mock/cassette").json() == {"active": False}
        assert (
            not mock.client().messages.create(**HELLO).id.startswith("msg_upstream_")
        )  # the mock's own again
        bad = rawhttp.request(
            "POST", mock.url + "/_mock/cassette", json_body={"path": str(tmp_path), "mode": "x"}
        )
        assert bad.status == 400 and "record mode" in bad.json()["error"]["message"]


def test_batch_results_and_chat_completions_through_another_mock(tmp_path: Path) -> None:
    """The batch's results_url points back at whoever serves the batch; chat completions stream too."""
    item = {"custom_id": "one", "params": HELLO}
    chat = {"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "Hi from OpenAI"}]}

    def run(server: ServerThread) -> tuple[Any, ...]:
        sdk = client(server)
        batch = sdk.messages.batches.create(requests=[item])  # type: ignore[list-item]
        ended = sdk.messages.batches.retrieve(batch.id)
        results = [r.result.type for r in sdk.messages.batches.results(batch.id)]
        plain = rawhttp.request("POST", server.url + "/v1/chat/completions", json_body=chat)
        streamed = rawhttp.request(
            "POST", server.url + "/v1/chat/completions", json_body={**chat, "stream": True}
        )
        return batch.id, ended.results_url, results, plain.content, streamed.content

    with ServerThread(create_app(Settings(seed=5))) as other_mock:
        proxy = serve(tmp_path, "once", other_mock.url)
        try:
            recorded = run(proxy)
            assert recorded[1].startswith(proxy.url)  # the proxy's URL, not the upstream's
        finally:
            proxy.stop()
    replay = serve(tmp_path, "none")
    try:
        replayed = run(replay)
    finally:
        replay.stop()
    assert replayed[1] == recorded[1].replace(proxy.url, replay.url)
    assert replayed[2] == recorded[2] == ["succeeded"]
    assert replayed[0] == recorded[0] and replayed[3:] == recorded[3:]
    assert b"data: [DONE]" in replayed[4]
    assert "127.0.0.1" not in (tmp_path / "cassette.yaml").read_text().split("stubs:")[1]


def test_a_broken_cassette_is_reported_before_anything_is_served(tmp_path: Path) -> None:
    (tmp_path / "cassette.yaml").write_text("version: 1\nrecording: {redact: not-a-list}\nstubs: []\n")
    with pytest.raises(ValueError, match=r"cassette.yaml:2: at recording.redact: expected a list of strings"):
        serve(tmp_path, "new_episodes", "http://127.0.0.1:9")


def test_a_retried_overload_replays_as_it_happened(tmp_path: Path, upstream: Running) -> None:
    flaky = {**HELLO, "messages": [{"role": "user", "content": "flaky one"}]}
    proxy = serve(tmp_path, "once", upstream.url)
    try:
        recorded = anthropic.Anthropic(base_url=proxy.url, api_key=CLIENT_KEY, max_retries=2).messages.create(
            **flaky
        )
    finally:
        proxy.stop()
    assert upstream.upstream.seen == ["POST /v1/messages"] * 2  # the 529, then the retry's answer
    upstream.server.stop()
    replay = serve(tmp_path, "none")
    try:
        sdk = anthropic.Anthropic(base_url=replay.url, api_key=CLIENT_KEY, max_retries=2)
        raw = sdk.messages.with_raw_response.create(**flaky)
        assert raw.retries_taken == 1 and raw.parse().id == recorded.id
        statuses = [entry.status for entry in replay.app[PIPELINE].journal.entries()]
    finally:
        replay.stop()
    assert statuses == [529, 200]
