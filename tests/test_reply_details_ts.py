"""The reply details (snapshot model ids, citations, a partial tool call) through the official TypeScript SDK: its
``finalMessage()`` equals what ``create`` returns (tests/ts/details.mjs)."""

from __future__ import annotations

from typing import Any

import orjson

from tests.ts_sdk import require_ts_sdk, run_script


def _without_ids(message: dict[str, Any]) -> dict[str, Any]:
    """What the reply says (the TS accumulator adds ``parsed_output`` and leaves out ``stop_details``)."""
    out = {key: message.get(key) for key in ("model", "stop_reason", "stop_sequence", "usage")}
    out["content"] = [{k: v for k, v in block.items() if k != "id"} for block in message["content"]]
    return out


def test_typescript_final_message_equals_create(server: Any) -> None:
    require_ts_sdk()
    result = run_script("details.mjs", server.url)
    for name in ("alias", "citations", "search", "partial"):
        assert _without_ids(result[name]["created"]) == _without_ids(result[name]["final"]), name
    assert result["alias"]["final"]["model"] == "claude-haiku-4-5-20251001"
    cites = [c for b in result["citations"]["final"]["content"] for c in b.get("citations") or []]
    assert cites and {c["type"] for c in cites} == {"char_location"}
    hits = [c for b in result["search"]["final"]["content"] for c in b.get("citations") or []]
    assert (
        hits
        and hits[0]["cited_text"] == "Refunds take thirty days."
        and hits[0]["type"] == "search_result_location"
    )
    partial = result["partial"]["final"]
    assert partial["stop_reason"] == "max_tokens" and partial["content"][0]["type"] == "tool_use"
    kept = partial["content"][0]["input"]
    assert kept and kept == {key: result["whole"][key] for key in kept} and len(kept) < len(result["whole"])
    assert orjson.dumps(result["whole"]).decode().startswith(orjson.dumps(kept).decode()[:-1])
