"""``MockClaude`` without pytest's help: lifetimes, callbacks, assertions, reset, seeds, the public API."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import anthropic
import pytest

import mockclaude
from mockclaude import CheckError, ManualClock, MockClaude, ScriptError, Settings, create_app
from tests import rawhttp

ROOT = Path(__file__).resolve().parents[1]


def ask(mock: MockClaude, text: str = "Hello", **kwargs: Any) -> Any:
    params = {"model": "claude-sonnet-4-6", "max_tokens": 32, "messages": [{"role": "user", "content": text}]}
    return mock.client(max_retries=0).messages.create(**{**params, **kwargs})


def texts(mock: MockClaude) -> list[str]:
    return [entry.text for entry in mock.journal]


def test_context_manager_serves_then_checks() -> None:
    unused = r"'never' \(<python>, times\): matched 0 of 1"
    with pytest.raises(CheckError, match=unused), MockClaude() as mock:
        mock.expect(last_user_text="never").named("never").once().respond(text="x")
        assert mock.url.startswith("http://127.0.0.1:")
        assert ask(mock).content[0].text  # generated: not strict
    # A failing block is not masked by check().
    with pytest.raises(ZeroDivisionError), MockClaude() as mock:
        mock.expect().once().respond(text="x")
        1 / 0  # noqa: B018


def test_start_and_stop_are_idempotent() -> None:
    mock = MockClaude()
    with pytest.raises(RuntimeError, match="not serving"):
        _ = mock.url
    assert mock.start() is mock.start()
    assert rawhttp.request("GET", mock.url + "/_mock/health").status == 200
    mock.stop()
    mock.stop()


def test_lifetimes(mockclaude: MockClaude) -> None:
    mockclaude.expect(last_user_text="once").once().respond(text="first")
    mockclaude.expect(last_user_text="twice").times(2).respond(text="again")
    mockclaude.expect(last_user_text="ord").ordered().respond(text="A")
    mockclaude.expect(last_user_text="ord").ordered().respond(text="B")
    mockclaude.expect(last_user_text="seq").sequence({"text": "1"}, {"text": "2"}, then="repeat_last")
    for text in ("once", "once", "twice", "twice", "twice", "ord", "ord", "seq", "seq", "seq"):
        ask(mockclaude, text)
    served = texts(mockclaude)
    assert served[0] == "first" and served[1] != "first"  # once, then generated
    assert served[2:4] == ["again", "again"] and served[4] != "again"
    assert served[5:] == ["A", "B", "1", "2", "2"]
    mockclaude.check()  # every finite lifetime used up


def test_sequence_exhaustion_policies(mockclaude: MockClaude) -> None:
    mockclaude.expect(last_user_text="err").sequence({"text": "only"}, then="error")
    mockclaude.expect(last_user_text="fall").sequence({"text": "only"}, then="fallthrough")
    mockclaude.expect(last_user_text="fall").priority(-1).respond(text="fallback")
    assert ask(mockclaude, "err").content[0].text == "only"
    with pytest.raises(anthropic.BadRequestError, match="is exhausted"):
        ask(mockclaude, "err")
    assert [ask(mockclaude, "fall").content[0].text for _ in range(2)] == ["only", "fallback"]


def test_priority_named_and_scenarios(mockclaude: MockClaude) -> None:
    mockclaude.expect().priority(-1).respond(text="anything")
    mockclaude.expect(last_user_text="vip").priority(5).named("vip").respond(text="first class")
    paid = mockclaude.expect(last_user_text="status").in_scenario("order", requires="paid", sets="shipped")
    paid.respond(text="shipping now")
    assert ask(mockclaude, "vip").content[0].text == "first class"
    assert ask(mockclaude, "status").content[0].text == "anything"  # scenario not in "paid" yet
    mockclaude.set_scenario("order", "paid")
    assert ask(mockclaude, "status").content[0].text == "shipping now"
    assert mockclaude.scenarios == {"order": "shipped"}
    mockclaude.reset_scenarios("order")
    assert mockclaude.scenarios == {}
    assert mockclaude.stubs[0]["name"] == "vip"  # matching order: priority first


def test_a_lifetime_set_after_the_reply_updates_the_stub(mockclaude: MockClaude) -> None:
    stub = mockclaude.expect(last_user_text="late").respond(text="x").once()
    assert [s["lifetime"] for s in mockclaude.stubs] == ["times"]
    ask(mockclaude, "late")
    assert len(stub.calls) == 1 and stub.calls[0].stub_id == stub.id
    assert stub.remove() and mockclaude.stubs == [] and not stub.remove()


def test_respond_with_a_callback(mockclaude: MockClaude) -> None:
    seen: list[Any] = []

    def reply(request: Any) -> dict[str, Any]:
        seen.append(request)
        return {"text": f"{request.params.model} heard {request.params.messages[-1].content[0].text}"}

    mockclaude.expect().respond_with(reply)
    assert ask(mockclaude, "ping").content[0].text == "claude-sonnet-4-6 heard ping"
    assert seen[0].api_key == "sk-mock"


def test_callback_errors_fail_check_with_the_traceback(mockclaude: MockClaude) -> None:
    def broken(request: Any) -> dict[str, Any]:
        raise LookupError("no forecast for Atlantis")

    mockclaude.expect().named("forecast").respond_with(broken)
    with pytest.raises(anthropic.InternalServerError):
        ask(mockclaude)
    with pytest.raises(CheckError) as failure:
        mockclaude.check()
    message = str(failure.value)
    assert "stub 'forecast': LookupError('no forecast for Atlantis')" in message
    assert 'raise LookupError("no forecast for Atlantis")' in message
    mockclaude.reset()  # so the fixture's own check passes


def test_bad_stubs_fail_where_they_are_written(mockclaude: MockClaude) -> None:
    with pytest.raises(ScriptError, match="unknown match key 'modle'"):
        mockclaude.expect(modle="x").respond(text="y")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="times"):
        mockclaude.expect().times(0)
    with pytest.raises(TypeError):
        mockclaude.expect().respond_with("not callable")  # type: ignore[arg-type]
    forgotten = mockclaude.expect(last_user_text="no reply")
    assert "never given a reply" in mockclaude.report() and not forgotten.registered
    mockclaude.reset()


def test_assert_called(mockclaude: MockClaude) -> None:
    ask(mockclaude, "What's the weather?")
    ask(mockclaude, "Tell me a joke", model="claude-haiku-4-5")
    assert len(mockclaude.assert_called()) == 2
    assert len(mockclaude.assert_called(times=1, model="claude-haiku-4-5")) == 1
    (entry,) = mockclaude.assert_called(last_user_text={"contains": "weather"})
    assert entry.index == 0
    with pytest.raises(CheckError) as failure:
        mockclaude.assert_called(times=2, last_user_text={"regex": "^Tell"})
    assert str(failure.value).splitlines() == [
        "expected 2 messages request(s) matching {'last_user_text': {'regex': '^Tell'}}, got 1",
        '  #0 messages claude-sonnet-4-6 "What\'s the weather?" -> 200: '
        'last_user_text: expected matches /^Tell/, got "What\'s the weather?"',
    ]


def test_assert_called_sees_requests_stopped_before_the_engine() -> None:
    with MockClaude(settings=Settings(clock=ManualClock(), rate_limits="1,1000000,1000000")) as mock:
        ask(mock)
        with pytest.raises(anthropic.RateLimitError):
            ask(mock)
        assert [e.status for e in mock.journal] == [200, 429]
        assert len(mock.assert_called(times=2, last_user_text="Hello")) == 2


def test_reset_forgets_everything_and_ids_repeat(mockclaude: MockClaude) -> None:
    start = mockclaude.clock.now()
    mockclaude.expect(last_user_text="x").respond(text="y")
    first = ask(mockclaude)
    mockclaude.clock.advance(hours=1)  # type: ignore[attr-defined]
    mockclaude.set_scenario("s", "moved")
    mockclaude.reset()
    assert mockclaude.stubs == [] and len(mockclaude.journal) == 0 and mockclaude.scenarios == {}
    assert mockclaude.clock.now() == start and len(mockclaude.cache) == 0
    again = ask(mockclaude)
    assert (again.id, again._request_id, again.content) == (first.id, first._request_id, first.content)


def test_a_new_seed_gives_the_bytes_of_a_fresh_server_with_that_seed(mockclaude: MockClaude) -> None:
    body = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}
    with MockClaude(seed=7) as fresh:
        expected = rawhttp.post(fresh.url + "/v1/messages", json_body=body)
    mockclaude.reset(seed=7)
    got = rawhttp.post(mockclaude.url + "/v1/messages", json_body=body)
    assert got.content == expected.content
    for header in ("request-id", "anthropic-organization-id"):
        assert got.headers[header] == expected.headers[header]
    mockclaude.reset()
    assert mockclaude.seed == 0
    back = rawhttp.post(mockclaude.url + "/v1/messages", json_body=body)
    assert back.headers["anthropic-organization-id"] != expected.headers["anthropic-organization-id"]


def test_load_script_and_the_script_option(tmp_path: Path) -> None:
    script = tmp_path / "hello.yaml"
    script.write_text(
        "version: 1\nstubs:\n  - name: hello\n    match: {last_user_text: Hello}\n    reply: {text: Hi from YAML}\n"
    )
    with MockClaude(script=script, strict=True) as mock:
        assert ask(mock).content[0].text == "Hi from YAML"
        mock.reset()  # the constructor's options are the defaults a reset returns to
        assert [s["name"] for s in mock.stubs] == ["hello"] and mock.strict
        assert mock.load_script(script)[0].startswith("stub_")
        (tmp_path / "broken.yaml").write_text("version: 1\nstubs:\n  - reply: {text: x}\n    when: {}\n")
        with pytest.raises(ScriptError, match="unknown stub key 'when'"):
            mock.load_script(tmp_path / "broken.yaml")


def test_views_and_conveniences(mockclaude: MockClaude) -> None:
    assert mockclaude.env() == {"ANTHROPIC_BASE_URL": mockclaude.url, "ANTHROPIC_API_KEY": "sk-mock"}
    assert isinstance(mockclaude.client(), anthropic.Anthropic)
    assert isinstance(mockclaude.async_client(), anthropic.AsyncAnthropic)
    system = [{"type": "text", "text": "Cached words. " * 600, "cache_control": {"type": "ephemeral"}}]
    ask(mockclaude, system=system)
    cache = mockclaude.cache
    assert len(cache) == 1 and cache.entries[0]["model"] == "claude-sonnet-4-6"
    assert cache.snapshot()["writes"] >= 1
    assert not hasattr(cache, "clear")  # read-only
    assert mockclaude.usage()["totals"]["requests"] == 1
    assert repr(mockclaude).startswith("<MockClaude http://127.0.0.1:")


def test_of_wraps_an_app_built_elsewhere() -> None:
    app = create_app(Settings(seed=3))
    mock = MockClaude.of(app)
    assert MockClaude.of(app) is not mock  # no facade stored on a plain app: a fresh view each time
    assert mock.seed == 3 and "not serving" in repr(mock)
    with pytest.raises(RuntimeError, match="served elsewhere"):
        mock.start()
    built = MockClaude(seed=4)
    assert MockClaude.of(built.app) is built
    assert MockClaude.of(built.app, url="http://127.0.0.1:1/").url == "http://127.0.0.1:1"


def test_the_public_api() -> None:
    names = set(mockclaude.__all__) - {"__version__"}
    assert 18 <= len(names) <= 24
    for name in names:
        assert getattr(mockclaude, name) is not None
    with pytest.raises(AttributeError):
        _ = mockclaude.not_a_name  # type: ignore[attr-defined]
    stub = ast.parse((ROOT / "mockclaude/__init__.pyi").read_text())
    typed = {a.asname for node in stub.body if isinstance(node, ast.ImportFrom) for a in node.names}
    assert typed == names
    assert re.fullmatch(r"\d+\.\d+\.\d+", mockclaude.__version__)


def test_a_tests_bytes_do_not_depend_on_the_tests_before_it(mockclaude: MockClaude) -> None:
    """Scripted replies derive deltas and signatures from their stub: ids start afresh at every reset."""
    body = {
        "model": "claude-sonnet-4-6",
        "max_tokens": 64,
        "stream": True,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    reply = [
        {"type": "thinking", "thinking": "Let me think."},
        {"type": "text", "text": "Hello there, my friend!"},
    ]
    streams = []
    for earlier_stubs in (0, 3):
        for _ in range(earlier_stubs):  # what an earlier test left behind
            mockclaude.expect(last_user_text="other").respond(text="x")
        mockclaude.reset()
        mockclaude.expect().respond(content=reply)
        streams.append(rawhttp.post(mockclaude.url + "/v1/messages", json_body=body).content)
    assert streams[0] == streams[1]


def test_reset_zeroes_the_cache_counters() -> None:
    from mockclaude.pipeline import Pipeline

    pipeline = Pipeline()
    pipeline.cache.store.writes = pipeline.cache.store.hits = 3
    pipeline.reset()
    assert (pipeline.cache.store.writes, pipeline.cache.store.hits, pipeline.cache.store.evictions) == (
        0,
        0,
        0,
    )


def test_rate_limits_as_a_fixture_setting() -> None:
    """Rate limits are off by default and on through the facade / marker options (issue 7)."""
    import anthropic

    from mockclaude import MockClaude

    with MockClaude(rate_limits="2,100000,100000") as mock:
        client = anthropic.Anthropic(base_url=mock.url, api_key="sk-rl", max_retries=0)
        ask = {"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}]}
        raw = client.messages.with_raw_response.create(**ask)  # type: ignore[arg-type]
        assert raw.headers["anthropic-ratelimit-requests-limit"] == "2"
        client.messages.create(**ask)  # type: ignore[arg-type]
        with pytest.raises(anthropic.RateLimitError):
            client.messages.create(**ask)  # type: ignore[arg-type]
        mock.clock.advance(minutes=1)  # the bucket refills on the mock's clock
        client.messages.create(**ask)  # type: ignore[arg-type]
        mock.reset(rate_limits=None)
        for _ in range(3):
            client.messages.create(**ask)  # type: ignore[arg-type]
        mock.reset(time_scale=0.0, chaos=1.0)
        with pytest.raises(anthropic.APIError):
            client.messages.create(**ask)  # type: ignore[arg-type]
        mock.reset(chaos=None)
        client.messages.create(**ask)  # type: ignore[arg-type]
        mock.check()
