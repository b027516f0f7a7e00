"""The official TypeScript SDK (@anthropic-ai/sdk, installed by `make test` into tests/ts) against the mock."""

from __future__ import annotations

from typing import Any

from tests.ts_sdk import require_ts_sdk, run_script


def test_typescript_sdk_create_stream_tools_errors_models(server: Any) -> None:
    require_ts_sdk()
    result = run_script("check.mjs", server.url)
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
