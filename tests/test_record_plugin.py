"""Cassettes in the pytest plugin: a marker names the cassette and the mode, ``--mockclaude-record-mode`` records.

pytester writes a user's test file and runs pytest on it, as a user would: first with no cassette (the default
mode, ``none``, refuses to guess), then recording through a loopback upstream, then replaying without it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mockclaude.server.runner import ServerThread
from tests.record_upstream import UPSTREAM_KEY, Upstream
from tests.test_plugin import ASYNC_INI, QUIET

pytest_plugins = ["pytester"]

SOURCE = """
import pytest


def ask(mock, text):
    client = mock.client(max_retries=0)
    return client.messages.create(model="claude-sonnet-4-6", max_tokens=32, messages=[{"role": "user", "content": text}])


@pytest.mark.mockclaude(cassette=True)
def test_by_its_name(mockclaude):
    assert ask(mockclaude, "What is the weather?").id.startswith("msg_upstream_")


@pytest.mark.mockclaude(cassette="recorded/shared.yaml", record_mode="new_episodes")
def test_named_cassette(mockclaude):
    assert ask(mockclaude, "Say hi").content[0].text.startswith("Upstream answer")


def test_without_a_cassette(mockclaude):
    assert not ask(mockclaude, "Say hi").id.startswith("msg_upstream_")  # the mock's own reply
"""


def test_record_with_the_option_then_replay_by_default(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini(ASYNC_INI)
    pytester.makepyfile(test_user=SOURCE)
    monkeypatch.setenv("MOCKCLAUDE_UPSTREAM_KEY", UPSTREAM_KEY)
    first = pytester.runpytest_inprocess(*QUIET, "-k", "by_its_name")
    first.assert_outcomes(errors=1)  # mode none, and nothing recorded yet
    first.stdout.fnmatch_lines(["*no cassette at *cassettes/test_user/test_by_its_name.yaml to replay*"])

    state = Upstream()
    with ServerThread(state.app()) as upstream:
        recorded = pytester.runpytest_inprocess(
            *QUIET, "--mockclaude-record-mode=once", f"--mockclaude-upstream={upstream.url}"
        )
        recorded.assert_outcomes(passed=3)
    assert state.seen == ["POST /v1/messages", "POST /v1/messages"]
    cassette = Path(pytester.path) / "cassettes" / "test_user" / "test_by_its_name.yaml"
    shared = Path(pytester.path) / "recorded" / "shared.yaml"
    assert (
        yaml.safe_load(cassette.read_text())["stubs"][0]["name"]
        == "#1 POST /v1/messages: What is the weather?"
    )
    assert UPSTREAM_KEY not in cassette.read_text() + shared.read_text()

    replayed = pytester.runpytest_inprocess(*QUIET)  # the upstream is gone: the cassettes answer
    replayed.assert_outcomes(passed=3)
