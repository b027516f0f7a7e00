"""What real clients send, end to end: Claude Code-shaped requests and odd-but-valid tool schemas."""

from __future__ import annotations

from typing import Any

import anthropic
import jsonschema

from tests.test_validate_accept import CC_HEADERS, claude_code_body


def _claude_code_client(server: Any) -> anthropic.Anthropic:
    headers = {k: v for k, v in CC_HEADERS.items() if k not in ("x-api-key", "content-type")}
    return anthropic.Anthropic(base_url=server.url, api_key="test", max_retries=0, default_headers=headers)


def _stream(client: anthropic.Anthropic, body: dict[str, Any]) -> anthropic.types.beta.BetaMessage:
    params = {k: v for k, v in body.items() if k != "stream"}
    with client.beta.messages.stream(**params) as stream:
        return stream.get_final_message()


def test_claude_code_two_turn_tool_run(server: Any) -> None:
    client = _claude_code_client(server)
    first = _stream(client, claude_code_body(1))
    assert first.stop_reason == "tool_use"
    call = next(b for b in first.content if b.type == "tool_use")
    assert first.content[0].type == "thinking"  # adaptive thinking is on for Opus 5.5
    turn2 = claude_code_body(1)
    turn2["messages"] += [
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "hi", "is_error": False}],
        },
    ]
    second = _stream(client, turn2)
    assert second.stop_reason == "end_turn"
    assert second.content[-1].type == "text" and second.content[-1].text
    assert second.usage.input_tokens > first.usage.input_tokens


def test_claude_code_haiku_budget_thinking(server: Any) -> None:
    body = claude_code_body(1, model="claude-haiku-4-5")
    body.update(max_tokens=32000, thinking={"type": "enabled", "budget_tokens": 31999, "display": "omitted"})
    body.pop("output_config")
    body["messages"] = body["messages"][:1]
    final = _stream(_claude_code_client(server), body)
    thinking = final.content[0]
    assert thinking.type == "thinking" and thinking.thinking == "" and thinking.signature


ODD_SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {"a": "string", "b": 3}},
    {"type": "object", "properties": {}, "additionalProperties": False},
    {
        "type": "object",
        "required": ["x"],
        "properties": {"x": {"type": ["string", "null"], "minLength": 500}},
    },
    {
        "type": "object",
        "$defs": {"n": {"type": "object", "properties": {"next": {"$ref": "#/$defs/n"}}}},
        "properties": {"head": {"$ref": "#/$defs/n"}},
        "required": ["head"],
    },
]


def test_odd_tool_schemas_never_crash_the_generator(client: anthropic.Anthropic) -> None:
    for i, schema in enumerate(ODD_SCHEMAS):
        message = client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=2048,
            tools=[{"name": f"odd_{i}", "input_schema": schema}],  # type: ignore[list-item]
            tool_choice={"type": "any"},
            messages=[{"role": "user", "content": "call it"}],
        )
        block = message.content[-1]
        assert block.type == "tool_use" and isinstance(block.input, dict)
        if all(isinstance(v, dict) for v in schema.get("properties", {}).values()):
            jsonschema.validate(block.input, schema)
