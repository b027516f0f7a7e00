"""Issue 19, item 2: no admin request can break the other routes.

A millisecond timestamp, a far date or a huge advance used to move the clock where the rate-limit headers' time
formatting raised before the error handler, so every route (health and reset included) answered a plain-text 500
until restart. Every clock field is now range-checked (a 400 in the API's error shape), header formatting cannot
raise, and settings that would stall every reply (``time_scale`` 1e308) are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockclaude.clock import MAX_TIMESTAMP, ManualClock, rfc3339
from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp

MESSAGE = {"model": "claude-sonnet-4-6", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(scope="module")
def own_server() -> Iterator[ServerThread]:
    """A server of its own (these tests move its clock), on the real clock as ``serve`` runs."""
    with ServerThread(create_app(Settings(rate_limits="tier1"))) as srv:
        yield srv


def _assert_every_route_answers(url: str) -> None:
    health = rawhttp.request("GET", url + "/_mock/health")
    assert health.status == 200 and health.json()["status"] == "ok"
    reply = rawhttp.post(url + "/v1/messages", json_body=MESSAGE)
    assert reply.status == 200, reply.text
    assert reply.headers["anthropic-ratelimit-requests-reset"].endswith("Z")
    assert rawhttp.request("GET", url + "/_mock/journal").status == 200
    assert rawhttp.request("GET", url + "/_mock/clock").status == 200


def _assert_api_400(response: rawhttp.Response, field: str) -> str:
    assert response.status == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert body["request_id"] == response.headers["request-id"]
    message: str = body["error"]["message"]
    assert message.startswith(f"{field}: "), message
    return message


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/clock/set", {"timestamp": 1767225600000}, "timestamp"),  # milliseconds: the easy mistake
        ("/clock/set", {"timestamp": 1e300}, "timestamp"),
        ("/clock/set", {"timestamp": MAX_TIMESTAMP + 1}, "timestamp"),
        ("/clock/set", {"timestamp": -1}, "timestamp"),
        ("/clock/set", {"time": "9999-12-31T23:59:59Z"}, "time"),
        ("/clock/set", {"time": "0001-01-01T00:00:00+01:00"}, "time"),
        ("/clock/set", {"time": "not a time"}, "time"),
        ("/clock/set", {"time": 12}, "time"),
        ("/clock/set", {"time": "9" * 10_000}, "time"),
        ("/clock/advance", {"hours": 1e9}, "hours"),
        ("/clock/advance", {"seconds": 1e308}, "seconds"),
        ("/clock/advance", {"minutes": 1e300, "hours": 1e300}, "minutes"),
        ("/clock/advance", {"seconds": -5}, "seconds"),
        ("/reset", {"time_scale": 1e308}, "time_scale"),
        ("/reset", {"batch_seconds": 1e308}, "batch_seconds"),
    ],
)
def test_out_of_range_admin_values_are_a_400_and_break_nothing(
    own_server: ServerThread, path: str, body: dict[str, Any], field: str
) -> None:
    before = rawhttp.request("GET", own_server.url + "/_mock/clock").json()["now"]
    message = _assert_api_400(rawhttp.post(own_server.url + "/_mock" + path, json_body=body), field)
    if body.get("timestamp") == 1767225600000:
        assert "milliseconds" in message
    after = rawhttp.request("GET", own_server.url + "/_mock/clock").json()["now"]
    assert after - before < 60  # the clock stayed where it was
    _assert_every_route_answers(own_server.url)


def test_the_clock_still_moves_within_range(own_server: ServerThread) -> None:
    url = own_server.url + "/_mock"
    moved = rawhttp.post(url + "/clock/set", json_body={"time": "2999-12-31T00:00:00Z"})
    assert moved.status == 200 and moved.json()["time"] == "2999-12-31T00:00:00Z"
    _assert_every_route_answers(own_server.url)
    assert rawhttp.post(url + "/clock/advance", json_body={"hours": 23}).status == 200
    _assert_api_400(rawhttp.post(url + "/clock/advance", json_body={"hours": 2}), "hours")  # past year 3000
    _assert_every_route_answers(own_server.url)
    assert rawhttp.post(url + "/clock/set", json_body={"timestamp": 1767225600}).status == 200


class _FarClock:
    """A user's own clock (any object with ``now``), set far past what a date-time can show."""

    def now(self) -> float:
        return 1e15


def test_a_clock_of_any_value_cannot_make_the_headers_raise() -> None:
    with ServerThread(create_app(Settings(clock=_FarClock(), rate_limits="tier1"))) as srv:
        _assert_every_route_answers(srv.url)
        assert rawhttp.post(srv.url + "/_mock/reset", json_body={}).status == 200
    assert rfc3339(float("nan")) == "1970-01-01T00:00:00Z"
    assert rfc3339(1e300) == "9999-12-31T23:59:59Z" and rfc3339(-5) == "1970-01-01T00:00:00Z"


def test_the_manual_clock_refuses_out_of_range_moves_and_stays_put() -> None:
    clock = ManualClock()
    start = clock.now()
    for bad in (lambda: clock.set(1767225600000), lambda: clock.advance(hours=1e9), lambda: clock.set(-1)):
        with pytest.raises(ValueError):
            bad()
        assert clock.now() == start
