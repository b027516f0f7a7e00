"""The official TypeScript SDK (tests/ts/faults.mjs) sees the same errors, retries and stream faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from mockclaude.model.errors import ERROR_CLASSES
from mockclaude.pipeline import Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread
from tests.ts_sdk import require_ts_sdk, run_script

FAST = {"retry-after-ms": "1"}
TS_CLASSES = {
    "invalid_request_error": "BadRequestError",
    "authentication_error": "AuthenticationError",
    "billing_error": "PaymentRequiredError",
    "permission_error": "PermissionDeniedError",
    "not_found_error": "NotFoundError",
    "conflict_error": "ConflictError",
    "request_too_large": "ContentTooLargeError",
    "rate_limit_error": "RateLimitError",
    "api_error": "InternalServerError",
    "timeout_error": "GatewayTimeoutError",
    "overloaded_error": "OverloadedError",
}
RETRIED = {"conflict_error", "rate_limit_error", "api_error", "timeout_error", "overloaded_error"}


@pytest.fixture(scope="module")
def srv() -> Iterator[ServerThread]:
    require_ts_sdk()
    with ServerThread(create_app(Settings(seed=13))) as server:
        yield server


def _tries(server: ServerThread, text: str) -> list[int]:
    return [
        e.status
        for e in server.app[PIPELINE].journal.entries()
        if isinstance(e.body, dict) and e.body["messages"][-1]["content"] == text
    ]


def test_typescript_sdk_errors_retries_and_stream_faults(srv: ServerThread) -> None:
    stubs = srv.app[PIPELINE].engine.stubs
    overloaded: dict[str, Any] = {"error": {"type": "overloaded_error", "headers": FAST}}

    def seq(text: str, *items: dict[str, Any]) -> None:
        stubs.add({"match": {"last_user_text": text}, "sequence": list(items), "exhausted": "repeat_last"})

    seq("ts flaky", overloaded, overloaded, {"text": "ts ok"})
    seq("ts flaky stream", overloaded, {"text": "ts streamed"})
    seq(
        "ts no retry", {"error": {"type": "overloaded_error", "headers": {**FAST, "x-should-retry": "false"}}}
    )
    seq(
        "ts wait",
        {"error": {"type": "overloaded_error", "headers": {"retry-after-ms": "600"}}},
        {"text": "ok"},
    )
    for error_type in TS_CLASSES:
        seq(f"ts {error_type}", {"error": {"type": error_type, "headers": FAST}})
    seq(
        "ts break",
        {"text": "one two three four five six", "fault": {"kind": "stream_error", "after_events": 3}},
    )
    seq("ts drop", {"fault": {"kind": "drop"}}, {"text": "ts back"})
    seq("ts stall", {"fault": {"kind": "stall"}})

    out = run_script("faults.mjs", srv.url, ERROR_TYPES=json.dumps(sorted(TS_CLASSES)))

    assert out["retried"] == {"ok": "ts ok"} and _tries(srv, "ts flaky") == [529, 529, 200]
    assert out["streamRetried"] == {"ok": "ts streamed"} and _tries(srv, "ts flaky stream") == [529, 200]
    assert out["noRetry"]["error"]["name"] == "OverloadedError" and _tries(srv, "ts no retry") == [529]
    assert out["waitedMs"] >= 600  # retry-after-ms honoured (TS's own first backoff is at most 0.5 s)

    assert set(TS_CLASSES) == set(ERROR_CLASSES)
    for error_type, cls in TS_CLASSES.items():
        err = out["errors"][error_type]
        assert err["name"] == cls, err
        assert err["status"] == ERROR_CLASSES[error_type].status and err["type"] == error_type
        assert err["request_id"].startswith("req_")
        assert len(_tries(srv, f"ts {error_type}")) == (2 if error_type in RETRIED else 1), error_type

    mid = out["midStream"]["error"]
    assert mid["name"] == "APIError" and mid["status"] is None and mid["type"] == "overloaded_error"
    assert out["midStreamEvents"][0] == "message_start" and "message_stop" not in out["midStreamEvents"]
    assert _tries(srv, "ts break") == [200]  # not retried

    assert out["dropRetried"] == {"ok": "ts back"}
    assert out["stall"]["error"]["name"] == "APIConnectionTimeoutError" and 500 <= out["stallMs"] < 3000
