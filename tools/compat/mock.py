"""The one served mock every client talks to, and its admin API (standard-library ``urllib`` only).

``python -m mockclaude serve --port 0`` is started from the harness's own interpreter (the repository's
``.venv``), as a user runs it; its URL comes from the banner line (see ``tests/serve_proc.py``). A thread drains
its output for the whole run, so a chatty log can never fill the pipe and stall the server.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from tools.compat.checks._protocol import HI_PROMPT, HI_TEXT

BANNER = "serving the Claude Messages API at"
CC_TOOL_PROMPT = "run the compat tool"
CC_TOOL_OUTPUT = "compat-tool-ok"

# Installed after every reset: the exact replies the Claude Code and Agent SDK checks assert on. The SDK checks
# use the mock's generated replies (no stub matches them).
STUBS: list[dict[str, Any]] = [
    {"name": "compat-hi", "match": {"last_user_text": {"contains": HI_PROMPT}}, "reply": {"text": HI_TEXT}},
    {
        "name": "compat-cc-tool-call",
        "match": {
            "tools": {"named": "Bash"},
            "tool_result": {"present": False},
            "last_user_text": {"contains": CC_TOOL_PROMPT},
        },
        "reply": {
            "content": [
                {"type": "text", "text": "Running it."},
                {
                    "type": "tool_use",
                    "name": "Bash",
                    "input": {"command": f"echo {CC_TOOL_OUTPUT}", "description": "Print a word"},
                },
            ]
        },
    },
    {
        "name": "compat-cc-tool-answer",
        "match": {"tool_result": {"name": "Bash"}},
        "reply": {"text": "The tool said: {{ tool_result.content }}"},
    },
]


class MockServer:
    """``mockclaude serve --port 0`` in a child process; use as a context manager (stops it on exit)."""

    def __init__(self, timeout: float = 60.0) -> None:
        self.log: collections.deque[str] = collections.deque(maxlen=200)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mockclaude", "serve", "--port", "0", "--seed", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        self._url: str | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._ready.wait(timeout) or self._url is None:
            self.stop()
            raise RuntimeError("mockclaude serve printed no banner:\n" + "\n".join(self.log))
        self.url: str = self._url

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.append(line.rstrip())
            if self._url is None and BANNER in line:
                self._url = line.split(BANNER, 1)[1].split()[0]
                self._ready.set()
        self._ready.set()

    def __enter__(self) -> MockServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """SIGINT (a clean stop), then SIGKILL for the whole process group if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(15)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path}: {error.code} {error.read()[:300]!r}") from error

    def fresh(self) -> None:
        """A clean slate for the next client: ``POST /_mock/reset``, then the compat stubs."""
        self.admin("POST", "/_mock/reset", {})
        self.admin("POST", "/_mock/stubs", {"stubs": STUBS})

    def journal(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.admin("GET", "/_mock/journal")["data"]
        return entries

    def wait_healthy(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.admin("GET", "/_mock/health")
                return
            except (OSError, RuntimeError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
