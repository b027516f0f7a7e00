"""Generated tool input takes the place the user named, and stays valid against the tool's schema."""

from __future__ import annotations

from typing import Any

import anthropic
import jsonschema
import pytest

from mockclaude.engine.grounding import ground, named_place


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("What's the weather in Paris?", "Paris"),
        ("Weather for New York today", "New York"),
        ("flights to San Francisco, CA please", "San Francisco, CA"),
        ("what is the weather like", None),
        ("tell me about paris", None),
    ],
)
def test_named_place(text: str, place: str | None) -> None:
    assert named_place(text) == place


def _schema(**prop: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"city": {"type": "string", **prop}}, "required": ["city"]}


def test_only_plain_strings_that_fit_are_replaced() -> None:
    text = "weather in Paris"
    assert ground({"city": "Oslo"}, _schema(), text) == {"city": "Paris"}
    assert ground({"city": "Oslo"}, _schema(enum=["Oslo", "Rome"]), text) == {"city": "Oslo"}
    assert ground({"city": "Oslo"}, _schema(pattern="^[a-z]+$"), text) == {"city": "Oslo"}
    assert ground({"city": "Oslo"}, _schema(maxLength=3), text) == {"city": "Oslo"}
    assert ground({"unit": "c"}, {"type": "object", "properties": {"unit": {"type": "string"}}}, text) == {
        "unit": "c"
    }


def test_agent_call_uses_the_users_place(client: anthropic.Anthropic) -> None:
    schema = {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
        "required": ["location", "unit"],
    }
    for stream in (False, True):
        params: dict[str, Any] = {
            "model": "claude-sonnet-4-6",
            "max_tokens": 512,
            "tools": [{"name": "get_weather", "input_schema": schema}],
            "messages": [{"role": "user", "content": "What's the weather in Buenos Aires?"}],
        }
        if stream:
            with client.messages.stream(**params) as s:
                message = s.get_final_message()
        else:
            message = client.messages.create(**params)
        call = next(b for b in message.content if b.type == "tool_use")
        assert call.input["location"] == "Buenos Aires"  # type: ignore[index]
        jsonschema.validate(call.input, schema)
