"""The official Python SDK (``anthropic``, any line from 0.16 to 2.x) against the served mock.

Run by the client's interpreter: ``.compat/<env>/bin/python -m tools.compat.checks.anthropic_sdk`` with
``MOCK_URL`` set. The SDK is imported dynamically and typed ``Any``: one script serves every release line, and
features a release lacks (``count_tokens``, ``models``, ``_request_id``) are detected, not assumed.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from tools.compat.checks._protocol import (
    API_KEY,
    MODEL,
    UNKNOWN_MODEL,
    URL,
    WEATHER_SCHEMA,
    Skip,
    expect,
    run,
)

anthropic: Any = importlib.import_module("anthropic")
client: Any = anthropic.Anthropic(base_url=URL, api_key=API_KEY, max_retries=0, timeout=60.0)
PARAMS: dict[str, Any] = {
    "model": MODEL,
    "max_tokens": 256,
    "messages": [{"role": "user", "content": "Hello from the compat check"}],
}
TOOL = {"name": "get_weather", "description": "The weather in a city", "input_schema": WEATHER_SCHEMA}
_created: dict[str, Any] = {}


def _text(message: Any) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


def _request_id(message: Any) -> str | None:
    request_id = getattr(message, "_request_id", None)
    if request_id is not None:
        return str(request_id)
    raw = client.messages.with_raw_response.create(**PARAMS)  # releases before _request_id: read the header
    header: str | None = raw.headers.get("request-id")
    return header


def check_create() -> None:
    message = client.messages.create(**PARAMS)
    expect(
        message.type == "message" and message.role == "assistant", f"type/role {message.type}/{message.role}"
    )
    expect(str(message.id).startswith("msg_"), f"id {message.id!r}")
    expect(message.content and message.content[0].type == "text", f"content {message.content!r}")
    expect(_text(message), "empty text")
    expect(message.stop_reason == "end_turn", f"stop_reason {message.stop_reason!r}")
    expect(message.usage.input_tokens > 0, f"usage.input_tokens {message.usage.input_tokens}")
    expect(message.usage.output_tokens > 0, f"usage.output_tokens {message.usage.output_tokens}")
    request_id = _request_id(message)
    expect(request_id and request_id.startswith("req_"), f"request id {request_id!r}")
    _created.update(text=_text(message), usage=message.usage)


def _events(events: Any) -> tuple[str, int | None]:
    """The text of the ``text_delta`` events and the ``message_delta`` usage, as the wire carried them."""
    text, output_tokens = "", None
    for event in events:
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            text += event.delta.text
        elif event.type == "message_delta":
            output_tokens = event.usage.output_tokens
    return text, output_tokens


def check_stream() -> None:
    if not hasattr(client.messages, "stream"):  # no helper: the raw events only
        text, output_tokens = _events(client.messages.create(**PARAMS, stream=True))
    else:
        with client.messages.stream(**PARAMS) as stream:
            text, output_tokens = _events(stream)
            final = stream.get_final_message()
        expect(_text(final) == text, f"final text {_text(final)!r} != streamed {text!r}")
        expect(final.stop_reason == "end_turn", f"final stop_reason {final.stop_reason!r}")
        expect(final.usage.input_tokens > 0, f"final usage.input_tokens {final.usage.input_tokens}")
        # 0.x accumulators ignore the message_delta usage (the final message keeps message_start's count)
        if not anthropic.__version__.startswith("0."):
            expect(
                final.usage.output_tokens == output_tokens, f"final output_tokens {final.usage.output_tokens}"
            )
    expect(text, "nothing streamed")
    expect(output_tokens and output_tokens > 0, f"message_delta output_tokens {output_tokens!r}")
    if _created:  # the same request on the same seed: the streamed reply is the non-streamed one
        expect(text == _created["text"], f"streamed {text!r} != created {_created['text']!r}")
        created = _created["usage"].output_tokens
        expect(output_tokens == created, f"streamed output_tokens {output_tokens} != created {created}")


def check_count_tokens() -> None:
    counter = getattr(client.messages, "count_tokens", None)
    if counter is None:
        beta = getattr(getattr(client, "beta", None), "messages", None)
        counter = getattr(beta, "count_tokens", None)
    if counter is None:
        raise Skip(f"anthropic {anthropic.__version__} has no count_tokens")
    counted = counter(model=MODEL, messages=PARAMS["messages"])
    expect(counted.input_tokens > 0, f"input_tokens {counted.input_tokens}")
    if _created:
        created = _created["usage"].input_tokens
        expect(counted.input_tokens == created, f"count_tokens {counted.input_tokens} != create's {created}")


ASK = [{"role": "user", "content": "What is the weather in Paris?"}]
FORCED: dict[str, Any] = {
    "model": MODEL,
    "max_tokens": 512,
    "tools": [TOOL],
    "tool_choice": {"type": "tool", "name": "get_weather"},
    "messages": ASK,
}


def _needs_tools() -> None:
    if "tools" not in inspect.signature(client.messages.create).parameters:
        raise Skip(f"anthropic {anthropic.__version__} messages.create takes no tools")


def check_tool_round_trip() -> None:
    _needs_tools()
    first = client.messages.create(**FORCED)
    expect(first.stop_reason == "tool_use", f"stop_reason {first.stop_reason!r}")
    calls = [block for block in first.content if block.type == "tool_use"]
    expect(len(calls) == 1, f"tool_use blocks {first.content!r}")
    call = calls[0]
    expect(call.name == "get_weather" and str(call.id).startswith("toolu_"), f"tool_use {call!r}")
    expect(isinstance(call.input, dict) and isinstance(call.input.get("city"), str), f"input {call.input!r}")
    assistant = [{"type": "tool_use", "id": call.id, "name": call.name, "input": call.input}]
    result = [{"type": "tool_result", "tool_use_id": call.id, "content": "18 °C and sunny"}]
    _created["tool_input"] = call.input
    history = [*ASK, {"role": "assistant", "content": assistant}, {"role": "user", "content": result}]
    second = client.messages.create(model=MODEL, max_tokens=512, tools=[TOOL], messages=history)
    expect(second.stop_reason == "end_turn", f"second stop_reason {second.stop_reason!r}")
    expect(
        second.content[-1].type == "text" and second.content[-1].text, f"second content {second.content!r}"
    )
    expect(second.usage.input_tokens > first.usage.input_tokens, "the tool result did not grow input_tokens")


def check_tool_stream() -> None:
    """A forced tool call streamed: the SDK rebuilds ``input`` from the ``input_json_delta`` fragments."""
    _needs_tools()
    with client.messages.stream(**FORCED) as stream:
        kinds = {event.delta.type for event in stream if event.type == "content_block_delta"}
        final = stream.get_final_message()
    expect("input_json_delta" in kinds, f"delta types {sorted(kinds)}")
    expect(final.stop_reason == "tool_use", f"stop_reason {final.stop_reason!r}")
    calls = [block for block in final.content if block.type == "tool_use"]
    expect(len(calls) == 1 and calls[0].name == "get_weather", f"content {final.content!r}")
    expect(isinstance(calls[0].input.get("city"), str), f"input {calls[0].input!r}")
    if _created.get("tool_input") is not None:
        expect(
            calls[0].input == _created["tool_input"],
            f"streamed {calls[0].input!r} != {_created['tool_input']!r}",
        )


def _error_body(error: Any) -> dict[str, Any]:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        return body
    parsed: dict[str, Any] = error.response.json()
    return parsed


def check_not_found() -> None:
    try:
        client.messages.create(**{**PARAMS, "model": UNKNOWN_MODEL})
    except anthropic.NotFoundError as error:
        expect(error.status_code == 404, f"status {error.status_code}")
        inner = _error_body(error).get("error", {})
        expect(inner.get("type") == "not_found_error", f"error.type {inner.get('type')!r}")
        expect(UNKNOWN_MODEL in str(inner.get("message")), f"error.message {inner.get('message')!r}")
        request_id = getattr(error, "request_id", None) or error.response.headers.get("request-id")
        expect(str(request_id).startswith("req_"), f"request id {request_id!r}")
    else:
        raise AssertionError("no NotFoundError for an unknown model")


def check_models() -> None:
    models = getattr(client, "models", None)
    if models is None:
        raise Skip(f"anthropic {anthropic.__version__} has no models API")
    ids = [model.id for model in models.list(limit=3)]  # auto-pagination: ends only if has_more turns false
    expect(len(ids) >= 5 and len(set(ids)) == len(ids), f"ids {ids!r}")
    expect(MODEL in ids, f"{MODEL} not listed")
    info = models.retrieve(MODEL)
    expect(info.id == MODEL and info.type == "model" and info.display_name, f"retrieve {info!r}")


if __name__ == "__main__":
    raise SystemExit(
        run(
            [
                ("create", check_create),
                ("stream", check_stream),
                ("count_tokens", check_count_tokens),
                ("tool_round_trip", check_tool_round_trip),
                ("tool_stream", check_tool_stream),
                ("not_found", check_not_found),
                ("models", check_models),
            ]
        )
    )
