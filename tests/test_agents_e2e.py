"""Real agents doing real tasks against the mock, unscripted: Claude Code (the CLI), the Claude Agent SDK for
Python, and pydantic-ai's tool loop. Each runs on the behaviour rules alone (engine/behave): the right tool with
the right input, then an answer that uses what the tool returned, within four turns and no permission denials.

Claude Code comes from tests/cc (`make test` installs it with `npm ci`); without it those tests are skipped,
saying so. Everything talks to the mock on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mockclaude.server.runner import ServerThread

ROOT = Path(__file__).resolve().parents[1]
CLAUDE = ROOT / "tests" / "cc" / "node_modules" / ".bin" / "claude"
needs_claude_code = pytest.mark.skipif(
    not CLAUDE.exists(),
    reason="Claude Code is not installed: `make cc-deps` (npm ci in tests/cc) installs it; `make test` does",
)


def quiet_env(server: ServerThread, home: Path) -> dict[str, str]:
    """The environment a headless Claude Code run needs: the mock's URL, a scratch HOME, no other traffic."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ANTHROPIC_BASE_URL": server.url,
        "ANTHROPIC_API_KEY": "sk-agent",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "DISABLE_AUTOUPDATER": "1",
    }


def claude(server: ServerThread, tmp_path: Path, prompt: str, *allowed: str) -> dict[str, Any]:
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    args = [str(CLAUDE), "-p", prompt, "--output-format", "json"]
    if allowed:
        args += ["--allowedTools", ",".join(allowed)]
    done = subprocess.run(
        args, cwd=work, env=quiet_env(server, home), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["is_error"] is False and result["permission_denials"] == [], result
    assert result["num_turns"] <= 4, result
    return result


@needs_claude_code
def test_claude_code_says_hi_in_one_turn(server: ServerThread, tmp_path: Path) -> None:
    result = claude(server, tmp_path, "say hi")
    assert result["num_turns"] == 1
    assert result["result"] in (
        "Hi! How can I help you today?",
        "Hello! What can I do for you?",
        "Hi there! How can I help?",
    )


@needs_claude_code
def test_claude_code_runs_the_command(server: ServerThread, tmp_path: Path) -> None:
    result = claude(server, tmp_path, "Run the shell command: echo hi", "Bash")
    assert result["num_turns"] == 2
    assert result["result"] == "`echo hi` printed:\n\n```\nhi\n```"


@needs_claude_code
def test_claude_code_reads_the_file_and_quotes_it(server: ServerThread, tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "hello.txt").write_text("hello from the file\n")
    result = claude(server, tmp_path, "Read the file hello.txt and tell me what it says")
    assert "> hello from the file" in result["result"]
    assert "hello.txt" in result["result"]


@needs_claude_code
def test_claude_code_writes_the_file(server: ServerThread, tmp_path: Path) -> None:
    result = claude(server, tmp_path, "Create a file named notes.txt containing: buy milk", "Write")
    assert (tmp_path / "work" / "notes.txt").read_text().strip() == "buy milk"
    assert result["result"].startswith("Done: I wrote `")


def test_the_claude_agent_sdk_runs_the_loop(server: ServerThread, tmp_path: Path) -> None:
    """The Python Agent SDK drives its bundled Claude Code CLI; the mock answers every turn."""
    from claude_agent_sdk import ClaudeAgentOptions, ResultMessage, query

    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "hello.txt").write_text("the agent sdk read me\n")
    env = quiet_env(server, home)
    options = ClaudeAgentOptions(cwd=str(tmp_path), allowed_tools=["Bash", "Read"], env=env, max_turns=4)

    async def run(prompt: str) -> ResultMessage:
        final = None
        async for message in query(prompt=prompt, options=options):
            if isinstance(message, ResultMessage):
                final = message
        assert final is not None
        return final

    ran = asyncio.run(run("Run the shell command: echo hi"))
    assert ran.is_error is False and ran.result == "`echo hi` printed:\n\n```\nhi\n```"
    read = asyncio.run(run("Read the file hello.txt and tell me what it says"))
    assert read.is_error is False and "> the agent sdk read me" in (read.result or "")


def test_a_pydantic_ai_agent_uses_its_tools(server: ServerThread, tmp_path: Path) -> None:
    """pydantic-ai runs its own tool loop (always streaming); plain Python functions as tools."""
    from pydantic_ai import Agent
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    (tmp_path / "todo.md").write_text("1. write the report\n2. send it\n")
    model = AnthropicModel(
        "claude-sonnet-4-6", provider=AnthropicProvider(api_key="sk-agent", base_url=server.url)
    )
    agent = Agent(model)
    calls: list[tuple[str, str]] = []

    @agent.tool_plain
    def read_file(path: str) -> str:
        """Read a file and return its contents."""
        calls.append(("read_file", path))
        return (tmp_path / path).read_text()

    @agent.tool_plain
    def run_command(command: str) -> str:
        """Run a shell command and return what it printed."""
        calls.append(("run_command", command))
        return subprocess.run(
            command, shell=True, capture_output=True, text=True, cwd=tmp_path, check=False
        ).stdout

    read = agent.run_sync("Read the file todo.md and tell me what it says")
    assert calls == [("read_file", "todo.md")]
    assert read.output == "`todo.md` says:\n\n> 1. write the report\n> 2. send it"
    ran = agent.run_sync("run `echo done`")
    assert calls[-1] == ("run_command", "echo done")
    assert ran.output == "`echo done` printed:\n\n```\ndone\n```"
