"""A real ``mockclaude serve`` process for tests that check the command as a user runs it."""

from __future__ import annotations

import subprocess
import sys
import time

BANNER = "serving the Claude Messages API at"


def start_serve(*args: str, timeout: float = 60.0) -> tuple[subprocess.Popen[str], str]:
    """``python -m mockclaude serve --port 0 ARGS``; returns the process and the URL from its banner line.

    The caller stops it (``send_signal(SIGINT)`` or ``terminate()``, then ``communicate``).
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockclaude", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if BANNER in line:
            return proc, line.split(" at ")[1].split()[0]
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("mockclaude serve printed no banner")
