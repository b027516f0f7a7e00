"""The ``/_mock/`` admin routes: every facade method over plain HTTP, JSON in and out, loopback or token only."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock as um

import anthropic
import pytest
from aiohttp.test_utils import make_mocked_request

from mockclaude import ManualClock, MockClaude, Settings
from mockclaude.model.errors import AuthenticationError, PermissionError_
from mockclaude.server.admin import authorize
from tests import rawhttp
from tests.serve_proc import start_serve

HELLO = {"model": "claude-sonnet-4-6", "max_tokens": 32, "messages": [{"role": "user", "content": "Hello"}]}


def admin(base: str, method: str, path: str, body: Any = None, **headers: str) -> rawhttp.Response:
    return rawhttp.request(
        method,
        base + "/_mock" + path,
        json_body=body,
        headers=headers or None,
        default_headers=body is not None,
    )


def ok(response: rawhttp.Response) -> Any:
    assert response.status == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_stubs_add_list_delete(mockclaude: MockClaude) -> None:
    url = mockclaude.url
    stub = {"name": "hello", "match": {"last_user_text": "Hello"}, "reply": {"text": "Hi!"}, "times": 1}
    (added,) = ok(admin(url, "POST", "/stubs", stub))["data"]
    assert added["name"] == "hello" and added["lifetime"] == "times" and added["remaining"] == 1
    assert added["source"] == "<admin>"
    assert ok(admin(url, "GET", "/stubs"))["data"] == [added]
    assert mockclaude.client(max_retries=0).messages.create(**HELLO).content[0].text == "Hi!"  # type: ignore[union-attr]
    assert ok(admin(url, "GET", "/stubs"))["data"][0]["matched"] == 1
    assert ok(admin(url, "DELETE", f"/stubs/{added['id']}")) == {"deleted": 1}
    missing = admin(url, "DELETE", f"/stubs/{added['id']}")
    assert missing.status == 404 and missing.json()["error"]["type"] == "not_found_error"
    many = {"stubs": [{"reply": {"text": "a"}}, {"reply": {"text": "b"}}]}
    assert len(ok(admin(url, "POST", "/stubs", many))["data"]) == 2
    assert ok(admin(url, "DELETE", "/stubs")) == {"deleted": 2}


def test_a_bad_stub_is_a_400_listing_every_problem_and_adds_nothing(mockclaude: MockClaude) -> None:
    body = {"stubs": [{"reply": {"text": "fine"}}, {"match": {"modle": "x"}, "reply": {"txt": "y"}}]}
    response = admin(mockclaude.url, "POST", "/stubs", body)
    assert response.status == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and "2 problems" in error["message"]
    assert [i["path"] for i in error["details"]["issues"]] == ["match.modle", "reply.txt"]
    assert mockclaude.stubs == []  # all or nothing
    for raw in (b"{nope", b"[1]"):
        bad = rawhttp.post(mockclaude.url + "/_mock/stubs", body=raw)
        assert bad.status == 400 and bad.json()["type"] == "error"
    assert admin(mockclaude.url, "PUT", "/stubs", {}).status == 405


def test_load_a_script_by_path_or_inline(mockclaude: MockClaude, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("version: 1\nstubs:\n  - name: a\n    reply: {text: A}\n")
    loaded = ok(admin(mockclaude.url, "POST", "/script", {"path": str(tmp_path)}))["data"]
    assert [s["name"] for s in loaded] == ["a"] and loaded[0]["source"].endswith("a.yaml")
    again = ok(admin(mockclaude.url, "POST", "/script", {"path": str(tmp_path), "replace": True}))["data"]
    assert [s["name"] for s in mockclaude.stubs] == ["a"] and again[0]["id"] != loaded[0]["id"]
    inline = {"script": {"version": 1, "stubs": [{"name": "b", "reply": {"text": "B"}}]}}
    assert [s["name"] for s in ok(admin(mockclaude.url, "POST", "/script", inline))["data"]] == ["b"]
    wrong = admin(mockclaude.url, "POST", "/script", {"script": {"version": 2, "stubs": []}})
    assert wrong.status == 400 and wrong.json()["error"]["details"]["issues"][0]["path"] == "version"
    nowhere = admin(mockclaude.url, "POST", "/script", {"path": str(tmp_path / "nope.yaml")})
    assert nowhere.status == 400 and "no such file" in nowhere.json()["error"]["message"]
    assert admin(mockclaude.url, "POST", "/script", {}).status == 400


def test_journal_routes(mockclaude: MockClaude) -> None:
    client = mockclaude.client(max_retries=0)
    mockclaude.expect(last_user_text="Hello").respond(text="Hi!")
    client.messages.create(**HELLO)
    client.messages.create(**{**HELLO, "messages": [{"role": "user", "content": "Other"}]})
    journal = ok(admin(mockclaude.url, "GET", "/journal"))
    assert journal["total"] == 2 and [e["index"] for e in journal["data"]] == [0, 1]
    first = journal["data"][0]
    assert first["body"] == HELLO and first["status"] == 200 and first["reply"]["content"][0]["text"] == "Hi!"
    assert (
        first["headers"]["authorization"] == "Bearer sk-…" and first["stub_id"] == mockclaude.stubs[0]["id"]
    )
    assert [e["index"] for e in ok(admin(mockclaude.url, "GET", "/journal?limit=1"))["data"]] == [1]
    assert [e["index"] for e in ok(admin(mockclaude.url, "GET", "/journal?unmatched=true"))["data"]] == [1]
    (unmatched,) = ok(admin(mockclaude.url, "GET", "/journal/unmatched"))["data"]
    assert unmatched["near_misses"][0]["reasons"] == ['last_user_text: expected equals "Hello", got "Other"']
    found = ok(admin(mockclaude.url, "POST", "/journal/search", {"match": {"last_user_text": "Other"}}))
    assert found["count"] == 1 and found["data"][0]["index"] == 1
    assert found["misses"] == [
        {"index": 0, "reasons": ['last_user_text: expected equals "Other", got "Hello"']}
    ]
    bad = admin(mockclaude.url, "POST", "/journal/search", {"match": {"nope": 1}})
    assert bad.status == 400 and "unknown match key 'nope'" in bad.json()["error"]["message"]
    assert ok(admin(mockclaude.url, "DELETE", "/journal")) == {"deleted": 2}
    assert ok(admin(mockclaude.url, "GET", "/journal"))["data"] == []


def test_check_reset_seed_strict_scenarios(mockclaude: MockClaude) -> None:
    url = mockclaude.url
    assert ok(admin(url, "GET", "/check")) == {"ok": True, "problems": []}
    ok(admin(url, "POST", "/stubs", {"name": "unused", "reply": {"text": "x"}, "times": 1}))
    report = ok(admin(url, "GET", "/check"))
    assert not report["ok"] and "'unused' (<admin>, times): matched 0 of 1 requests" in report["problems"][1]
    assert ok(admin(url, "POST", "/strict", {"strict": True})) == {"strict": True} and mockclaude.strict
    assert ok(admin(url, "POST", "/scenarios", {"name": "order", "state": "paid"})) == {
        "scenarios": {"order": "paid"}
    }
    assert ok(admin(url, "GET", "/scenarios")) == {"scenarios": {"order": "paid"}}
    assert ok(admin(url, "DELETE", "/scenarios?name=order")) == {"scenarios": {}}
    assert ok(admin(url, "POST", "/reset")) == {"seed": 0, "strict": False}
    assert mockclaude.stubs == [] and not mockclaude.strict
    assert ok(admin(url, "POST", "/seed", {"seed": 11})) == {"seed": 11} and mockclaude.seed == 11
    assert ok(admin(url, "GET", "/seed")) == {"seed": 11}
    assert ok(admin(url, "POST", "/reset", {"seed": 5, "strict": True})) == {"seed": 5, "strict": True}
    for bad in ({"seed": "x"}, {"seed": True}, {"colour": 1}, {"tokenizer": "nope"}, {"script": [1]}):
        assert admin(url, "POST", "/reset", bad).status == 400
    assert mockclaude.seed == 5 and ok(admin(url, "GET", "/check"))["ok"]  # a refused reset changes nothing
    assert admin(url, "POST", "/seed", {}).status == 400
    assert admin(url, "POST", "/scenarios", {"name": ""}).status == 400


def test_loopback_only_without_a_token() -> None:
    def request(remote: str, **headers: str) -> Any:
        transport = um.Mock()
        transport.get_extra_info.side_effect = lambda name, default=None: (
            (remote, 40000) if name == "peername" else default
        )
        return make_mocked_request("GET", "/_mock/stubs", headers=headers, transport=transport)

    for local in ("127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1"):
        authorize(request(local), None)
    for remote in ("10.0.0.2", "192.168.1.20", "2001:db8::1", "::ffff:10.0.0.2"):
        with pytest.raises(PermissionError_, match="loopback callers only"):
            authorize(request(remote), None)
    # With a token, the address does not matter; the token does.
    authorize(request("10.0.0.2", Authorization="Bearer s3cret"), "s3cret")
    authorize(request("10.0.0.2", **{"x-admin-token": "s3cret"}), "s3cret")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"x-admin-token": "s3cre"}):
        with pytest.raises(AuthenticationError, match="admin token"):
            authorize(request("127.0.0.1", **headers), "s3cret")


def test_a_token_guards_every_admin_route_over_the_wire() -> None:
    with MockClaude(settings=Settings(admin_token="s3cret", clock=ManualClock())) as mock:
        denied = admin(mock.url, "GET", "/stubs")
        assert denied.status == 401 and denied.json()["error"]["type"] == "authentication_error"
        assert admin(mock.url, "GET", "/cache").status == 401  # the cache routes too
        assert admin(mock.url, "PATCH", "/stubs").status == 401  # even a wrong method
        assert ok(admin(mock.url, "GET", "/stubs", **{"x-admin-token": "s3cret"})) == {"data": []}
        assert ok(admin(mock.url, "GET", "/clock", Authorization="Bearer s3cret"))["now"]
        assert rawhttp.request("GET", mock.url + "/_mock/health").status == 200  # health stays open


def test_a_background_serve_scripted_only_through_admin_routes() -> None:
    proc, url = start_serve("--seed", "3", "--admin-token", "ci-token")
    token = {"Authorization": "Bearer ci-token"}
    try:
        assert admin(url, "GET", "/stubs").status == 401
        script = {
            "version": 1,
            "stubs": [
                {
                    "name": "weather call",
                    "match": {"tools": {"named": "get_weather"}, "tool_result": {"present": False}},
                    "reply": {
                        "content": [{"type": "tool_use", "name": "get_weather", "input": {"city": "Paris"}}]
                    },
                    "times": 1,
                },
                {
                    "name": "final answer",
                    "match": {"tool_result": {"name": "get_weather"}},
                    "reply": {"text": "It is {{ tool_result.content }} in Paris."},
                    "times": 1,
                },
            ],
        }
        assert len(ok(admin(url, "POST", "/script", {"script": script}, **token))["data"]) == 2
        assert ok(admin(url, "POST", "/strict", {"strict": True}, **token)) == {"strict": True}
        ok(admin(url, "POST", "/clock/advance", {"hours": 1}, **token))

        client = anthropic.Anthropic(base_url=url, api_key="sk-ci", max_retries=0)
        tools: Any = [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}}]
        messages: list[Any] = [{"role": "user", "content": "Weather in Paris?"}]
        first = client.messages.create(
            model="claude-sonnet-4-6", max_tokens=200, tools=tools, messages=messages
        )
        assert first.stop_reason == "tool_use"
        call = first.content[0]
        assert call.type == "tool_use" and call.input == {"city": "Paris"}
        messages += [
            {"role": "assistant", "content": first.content},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "sunny"}],
            },
        ]
        final = client.messages.create(
            model="claude-sonnet-4-6", max_tokens=200, tools=tools, messages=messages
        )
        assert final.content[0].text == "It is sunny in Paris."  # type: ignore[union-attr]

        assert ok(admin(url, "GET", "/check", **token)) == {"ok": True, "problems": []}
        journal = ok(admin(url, "GET", "/journal", **token))["data"]
        assert [e["stub_id"] is not None for e in journal] == [True, True]
        assert journal[1]["body"]["messages"][-1]["content"][0]["content"] == "sunny"
        assert ok(admin(url, "GET", "/usage", **token))["totals"]["requests"] == 2
        assert ok(admin(url, "POST", "/reset", {}, **token)) == {"seed": 3, "strict": False}
        assert ok(admin(url, "GET", "/journal", **token))["data"] == []
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in out


def test_reset_turns_rate_limits_and_chaos_on_and_off() -> None:
    with MockClaude() as mock:
        bad = admin(mock.url, "POST", "/reset", {"rate_limits": "tier9"})
        assert bad.status == 400 and "tier9" in bad.json()["error"]["message"]
        assert admin(mock.url, "POST", "/reset", {"chaos": -1}).status == 400
        ok(admin(mock.url, "POST", "/reset", {"rate_limits": "1,100000,100000"}))
        client = anthropic.Anthropic(base_url=mock.url, api_key="k", max_retries=0)
        ask = {"model": "claude-sonnet-4-6", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}]}
        client.messages.create(**ask)  # type: ignore[arg-type]
        with pytest.raises(anthropic.RateLimitError):
            client.messages.create(**ask)  # type: ignore[arg-type]
        ok(admin(mock.url, "POST", "/reset", {"rate_limits": None}))
        client.messages.create(**ask)  # type: ignore[arg-type]
        client.messages.create(**ask)  # type: ignore[arg-type]
