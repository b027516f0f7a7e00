"""The reply's ``model``: an alias of a dated snapshot answers with the snapshot id, as the real API does; undated ids
are echoed. The same in JSON, SSE (``message_start``), scripted replies, batches and chat completions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest

from mockclaude import MockClaude
from mockclaude.model.catalog import get_catalog
from tests import rawhttp

HELLO = [{"role": "user", "content": "Hello"}]


@pytest.fixture
def mock() -> Iterator[MockClaude]:
    with MockClaude() as m:
        yield m


def ask(client: anthropic.Anthropic, model: str) -> tuple[str, str]:
    """The model of a created reply and of a streamed one (the SDK takes it from ``message_start``)."""
    params: dict[str, Any] = {"model": model, "max_tokens": 32, "messages": HELLO}
    created = client.messages.create(**params)
    with client.messages.stream(**params) as stream:
        final = stream.get_final_message()
    return created.model, final.model


@pytest.mark.filterwarnings("ignore:The model 'claude-opus-4-5' is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    ("sent", "answered"),
    [
        ("claude-haiku-4-5", "claude-haiku-4-5-20251001"),  # alias -> its dated snapshot
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
        ("claude-opus-4-5", "claude-opus-4-5-20251101"),
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001"),  # the snapshot id itself
        ("claude-sonnet-4-6", "claude-sonnet-4-6"),  # 4.6 onward: the dateless id is the snapshot
        ("claude-opus-5", "claude-opus-5"),
    ],
)
def test_generated_reply_names_the_snapshot(client: anthropic.Anthropic, sent: str, answered: str) -> None:
    assert ask(client, sent) == (answered, answered)


def test_message_start_carries_the_snapshot_on_the_wire(server: Any) -> None:
    body = {"model": "claude-haiku-4-5", "max_tokens": 16, "messages": HELLO, "stream": True}
    response = rawhttp.post(server.url + "/v1/messages", json_body=body)
    first = response.text.split("\n\n", 1)[0]
    assert first.startswith("event: message_start\n")
    assert '"model":"claude-haiku-4-5-20251001"' in first


def test_catalog_rule() -> None:
    catalog = get_catalog()
    assert catalog.require("claude-3-7-sonnet-latest", any_model=True).answers_as(
        "claude-3-7-sonnet-latest"
    ) == ("claude-3-7-sonnet-20250219")
    gateway = catalog.copy()
    spec = gateway.add({"id": "gw-claude", "aliases": ["gw"], "base": "claude-sonnet-4-6"})
    assert spec.answers_as("gw") == "gw"  # an undated id: what was sent is echoed
    inferred = gateway.require("acme/claude-haiku-4-5", any_model=True)
    assert inferred.answers_as("acme/claude-haiku-4-5") == "acme/claude-haiku-4-5"


def test_scripted_reply_maps_the_alias_unless_the_stub_names_a_model(mock: MockClaude) -> None:
    client = mock.client(max_retries=0)
    mock.expect(last_user_text="plain").respond(text="Hi")
    mock.expect(last_user_text="named").respond(text="Hi", model="my-model")
    for text, answered in [("plain", "claude-haiku-4-5-20251001"), ("named", "my-model")]:
        params: dict[str, Any] = {
            "model": "claude-haiku-4-5",
            "max_tokens": 16,
            "messages": [{"role": "user", "content": text}],
        }
        assert client.messages.create(**params).model == answered
        with client.messages.stream(**params) as stream:
            assert stream.get_final_message().model == answered
    # Matchers still see the model as it was sent.
    assert mock.journal[-1].body["model"] == "claude-haiku-4-5"


def test_batch_results_hold_the_same_message(mock: MockClaude) -> None:
    client = mock.client(max_retries=0)
    params: dict[str, Any] = {"model": "claude-haiku-4-5", "max_tokens": 16, "messages": HELLO}
    batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": params}])
    client.messages.batches.retrieve(batch.id)  # batch_seconds=0: ended by the next read
    (result,) = list(client.messages.batches.results(batch.id))
    assert isinstance(result.result, anthropic.types.messages.MessageBatchSucceededResult)
    assert result.result.message.model == "claude-haiku-4-5-20251001"
    assert result.result.message.content == client.messages.create(**params).content


def test_chat_completions_name_the_reply_model(mock: MockClaude) -> None:
    chat = openai.OpenAI(base_url=mock.url + "/v1", api_key="sk-x", max_retries=0)
    completion = chat.chat.completions.create(model="claude-haiku-4-5", messages=HELLO)
    assert completion.model == "claude-haiku-4-5-20251001"
    chunks = list(chat.chat.completions.create(model="claude-haiku-4-5", messages=HELLO, stream=True))
    assert {chunk.model for chunk in chunks} == {"claude-haiku-4-5-20251001"}
    undated = chat.chat.completions.create(model="claude-sonnet-4-6", messages=HELLO)
    assert undated.model == "claude-sonnet-4-6"
