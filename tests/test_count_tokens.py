"""``POST /v1/messages/count_tokens`` (api-spec §9.1): shape, validation shared with messages, no caching."""

from __future__ import annotations

import uuid
from typing import Any

import anthropic
import pytest

from mockclaude.server.runner import ServerThread
from tests import rawhttp

MODEL = "claude-sonnet-4-6"
HELLO: list[Any] = [{"role": "user", "content": "Hello, Claude"}]


def test_response_is_exactly_input_tokens(server: ServerThread) -> None:
    response = rawhttp.post(
        server.url + "/v1/messages/count_tokens", json_body={"model": MODEL, "messages": HELLO}
    )
    assert response.status == 200
    assert response.json() == {"input_tokens": 10}
    assert response.headers["request-id"].startswith("req_")
    assert response.headers["content-type"].startswith("application/json")


def test_sdk_beta_namespace_and_path_prefix(client: anthropic.Anthropic, server: ServerThread) -> None:
    plain = client.messages.count_tokens(model=MODEL, messages=HELLO).input_tokens
    beta = client.beta.messages.count_tokens(model=MODEL, messages=HELLO).input_tokens
    gateway = anthropic.Anthropic(base_url=server.url + "/anthropic", api_key="sk-test", max_retries=0)
    assert plain == beta == gateway.messages.count_tokens(model=MODEL, messages=HELLO).input_tokens == 10
    query = rawhttp.post(
        server.url + "/v1/messages/count_tokens?beta=true", json_body={"model": MODEL, "messages": HELLO}
    )
    assert query.json() == {"input_tokens": 10}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"max_tokens": 10}, "max_tokens: Extra inputs are not permitted"),
        ({"stream": True}, "stream: Extra inputs are not permitted"),
        ({"stop_sequences": ["x"]}, "stop_sequences: Extra inputs are not permitted"),
        ({"metadata": {"user_id": "u"}}, "metadata: Extra inputs are not permitted"),
        ({"temperature": 0.5}, "temperature: Extra inputs are not permitted"),  # 2026-10-21 (the SDK's version)
        ({"thinking": {"type": "enabled", "budget_tokens": 100}}, "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"),
    ],
)  # fmt: skip
def test_validation_errors(client: anthropic.Anthropic, extra: dict[str, Any], message: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.count_tokens(model=MODEL, messages=HELLO, extra_body=extra)
    assert isinstance(info.value.body, dict)
    assert info.value.body["error"] == {"type": "invalid_request_error", "message": message}


def test_validation_shared_with_messages(client: anthropic.Anthropic) -> None:
    for bad in (
        {"messages": []},
        {"messages": [{"role": "user", "content": ""}]},
        {"messages": HELLO, "tool_choice": {"type": "any"}},
    ):
        with pytest.raises(anthropic.BadRequestError) as counted:
            client.messages.count_tokens(model=MODEL, **bad)
        with pytest.raises(anthropic.BadRequestError) as created:
            client.messages.create(model=MODEL, max_tokens=10, **bad)
        assert counted.value.body == {**created.value.body, "request_id": counted.value.body["request_id"]}  # type: ignore[dict-item]


@pytest.mark.parametrize("model", ["claude-nonexistent-9", "claude-3-opus-20240229"])
def test_unknown_and_retired_models_are_404(client: anthropic.Anthropic, model: str) -> None:
    with pytest.raises(anthropic.NotFoundError) as info:
        client.messages.count_tokens(model=model, messages=HELLO)
    assert isinstance(info.value.body, dict)
    assert info.value.body["error"] == {"type": "not_found_error", "message": f"model: {model}"}


def test_old_api_version_and_x_api_key(server: ServerThread) -> None:
    body = {"model": MODEL, "messages": HELLO, "temperature": 0.5}  # sampling is accepted under 2023-06-01
    response = rawhttp.post(server.url + "/v1/messages/count_tokens", json_body=body)
    assert response.status == 200 and response.json() == {"input_tokens": 10}


def test_count_tokens_never_touches_the_cache(client: anthropic.Anthropic) -> None:
    unique = f"Context {uuid.uuid4()}: " + "Always answer with the exact section number. " * 300
    request_ = {
        "system": [{"type": "text", "text": unique, "cache_control": {"type": "ephemeral"}}],
        "messages": HELLO,
    }
    first_count = client.messages.count_tokens(model=MODEL, **request_).input_tokens
    assert client.messages.count_tokens(model=MODEL, **request_).input_tokens == first_count
    written = client.messages.create(model=MODEL, max_tokens=16, **request_).usage
    # Nothing was written by count_tokens: the first messages call still creates the entry.
    assert (written.cache_read_input_tokens or 0) == 0
    assert (written.cache_creation_input_tokens or 0) > 0
    # And a cache entry does not lower the count: count_tokens always reports the whole prompt.
    assert client.messages.count_tokens(model=MODEL, **request_).input_tokens == first_count
    read = client.messages.create(model=MODEL, max_tokens=16, **request_).usage
    assert (read.cache_read_input_tokens or 0) > 0
    assert (
        read.input_tokens + (read.cache_read_input_tokens or 0) + (read.cache_creation_input_tokens or 0)
        == first_count
    )


def test_tokenizer_special_strings_count(client: anthropic.Anthropic) -> None:
    text = "stop at <EOT> or <META_END> or <|endoftext|>"
    counted = client.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": text}])
    assert counted.input_tokens > 7
