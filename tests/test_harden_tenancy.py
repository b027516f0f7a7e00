"""Issue 19, item 6: tenants are apart. Key B cannot list, retrieve, read the results of, cancel or delete key A's
Message Batches (a 404, as between two organizations of the real API), unless both keys are mapped to one
organization (``Settings.organizations``, ``serve --organization KEY=ORG``) or all are (``--one-organization``).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import pytest

from mockclaude.clock import ManualClock
from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp
from tests.serve_proc import start_serve

BASE = "/v1/messages/batches"
MESSAGE = {"model": "claude-sonnet-4-6", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}


def _as(key: str) -> dict[str, str]:
    return {"x-api-key": key}


def _create(url: str, key: str, text: str = "hi") -> str:
    params = {**MESSAGE, "messages": [{"role": "user", "content": text}]}
    created = rawhttp.post(
        url + BASE, json_body={"requests": [{"custom_id": "a", "params": params}]}, headers=_as(key)
    )
    assert created.status == 200, created.text
    batch_id: str = created.json()["id"]
    return batch_id


def _not_found(response: rawhttp.Response, batch_id: str) -> None:
    assert response.status == 404, response.text
    body = response.json()
    assert body["error"]["type"] == "not_found_error" and batch_id in body["error"]["message"]


@pytest.fixture
def tenants() -> Iterator[tuple[ServerThread, ManualClock]]:
    clock = ManualClock()
    settings = Settings(clock=clock, batch_seconds=3600, organizations={"sk-a2": "org-a", "sk-a": "org-a"})
    with ServerThread(create_app(settings)) as srv:
        yield srv, clock


def test_another_key_sees_none_of_a_keys_batches(tenants: tuple[ServerThread, ManualClock]) -> None:
    srv, clock = tenants
    url = srv.url
    mine = _create(url, "sk-a")
    theirs = _create(url, "sk-b", "other")
    clock.advance(hours=1)
    listed = rawhttp.request("GET", url + BASE, headers=_as("sk-b")).json()
    assert [b["id"] for b in listed["data"]] == [theirs]
    for method, path in (
        ("GET", f"{BASE}/{mine}"),
        ("GET", f"{BASE}/{mine}/results"),
        ("POST", f"{BASE}/{mine}/cancel"),
        ("DELETE", f"{BASE}/{mine}"),
    ):
        _not_found(rawhttp.request(method, url + path, headers=_as("sk-b")), mine)
    cursor = rawhttp.request("GET", url + BASE + f"?after_id={mine}", headers=_as("sk-b"))
    assert cursor.status == 400  # another organization's id is no cursor either
    # The owner still has it, whole, and so does a key of its organization.
    for key in ("sk-a", "sk-a2"):
        assert (
            rawhttp.request("GET", f"{url}{BASE}/{mine}", headers=_as(key)).json()["processing_status"]
            == "ended"
        )
        assert [b["id"] for b in rawhttp.request("GET", url + BASE, headers=_as(key)).json()["data"]] == [
            mine
        ]
    results = rawhttp.request("GET", f"{url}{BASE}/{mine}/results", headers=_as("sk-a2"))
    assert results.status == 200 and b'"succeeded"' in results.content
    assert rawhttp.request("DELETE", f"{url}{BASE}/{mine}", headers=_as("sk-a2")).status == 200


def test_bearer_keys_are_tenants_too(tenants: tuple[ServerThread, ManualClock]) -> None:
    srv, _ = tenants
    mine = _create(srv.url, "sk-a")
    other: dict[str, Any] = {"authorization": "Bearer sk-c", "anthropic-version": "2023-06-01"}
    _not_found(rawhttp.request("GET", f"{srv.url}{BASE}/{mine}", headers=other, default_headers=False), mine)


def test_one_organization_shares_every_batch() -> None:
    with ServerThread(create_app(Settings(one_organization=True))) as srv:
        mine = _create(srv.url, "sk-a")
        assert rawhttp.request("GET", f"{srv.url}{BASE}/{mine}", headers=_as("sk-b")).status == 200


def test_serve_organization_flags() -> None:
    proc, url = start_serve("--organization", "sk-a=acme", "--organization", "sk-b=acme")
    try:
        mine = _create(url, "sk-a")
        assert rawhttp.request("GET", f"{url}{BASE}/{mine}", headers=_as("sk-b")).status == 200
        _not_found(rawhttp.request("GET", f"{url}{BASE}/{mine}", headers=_as("sk-c")), mine)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
