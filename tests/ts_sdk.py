"""Running the checks in tests/ts with Node and the official TypeScript SDK (``make ts-deps`` installs it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

TS_DIR = Path(__file__).resolve().parent / "ts"


def require_ts_sdk() -> None:
    """Skip the calling test, saying why, when Node or the SDK is missing."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (TS_DIR / "node_modules" / "@anthropic-ai" / "sdk").is_dir():
        pytest.skip("run `make ts-deps` (make test does) to install the TypeScript SDK")


def run_script(script: str, url: str, **env: str) -> dict[str, Any]:
    """``node tests/ts/SCRIPT`` against the mock at ``url`` (``MOCK_URL``); its JSON output, or a failed test."""
    done = subprocess.run(
        ["node", script],
        cwd=TS_DIR,
        env={**os.environ, "MOCK_URL": url, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result
