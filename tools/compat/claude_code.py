"""Claude Code (``@anthropic-ai/claude-code``): the harness runs ``claude -p`` itself, one process per check.

``claude -p PROMPT --output-format json`` with ``ANTHROPIC_BASE_URL`` / ``ANTHROPIC_API_KEY`` pointing at the mock,
``CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1`` and a scratch ``HOME`` (:func:`tools.compat.run.child_env`). The
mock's compat stubs (:data:`tools.compat.mock.STUBS`) script the replies, so each check asserts exact results:

* ``print_json``: ``claude -p 'say hi'`` exits 0 and its JSON says success with the stubbed text, one turn;
* ``tool_run``: a stubbed ``Bash`` ``tool_use`` that Claude Code really runs (``--allowedTools Bash``), whose
  output comes back in the ``tool_result`` and is echoed by the second stub: two turns;
* ``unscripted_bash`` / ``unscripted_read`` / ``unscripted_write``: no stub, the behaviour rules alone
  (mockclaude/engine/behave) against this release's own tool definitions: a command runs in ``Bash`` and is
  reported, a file is read and quoted, a file is written with the content asked for. A new release that renames a
  tool or its properties turns these red.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

from tools.compat.checks._protocol import HI_PROMPT, HI_TEXT
from tools.compat.envs import Env, claude_binary
from tools.compat.mock import CC_TOOL_OUTPUT, CC_TOOL_PROMPT
from tools.compat.run import CheckResult, child_env, last_words, run_bounded


def _claude(env: Env, url: str, timeout: float, home: Path, *args: str) -> dict[str, Any]:
    workdir = home / "work"
    workdir.mkdir(exist_ok=True)
    argv = [str(claude_binary(env.path)), "-p", *args, "--output-format", "json"]
    finished = run_bounded(argv, child_env(url, home, timeout), workdir, timeout)
    if finished.returncode != 0:
        raise AssertionError(f"{last_words(finished, timeout)}; stdout {finished.stdout.strip()[:200]!r}")
    try:
        result: dict[str, Any] = json.loads(finished.stdout)
    except ValueError as error:
        raise AssertionError(f"not JSON: {finished.stdout.strip()[:200]!r}") from error
    return result


def _expect(result: dict[str, Any], text: str, turns: int) -> None:
    summary = {
        key: result.get(key) for key in ("subtype", "is_error", "result", "num_turns", "api_error_status")
    }
    ok = result.get("subtype") == "success" and result.get("is_error") is False
    if not ok or result.get("result") != text or result.get("num_turns") != turns:
        raise AssertionError(f"wanted result {text!r} in {turns} turn(s), got {json.dumps(summary)}")
    usage = result.get("usage") or {}
    if not usage.get("input_tokens") or not usage.get("output_tokens"):
        raise AssertionError(f"usage {json.dumps(usage)[:200]}")


def print_json(env: Env, url: str, timeout: float, home: Path) -> None:
    _expect(_claude(env, url, timeout, home, HI_PROMPT), HI_TEXT, 1)


def tool_run(env: Env, url: str, timeout: float, home: Path) -> None:
    result = _claude(env, url, timeout, home, CC_TOOL_PROMPT, "--allowedTools", "Bash")
    _expect(result, f"The tool said: {CC_TOOL_OUTPUT}", 2)


def _no_stubs(url: str) -> None:
    """Drop the compat stubs (checks after this one run on the behaviour rules alone)."""
    base = url.rsplit("/v1", 1)[0].rstrip("/")
    request = urllib.request.Request(base + "/_mock/stubs", method="DELETE")
    with urllib.request.urlopen(request, timeout=10):
        pass


def _unscripted(result: dict[str, Any], want: str) -> None:
    denied = result.get("permission_denials")
    if result.get("is_error") is not False or denied or want not in str(result.get("result")):
        summary = {k: result.get(k) for k in ("is_error", "result", "num_turns", "permission_denials")}
        raise AssertionError(f"wanted {want!r} in the result, got {json.dumps(summary)[:300]}")
    if not isinstance(result.get("num_turns"), int) or result["num_turns"] > 4:
        raise AssertionError(f"took {result.get('num_turns')} turns")


def unscripted_bash(env: Env, url: str, timeout: float, home: Path) -> None:
    _no_stubs(url)
    result = _claude(
        env, url, timeout, home, "Run the shell command: echo unscripted", "--allowedTools", "Bash"
    )
    _unscripted(result, "```\nunscripted\n```")


def unscripted_read(env: Env, url: str, timeout: float, home: Path) -> None:
    _no_stubs(url)
    (home / "work").mkdir(exist_ok=True)
    (home / "work" / "hello.txt").write_text("hello from compat\n")
    result = _claude(env, url, timeout, home, "Read the file hello.txt and tell me what it says")
    _unscripted(result, "> hello from compat")


def unscripted_write(env: Env, url: str, timeout: float, home: Path) -> None:
    _no_stubs(url)
    target = home / "work" / "notes.txt"
    target.unlink(missing_ok=True)
    prompt = "Create a file named notes.txt containing: buy milk"
    result = _claude(env, url, timeout, home, prompt, "--allowedTools", "Write")
    _unscripted(result, "notes.txt")
    if not target.exists() or target.read_text().strip() != "buy milk":
        raise AssertionError(
            f"notes.txt holds {target.read_text()[:80]!r}" if target.exists() else "no notes.txt"
        )


CHECKS = {
    "print_json": print_json,
    "tool_run": tool_run,
    "unscripted_bash": unscripted_bash,
    "unscripted_read": unscripted_read,
    "unscripted_write": unscripted_write,
}


def run_claude_code(env: Env, url: str, timeout: float, home: Path) -> list[CheckResult]:
    results = []
    for name in env.client.checks:
        start = time.monotonic()
        try:
            CHECKS[name](env, url, timeout, home)
        except AssertionError as error:
            reason = " ".join(str(error).split())[:400]
            results.append(CheckResult(name, "fail", reason, time.monotonic() - start))
        else:
            results.append(CheckResult(name, "pass", "", time.monotonic() - start))
    return results
