"""Context-window rules (api-spec §8.8) on small-window models added to a catalog, through the SDK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from mockclaude.model.catalog import get_catalog
from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread

WINDOW = 400
WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
]


@pytest.fixture(scope="module")
def small() -> Iterator[anthropic.Anthropic]:
    """A server whose catalog has a 400-token model that stops at the window (4.5+) and one that rejects."""
    catalog = get_catalog().copy()
    limits = {"context_window": WINDOW, "max_output_tokens": 300}
    catalog.add({"id": "tiny-new", "base": "claude-sonnet-4-5", "context_exceeded_stop": True, **limits})
    catalog.add({"id": "tiny-old", "base": "claude-sonnet-4-5", "context_exceeded_stop": False, **limits})
    with ServerThread(create_app(Settings(seed=0, catalog=catalog))) as server:
        yield anthropic.Anthropic(base_url=server.url, api_key="sk-test", max_retries=0)


def prompt(words: int) -> list[dict[str, Any]]:
    return [{"role": "user", "content": " ".join(WORDS[i % len(WORDS)] for i in range(words))}]


def counted(client: anthropic.Anthropic, model: str, messages: list[dict[str, Any]]) -> int:
    return client.messages.count_tokens(model=model, messages=messages).input_tokens


def test_prompt_over_the_window_is_too_long(small: anthropic.Anthropic) -> None:
    messages = prompt(420)
    with pytest.raises(anthropic.BadRequestError) as info:
        small.messages.create(model="tiny-new", max_tokens=10, messages=messages)
    error = info.value
    assert error.status_code == 400
    assert isinstance(error.body, dict)
    assert error.body["error"]["type"] == "invalid_request_error"
    message = error.body["error"]["message"]
    assert message.startswith("prompt is too long: ") and message.endswith(f" tokens > {WINDOW} maximum")
    assert int(message.split()[4]) > WINDOW
    with pytest.raises(anthropic.BadRequestError, match="prompt is too long"):
        small.messages.count_tokens(model="tiny-new", messages=messages)


def test_older_models_reject_input_plus_max_tokens_over_the_window(small: anthropic.Anthropic) -> None:
    messages = prompt(120)
    n = counted(small, "tiny-old", messages)
    with pytest.raises(anthropic.BadRequestError) as info:
        small.messages.create(model="tiny-old", max_tokens=300, messages=messages)
    assert isinstance(info.value.body, dict)
    assert info.value.body["error"]["message"] == (
        f"input length and `max_tokens` exceed context limit: {n} + 300 > {WINDOW}, "
        "decrease input length or `max_tokens` and try again"
    )
    ok = small.messages.create(model="tiny-old", max_tokens=WINDOW - n, messages=messages)
    assert ok.stop_reason in ("end_turn", "max_tokens")


def test_newer_models_stop_at_the_window(small: anthropic.Anthropic) -> None:
    messages = prompt(340)
    n = counted(small, "tiny-new", messages)
    room = WINDOW - n
    assert 0 < room < 30  # a default answer is longer (35+ tokens), so it reaches the window
    message = small.messages.create(model="tiny-new", max_tokens=300, messages=messages)
    assert message.stop_reason == "model_context_window_exceeded"
    assert message.usage.output_tokens == room
    assert message.usage.input_tokens == n
    with small.messages.stream(model="tiny-new", max_tokens=300, messages=messages) as stream:
        streamed = stream.get_final_message()
    assert streamed.stop_reason == "model_context_window_exceeded"
    assert [block.to_dict() for block in streamed.content] == [block.to_dict() for block in message.content]
    # The cut falls exactly at the room left, like a max_tokens cut of the same reply.
    cut = small.messages.create(model="tiny-new", max_tokens=room, messages=messages)
    assert cut.stop_reason == "max_tokens"
    assert cut.content[0].to_dict() == message.content[0].to_dict()


def test_newer_models_end_normally_when_the_answer_fits(small: anthropic.Anthropic) -> None:
    messages = prompt(100)
    n = counted(small, "tiny-new", messages)
    assert n + 300 > WINDOW and WINDOW - n > 200  # accepted, and a default answer (<= 130 tokens) fits
    message = small.messages.create(model="tiny-new", max_tokens=300, messages=messages)
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens <= WINDOW - n


def test_the_beta_gives_older_models_the_new_behaviour(small: anthropic.Anthropic) -> None:
    messages = prompt(340)
    n = counted(small, "tiny-old", messages)
    message = small.messages.create(
        model="tiny-old",
        max_tokens=300,
        messages=messages,
        extra_headers={"anthropic-beta": "model-context-window-exceeded-2025-08-26"},
    )
    assert message.stop_reason == "model_context_window_exceeded"
    assert message.usage.output_tokens == WINDOW - n


def test_max_tokens_over_the_model_maximum(small: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        small.messages.create(model="tiny-new", max_tokens=301, messages=prompt(3))
    assert isinstance(info.value.body, dict)
    assert info.value.body["error"]["message"] == (
        "max_tokens: 301 > 300, which is the maximum allowed number of output tokens for tiny-new"
    )


def test_user_max_tokens_below_the_room_keeps_its_stop_reason(small: anthropic.Anthropic) -> None:
    message = small.messages.create(model="tiny-new", max_tokens=5, messages=prompt(100))
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 5
