"""The pytest plugin, run the way users run it: pytester writes test files and runs pytest on them.

The plugin loads through the ``pytest11`` entry point (installed with the package): the test files below have
no conftest. Most runs are in-process (fast); xdist needs a subprocess.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ASYNC_INI = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"

CREATE = """
def ask(client, text="Hello", model="claude-sonnet-4-6"):
    return client.messages.create(model=model, max_tokens=32, messages=[{"role": "user", "content": text}])
"""


# Hypothesis's pytest plugin costs ~1.5 s per in-process run (and nothing here uses it).
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


def _run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makeini(ASYNC_INI)
    pytester.makepyfile(test_user=source)
    return pytester.runpytest_inprocess(*QUIET, *args)


def test_plugin_is_registered_by_its_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makeini(ASYNC_INI)
    pytester.makepyfile(
        test_user="""
        def test_plugin(pytestconfig):
            assert pytestconfig.pluginmanager.has_plugin("mockclaude")
        """
    )
    result = pytester.runpytest_inprocess(*QUIET, "--markers")
    result.stdout.fnmatch_lines(["*@pytest.mark.mockclaude(seed=0, strict=False, script=None*"])
    pytester.runpytest_inprocess(*QUIET).assert_outcomes(passed=1)


def test_a_passing_test(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        "import anthropic\n"
        + CREATE
        + """
def test_greeting(mockclaude):
    mockclaude.expect(last_user_text="Hello").once().respond(text="Hi there")
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-mock", max_retries=0)
    assert ask(client).content[0].text == "Hi there"
    mockclaude.assert_called(times=1, last_user_text="Hello")

def test_the_next_test_starts_afresh(mockclaude):
    assert mockclaude.stubs == [] and len(mockclaude.journal) == 0
""",
    )
    result.assert_outcomes(passed=2)


def test_a_failing_expectation_prints_near_misses(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        "import anthropic\n"
        + CREATE
        + """
def test_wrong_model(mockclaude):
    mockclaude.expect(model="claude-opus-4-5").named("opus greeting").once().respond(text="Hi")
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-mock", max_retries=0)
    ask(client, model="claude-haiku-4-5")  # not strict: a generated reply, the stub stays unused
""",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*CheckError: mockclaude check failed:*",
            "*1 stub not used up:*",
            "*'opus greeting' (<python>, times): matched 0 of 1 requests*",
            '*claude-haiku-4-5*Hello*model: expected equals "claude-opus-4-5", got "claude-haiku-4-5"*',
        ]
    )


def test_an_unmatched_request_fails_in_strict_mode(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        "import anthropic, pytest\n"
        + CREATE
        + """
@pytest.mark.mockclaude(strict=True)
def test_unexpected_question(mockclaude):
    mockclaude.expect(last_user_text={"contains": "weather"}).respond(text="Sunny")
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-mock", max_retries=0)
    try:
        ask(client, text="What time is it?")
    except anthropic.BadRequestError:
        pass  # the code under test swallowed the error: check() still fails the test

@pytest.mark.mockclaude(strict=True)
def test_uncaught(mockclaude):
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-mock", max_retries=0)
    ask(client, text="anything")
""",
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*1 request matched no stub (strict mode):*",
            "*#0 messages claude-sonnet-4-6 'What time is it?' -> 400*",
            '*near miss*last_user_text: expected contains "weather", got "What time is it?"*',
        ]
    )
    # The test that failed on its own carries the mockclaude report as a section of its report.
    result.stdout.fnmatch_lines(["*BadRequestError*", "*Captured mockclaude call*", "*(no stubs loaded)*"])


def test_a_failing_callback_fails_the_test_with_its_traceback(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        "import anthropic\n"
        + CREATE
        + """
def broken(request):
    raise KeyError("no such city")

def test_callback(mockclaude):
    mockclaude.expect().respond_with(broken)
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-mock", max_retries=0)
    try:
        ask(client)
    except anthropic.InternalServerError:
        pass
""",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*1 reply callback error:*", "*KeyError('no such city')*", "*in broken*", "*raise KeyError*"]
    )


def test_mockclaude_env_with_a_client_built_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://example.invalid")
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "a-real-token")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    result = _run(
        pytester,
        """
import os
import anthropic

def code_under_test():
    client = anthropic.Anthropic(max_retries=0)  # no arguments: the environment says where
    return client.messages.create(
        model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": "Hello"}]
    ).content[0].text

def test_env(mockclaude_env):
    mockclaude_env.expect(last_user_text="Hello").respond(text="from the mock")
    assert code_under_test() == "from the mock"
    assert os.environ["ANTHROPIC_BASE_URL"] == mockclaude_env.url
    assert "ANTHROPIC_AUTH_TOKEN" not in os.environ
    assert mockclaude_env.journal[-1].headers["authorization"] == "Bearer sk-…"  # the key, redacted

def test_restored_afterwards():
    assert os.environ["ANTHROPIC_BASE_URL"] == "http://example.invalid"
    assert os.environ["ANTHROPIC_AUTH_TOKEN"] == "a-real-token"
    assert "ANTHROPIC_API_KEY" not in os.environ
""",
    )
    result.assert_outcomes(passed=2)
    assert os.environ["ANTHROPIC_BASE_URL"] == "http://example.invalid"


def test_sync_and_async_clients_in_one_session(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        "import asyncio, anthropic\n"
        + CREATE
        + """
def test_sync(mockclaude):
    mockclaude.expect().respond(text="sync")
    assert ask(anthropic.Anthropic(base_url=mockclaude.url, api_key="k", max_retries=0)).content[0].text == "sync"

async def test_async(mockclaude):
    mockclaude.expect().respond(text="async")
    client = anthropic.AsyncAnthropic(base_url=mockclaude.url, api_key="k", max_retries=0)
    replies = await asyncio.gather(*(client.messages.create(
        model="claude-sonnet-4-6", max_tokens=8, messages=[{"role": "user", "content": str(i)}]
    ) for i in range(5)))
    assert {r.content[0].text for r in replies} == {"async"}
    assert len(mockclaude.journal) == 5

def test_sync_again(mockclaude, mockclaude_server):
    assert mockclaude is mockclaude_server
    with mockclaude.client(max_retries=0).messages.stream(
        model="claude-sonnet-4-6", max_tokens=8, messages=[{"role": "user", "content": "s"}]
    ) as stream:
        assert stream.get_final_message().content
    assert mockclaude.journal[-1].stream
""",
    )
    result.assert_outcomes(passed=3)


def test_the_marker_applies_to_one_test(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yaml",
        greeting="""
version: 1
stubs:
  - name: hello
    match: {last_user_text: Hello}
    reply: {text: "Hello from a script"}
""",
    )
    result = _run(
        pytester,
        "import anthropic, pytest\n"
        + CREATE
        + """
pytestmark = pytest.mark.mockclaude(any_model=False)

@pytest.mark.mockclaude(seed=7, script="greeting.yaml", strict=True)
def test_marked(mockclaude):
    assert mockclaude.seed == 7 and mockclaude.strict
    assert ask(mockclaude.client(max_retries=0)).content[0].text == "Hello from a script"

def test_unmarked(mockclaude):
    assert mockclaude.seed == 0 and not mockclaude.strict and mockclaude.stubs == []

@pytest.mark.mockclaude(api_keys=["sk-only"])
def test_keys(mockclaude):
    assert mockclaude.api_key == "sk-only"
    with pytest.raises(anthropic.AuthenticationError):
        ask(anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-other", max_retries=0))
""",
    )
    result.assert_outcomes(passed=3)


def test_a_marker_with_a_typo_is_an_error(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester,
        """
import pytest

@pytest.mark.mockclaude(sead=3)
def test_typo(mockclaude):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*TypeError: unknown mockclaude option(s) 'sead'; allowed: seed, strict*"])


def test_xdist_gives_each_worker_its_own_server(pytester: pytest.Pytester, tmp_path: Path) -> None:
    out = tmp_path / "urls"
    out.mkdir()
    pytester.makepyfile(
        test_user=f"""
import os, pathlib
import anthropic
import pytest

@pytest.mark.parametrize("n", range(6))
def test_one(mockclaude, worker_id, n):
    mockclaude.expect().once().respond(text=str(n))
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="sk-mock", max_retries=0)
    reply = client.messages.create(model="claude-sonnet-4-6", max_tokens=8, messages=[{{"role": "user", "content": "x"}}])
    assert reply.content[0].text == str(n)
    assert len(mockclaude.journal) == 1
    pathlib.Path({str(out)!r}, f"{{worker_id}}-{{n}}").write_text(mockclaude.url)
"""
    )
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", *QUIET)
    result.assert_outcomes(passed=6)
    by_worker: dict[str, set[str]] = {}
    for file in out.iterdir():
        by_worker.setdefault(file.name.split("-")[0], set()).add(file.read_text())
    assert set(by_worker) == {"gw0", "gw1"}
    assert all(len(urls) == 1 for urls in by_worker.values())  # one server per worker, for its whole session
    assert by_worker["gw0"] != by_worker["gw1"]


def test_marker_turns_rate_limits_on_for_one_test(pytester: pytest.Pytester) -> None:
    """Rate limits: off by default in tests, on with a fixture setting (the marker), for that test only."""
    result = _run(
        pytester,
        CREATE
        + """
import anthropic
import pytest


@pytest.mark.mockclaude(rate_limits="1,100000,100000")
def test_limited(mockclaude):
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="k", max_retries=0)
    ask(client, "one")
    with pytest.raises(anthropic.RateLimitError) as info:
        ask(client, "two")
    assert info.value.response.headers["retry-after"]


def test_unlimited_again(mockclaude):
    client = anthropic.Anthropic(base_url=mockclaude.url, api_key="k", max_retries=0)
    for n in range(3):
        ask(client, str(n))
""",
    )
    result.assert_outcomes(passed=2)
