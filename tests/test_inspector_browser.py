"""The inspector (`GET /_mock/ui`) in a real headless Chromium: CDP over a websocket for clicks, console errors and
screenshots (tests/cdp.py), and `chromium --dump-dom` for the rendered DOM.

Skipped, saying why, when no Chromium is installed (`apt-get install chromium`; .ci/run installs it). The
screenshots go to the test's tmp dir, or to $MOCKCLAUDE_SCREENSHOTS when set:
`MOCKCLAUDE_SCREENSHOTS=docs/img .venv/bin/python -m pytest tests/test_inspector_browser.py` renews the README's.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import anthropic
import pytest

from mockclaude.clock import ManualClock
from mockclaude.pipeline import Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from tests.cdp import CHROMIUM, Page, chromium, dump_dom
from tests.test_agents_e2e import CLAUDE, quiet_env

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed: the inspector's browser tests need it "
    "(apt-get install chromium; .ci/run installs it)",
)
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.fixture
def mock() -> Iterator[ServerThread]:
    """A mock on its own manual clock (the page shows mock time), with a stub to name in the journal."""
    with ServerThread(create_app(Settings(seed=0, clock=ManualClock(START)))) as srv:
        srv.app[PIPELINE].engine.stubs.add(
            {
                "name": "weather",
                "match": {"last_user_text": {"contains": "weather"}},
                "reply": {"text": "Sunny, 21 °C"},
            }
        )
        yield srv


def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("MOCKCLAUDE_SCREENSHOTS") or tmp_path)


async def open_inspector(page: Page, url: str) -> None:
    await page.goto(url + "/_mock/ui")
    await page.wait_for("document.body.dataset.live === '1' && document.body.dataset.clock")


async def until(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def row(index: int) -> str:
    return f"#entries li.row[data-index='{index}']"


async def test_a_request_appears_live_opens_and_the_actions_work(mock: ServerThread, tmp_path: Path) -> None:
    pipeline = mock.app[PIPELINE]
    client = anthropic.AsyncAnthropic(base_url=mock.url, api_key="sk-browser-test", max_retries=0)
    async with chromium() as browser:
        page = await browser.new_page()
        await open_inspector(page, mock.url)
        assert page.errors == []

        # Live: the row is on the page within a second of the SDK call returning.
        await client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=256,
            messages=[{"role": "user", "content": "What's the weather in Paris?"}],
        )
        sent = time.monotonic()
        await page.wait_for(f"!!document.querySelector({row(0)!r})", timeout=1.0)
        assert time.monotonic() - sent < 1.0
        text = await page.evaluate(f"document.querySelector({row(0)!r}).innerText")
        assert "What's the weather in Paris?" in text and "stub 'weather' (stub_1)" in text
        assert "in 14 · out 6" in text

        # A streamed, generated reply: its details show the rule and the SSE events.
        async with client.messages.stream(
            model="claude-sonnet-4-6",
            max_tokens=256,
            system=[
                {
                    "type": "text",
                    "text": "You are a patient tutor. " * 500,
                    "cache_control": {"type": "ephemeral"},
                }
            ],
            messages=[{"role": "user", "content": "Explain what a prompt cache is"}],
        ) as stream:
            final = await stream.get_final_message()
        await page.wait_for(f"!!document.querySelector({row(1)!r})", timeout=1.0)
        await page.click(row(1))
        await page.wait_for("!!document.querySelector('#detail .sec-decided-by')")
        detail = await page.evaluate("document.querySelector('#detail').innerText")
        assert "rule text." in detail and "Explain what a prompt cache is" in detail
        assert final.content[0].type == "text" and final.content[0].text[:40] in detail
        written = final.usage.cache_creation_input_tokens
        assert written and f"cache write, 5m TTL\t{written:,}" in detail
        assert "cache breakpoints in the request: system[0] (5m)" in detail
        await page.screenshot(shots(tmp_path) / "inspector-journal.png")
        await page.click("#detail button.seg[data-view='sse']")
        events = await page.wait_for("document.querySelectorAll('#detail table.sse tr').length")
        deltas = await page.evaluate(
            "[...document.querySelectorAll('#detail table.sse td:nth-child(4)')]"
            ".filter((td) => td.innerText === 'content_block_delta').length"
        )
        assert (
            deltas >= 1 and events == 1 + 6 + deltas
        )  # header; start, block start, ping, block stop, delta, stop

        # Open the stubbed one too: its stub, with counters.
        await page.click(row(0))
        await page.wait_for("document.querySelector('#detail .decided.big')?.innerText.includes('weather')")
        assert "matched 1" in await page.evaluate(
            "document.querySelector('#detail .sec-decided-by').innerText"
        )

        # The conversation of the streamed request, then its next turn, appended live.
        await page.click("button[data-tab='threads']")
        await page.wait_for("document.querySelectorAll('#thread-list li.row').length === 2")
        await page.click("#thread-list li.row")  # the newest conversation first
        await page.wait_for("document.querySelectorAll('#thread .tturn').length === 1")
        history = [
            {"role": "user", "content": "Explain what a prompt cache is"},
            {"role": "assistant", "content": final.content[0].text},
            {"role": "user", "content": "And why does it save money?"},
        ]
        await client.messages.create(model="claude-sonnet-4-6", max_tokens=256, messages=history)  # type: ignore[arg-type]
        await page.wait_for("document.querySelectorAll('#thread .tturn').length === 2", timeout=2.0)
        last = await page.evaluate("document.querySelectorAll('#thread .tturn')[1].innerText")
        assert "And why does it save money?" in last and "#2" in last
        await page.click("button[data-tab='journal']")

        # Actions: advance the clock, strict mode, clear the journal.
        await page.evaluate("document.querySelector('#advance-seconds').value = '600'")
        await page.click("#advance")
        await page.wait_for(f"Number(document.body.dataset.clock) === {START + 600}", timeout=2.0)
        assert pipeline.settings.clock.now() == START + 600
        await page.click("#strict")
        await until(lambda: pipeline.engine.strict)
        await page.click("button[data-tab='state']")
        await page.wait_for("document.querySelector('.card-stubs')?.innerText.includes('weather')")
        await page.click("button[data-tab='journal']")
        await page.click("#clear")
        await page.wait_for("document.querySelectorAll('#entries li.row').length === 0", timeout=2.0)
        assert len(pipeline.journal) == 0
        assert page.errors == []


def test_the_rendered_dom_after_one_sdk_request(mock: ServerThread) -> None:
    client = anthropic.Anthropic(base_url=mock.url, api_key="sk-dom-test", max_retries=0)
    client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=64,
        messages=[{"role": "user", "content": "Is the weather nice today?"}],
    )
    usage = mock.app[PIPELINE].journal[-1].usage
    assert usage is not None
    dom = dump_dom(mock.url + "/_mock/ui")
    assert "Is the weather nice today?" in dom  # the request's user text
    assert f"in {usage['input_tokens']} · out {usage['output_tokens']}" in dom  # its usage
    assert "stub 'weather' (stub_1)" in dom  # what decided the reply


def test_with_an_admin_token_the_page_takes_it_in_the_url() -> None:
    settings = Settings(seed=0, clock=ManualClock(START), admin_token="s3cret")
    with ServerThread(create_app(settings)) as srv:
        anthropic.Anthropic(base_url=srv.url, api_key="sk-token-test", max_retries=0).messages.create(
            model="claude-sonnet-4-6",
            max_tokens=64,
            messages=[{"role": "user", "content": "Hello with a token"}],
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(srv.url + "/_mock/ui")
        assert refused.value.code == 401
        dom = dump_dom(srv.url + "/_mock/ui?token=s3cret")
        assert "Hello with a token" in dom and "rule text.greeting" in dom


def run_claude_code(mock: ServerThread, work: Path, home: Path, prompt: str, *allowed: str) -> None:
    args = [str(CLAUDE), "-p", prompt, "--output-format", "json"]
    if allowed:
        args += ["--allowedTools", ",".join(allowed)]
    done = subprocess.run(
        args, cwd=work, env=quiet_env(mock, home), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not CLAUDE.exists(), reason="Claude Code is not installed (make cc-deps; make test does)")
async def test_a_claude_code_session_reads_as_one_thread(mock: ServerThread, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # A short neutral path: it shows in the screenshot (the tool call's file_path).
    with tempfile.TemporaryDirectory(prefix="project-") as where:
        work = Path(where)
        (work / "hello.txt").write_text("hello from the file\n")
        run_claude_code(mock, work, home, "Run the shell command: echo hi", "Bash")
        run_claude_code(mock, work, home, "Read the file hello.txt and tell me what it says")
    async with chromium() as browser:
        page = await browser.new_page()
        await open_inspector(page, mock.url)
        await page.click("button[data-tab='threads']")
        await page.wait_for("document.querySelectorAll('#thread-list li.row').length === 2")
        titles = await page.evaluate("document.querySelector('#thread-list').innerText")
        assert titles.count("Claude Code session") == 2 and "Run the shell command: echo hi" in titles
        await page.click("#thread-list li.row")  # the newest session first: the file read
        await page.wait_for("document.querySelectorAll('#thread .tturn').length === 2")
        thread = await page.evaluate("document.querySelector('#thread').innerText")
        assert "Claude Code session" in thread
        assert "Read the file hello.txt" in thread and "hello from the file" in thread
        assert "rule intent.read" in thread and "⚙ Read" in thread and "rule results" in thread
        await page.screenshot(shots(tmp_path) / "inspector-claude-code.png")
        assert page.errors == []
