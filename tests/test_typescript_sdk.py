"""The official TypeScript SDK (@anthropic-ai/sdk, installed by `make test` into tests/ts) against the mock."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

TS_DIR = Path(__file__).resolve().parent / "ts"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_typescript_sdk_create_stream_tools_errors_models(server: Any) -> None:
    if not (TS_DIR / "node_modules" / "@anthropic-ai" / "sdk").is_dir():
        pytest.skip("run `make ts-deps` (make test does) to install the TypeScript SDK")
    out = subprocess.run(
        ["node", "check.mjs"],
        cwd=TS_DIR,
        env={**os.environ, "MOCK_URL": server.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["create"]["id"].startswith("msg_") and result["create"]["text"]
    assert result["create"]["request_id"].startswith("req_")
    assert result["stream"]["text"] == result["stream"]["final_text"] == result["create"]["text"]
    assert result["stream"]["usage"]["output_tokens"] == result["create"]["usage"]["output_tokens"]
    for key in ("tool", "tool_stream"):
        assert result[key]["stop_reason"] == "tool_use"
        block = result[key]["block"]
        assert block["type"] == "tool_use" and block["name"] == "get_weather"
        assert isinstance(block["input"]["city"], str)
    assert result["error"] == {
        "status": 400,
        "type": "invalid_request_error",
        "message": "max_tokens: Field required",
        "request_id": result["error"]["request_id"],
        "name": "BadRequestError",
    }
    assert result["error"]["request_id"].startswith("req_")
    assert len(result["models"]) >= 5
