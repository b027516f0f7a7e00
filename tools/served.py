"""A real ``mockclaude serve`` process for the long-running tools (``make fuzz``, ``make soak``)."""

from __future__ import annotations

import subprocess
import sys
import threading

BANNER = "serving the Claude Messages API at"


def start_serve(*args: str) -> tuple[subprocess.Popen[str], str] | None:
    """``python -m mockclaude serve --port 0 ARGS``: the process and its URL (from the banner), or ``None`` when
    it exited before serving. Its later output is drained on a thread; the caller stops the process."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockclaude", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    line = ""
    while BANNER not in line:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            return None
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain the server's log
    return proc, line.split(" at ")[1].split()[0]
