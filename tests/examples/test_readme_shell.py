"""Every ```bash block of the README runs as written, in bash, from the repository root, with the mockclaude
command of this environment first on PATH.

Only the port changes: each block gets a free port in place of 8080 (so the suite can run beside a developer's own
`make serve`). A block that talks to a server without starting one gets a fresh ``mockclaude serve`` on that port;
a ``mockclaude serve`` line in the foreground is started, must print its banner, and is stopped. A comment that is
a JSON object (``# {"ok":true,"problems":[]}``) is what that block must print. Two blocks are run elsewhere:
``make serve`` / ``make test`` are CI itself (.ci/run) and tests/test_packaging.py, and the other-clients block
(Claude Code, the TypeScript SDK) is ``make compat``'s.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve_proc import BANNER

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
ELSEWHERE = {"make serve": "CI runs make test itself", "claude -p": "make compat runs the other clients"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def shell_env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def expected_outputs(block: str) -> list[Any]:
    """The JSON objects that stand as comments in the block: what it must print."""
    found = []
    for comment in re.findall(r"#\s*(\{.*\})\s*$", block, flags=re.M):
        try:
            found.append(json.loads(comment))
        except ValueError:
            continue
    return found


def printed_objects(stdout: str) -> list[Any]:
    """curl -s prints JSON bodies back to back; split them."""
    decoder, objects, at = json.JSONDecoder(), [], 0
    while at < len(stdout):
        if stdout[at] != "{":
            at += 1
            continue
        try:
            value, at = decoder.raw_decode(stdout, at)
        except ValueError:
            at += 1
            continue
        objects.append(value)
    return objects


@pytest.fixture
def port() -> Iterator[int]:
    yield free_port()


def start(command: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=ROOT,
        env=shell_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_banner(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if BANNER in line:
            return line
    raise AssertionError("no banner:\n" + "".join(seen))


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)


def test_readme_has_shell_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_bash_block(index: int, port: int) -> None:
    block = BLOCKS[index]
    for marker, reason in ELSEWHERE.items():
        if marker in block:
            pytest.skip(f"README bash block {index}: {reason}")
    script = block.replace("8080", str(port))
    lines = [line for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    foreground = [ln for ln in lines if ln.startswith("mockclaude serve") and not ln.rstrip().endswith("&")]
    for line in foreground:  # commands that run until stopped: each must come up, then is stopped
        command = line.split("#")[0].strip()
        if "--port" not in command:
            command += f" --port {port}"
        proc = start(command)
        try:
            wait_for_banner(proc)
        finally:
            stop(proc)
    script = "\n".join(line for line in script.splitlines() if line not in foreground)
    if not script.strip():
        return
    server = None
    if (
        "mockclaude serve" not in script and "localhost" in script
    ):  # the block talks to a server the reader already started
        server = start(f"mockclaude serve --port {port}")
        wait_for_banner(server)
    try:
        done = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=ROOT,
            env=shell_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        if server is not None:
            stop(server)
    assert done.returncode == 0, done.stdout + done.stderr
    printed = printed_objects(done.stdout)
    for wanted in expected_outputs(block):
        assert wanted in printed, (wanted, done.stdout)
