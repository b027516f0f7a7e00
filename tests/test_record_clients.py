"""Record and replay with real clients: the TypeScript SDK, and a Claude Code session (`claude -p`).

The upstream is a second mockclaude (seed 5) on loopback, so its ids, texts and thinking signatures are not the
replaying mock's (seed 0); it is stopped before the replay. Nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from mockclaude.pipeline import Settings
from mockclaude.record.config import RecordConfig
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from tests.test_agents_e2e import CLAUDE, needs_claude_code, quiet_env
from tests.ts_sdk import require_ts_sdk, run_script


def replaying(path: Path, mode: str, upstream: ServerThread | None = None) -> ServerThread:
    config = RecordConfig(path=path, mode=mode, upstream=upstream.url if upstream else None)  # type: ignore[arg-type]
    return ServerThread(create_app(Settings(any_model=True), record=config)).start()


def node(url: str) -> dict[str, Any]:
    return run_script("record.mjs", url)


def test_typescript_sdk_record_then_replay_offline(tmp_path: Path) -> None:
    require_ts_sdk()
    with ServerThread(create_app(Settings(seed=5))) as upstream:
        proxy = replaying(tmp_path, "once", upstream)
        try:
            recorded = node(proxy.url)
        finally:
            proxy.stop()
    replay = replaying(tmp_path, "none")  # the upstream is gone
    try:
        replayed = node(replay.url)
    finally:
        replay.stop()
    assert replayed["json"] == recorded["json"]  # the same bytes, ids included
    assert json.loads(recorded["json"])["id"].startswith("msg_")
    assert replayed["request_id"] == recorded["request_id"]
    assert replayed["stream"] == recorded["stream"]  # the same events, text, id and usage
    assert recorded["stream"]["text"] == recorded["stream"]["final_text"] != ""
    assert (
        recorded["stream"]["events"][0] == "message_start"
        and "content_block_delta:text_delta" in recorded["stream"]["events"]
    )


def claude_code(server: ServerThread, work: Path, home: Path, prompt: str, *allowed: str) -> dict[str, Any]:
    env = quiet_env(server, home)
    args = [str(CLAUDE), "-p", prompt, "--output-format", "json"]
    if allowed:
        args += ["--allowedTools", ",".join(allowed)]
    done = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@needs_claude_code
def test_a_claude_code_session_recorded_then_replayed_offline_ends_the_same(tmp_path: Path) -> None:
    """`claude -p` runs a shell command through the recording proxy; replayed with the upstream gone, the same
    session (thinking signatures of another seed sent back, tool call, tool result) ends with the same result."""
    cassette, work, home = tmp_path / "cassette", tmp_path / "work", tmp_path / "home"
    prompt = "Run the shell command: echo recorded"

    def fresh() -> None:  # the same directories each run: Claude Code's prompt names them
        for path in (work, home):
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir()

    fresh()
    with ServerThread(create_app(Settings(seed=5))) as upstream:
        proxy = replaying(cassette, "once", upstream)
        try:
            first = claude_code(proxy, work, home, prompt, "Bash")
        finally:
            proxy.stop()
    assert first["is_error"] is False and first["result"] == "`echo recorded` printed:\n\n```\nrecorded\n```"
    fresh()
    replay = replaying(cassette, "none")
    try:
        again = claude_code(replay, work, home, prompt, "Bash")
        journal = replay.app[PIPELINE].journal.entries()
    finally:
        replay.stop()
    assert again["is_error"] is False and again["result"] == first["result"]
    assert again["num_turns"] == first["num_turns"] == 2
    assert journal and all(
        entry.status == 200 and entry.stub_id for entry in journal
    )  # every turn a recording
    written = "".join(p.read_text() for p in cassette.rglob("*.yaml"))
    assert (
        "sk-agent" not in written and "device_id" not in written
    )  # the key, and metadata (ignored) left out
