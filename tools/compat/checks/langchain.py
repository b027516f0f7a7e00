"""``langchain-anthropic``'s ``ChatAnthropic`` against the served mock: invoke, stream, a ``bind_tools`` loop.

Run by the client's interpreter (``python -m tools.compat.checks.langchain``, ``MOCK_URL`` set).
"""

from __future__ import annotations

import importlib
from typing import Any

from tools.compat.checks._protocol import API_KEY, MODEL, UNKNOWN_MODEL, URL, WEATHER_SCHEMA, expect, run

ChatAnthropic: Any = importlib.import_module("langchain_anthropic").ChatAnthropic
messages_mod: Any = importlib.import_module("langchain_core.messages")
anthropic: Any = importlib.import_module("anthropic")
PROMPT = "Hello from langchain"
TOOL = {"name": "get_weather", "description": "The weather in a city", "input_schema": WEATHER_SCHEMA}
_invoked: dict[str, Any] = {}


def _model(model: str = MODEL) -> Any:
    return ChatAnthropic(
        model=model, base_url=URL, api_key=API_KEY, max_tokens=256, max_retries=0, timeout=60.0
    )


def check_invoke() -> None:
    reply = _model().invoke(PROMPT)
    expect(isinstance(reply, messages_mod.AIMessage), f"reply {type(reply).__name__}")
    expect(isinstance(reply.content, str) and reply.content, f"content {reply.content!r}")
    expect(reply.response_metadata.get("stop_reason") == "end_turn", f"metadata {reply.response_metadata!r}")
    expect(str(reply.response_metadata.get("id", "")).startswith("msg_"), f"id {reply.response_metadata!r}")
    usage = reply.usage_metadata or {}
    expect(
        usage.get("input_tokens", 0) > 0 and usage.get("output_tokens", 0) > 0, f"usage_metadata {usage!r}"
    )
    _invoked.update(text=reply.content, usage=usage)


def check_stream() -> None:
    chunks = list(_model().stream(PROMPT))
    expect(len(chunks) > 1, f"{len(chunks)} chunk(s)")
    text = "".join(chunk.text if isinstance(chunk.text, str) else chunk.text() for chunk in chunks)
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    merged_text = merged.text if isinstance(merged.text, str) else merged.text()
    expect(text and merged_text == text, f"merged {merged_text!r} != streamed {text!r}")
    usage = merged.usage_metadata or {}
    expect(
        usage.get("input_tokens", 0) > 0 and usage.get("output_tokens", 0) > 0, f"usage_metadata {usage!r}"
    )
    if _invoked:
        expect(text == _invoked["text"], f"streamed {text!r} != invoked {_invoked['text']!r}")
        expect(usage.get("output_tokens") == _invoked["usage"].get("output_tokens"), f"usage {usage!r}")


def check_count_tokens() -> None:
    counted = _model().get_num_tokens_from_messages([messages_mod.HumanMessage(PROMPT)])
    expect(isinstance(counted, int) and counted > 0, f"counted {counted!r}")
    if _invoked:
        expect(counted == _invoked["usage"]["input_tokens"], f"{counted} != invoke's {_invoked['usage']!r}")


def check_tool_loop() -> None:
    model = _model().bind_tools([TOOL], tool_choice="get_weather")
    history: list[Any] = [messages_mod.HumanMessage("What is the weather in Paris?")]
    first = model.invoke(history)
    calls = first.tool_calls
    expect(len(calls) == 1 and calls[0]["name"] == "get_weather", f"tool_calls {calls!r}")
    expect(isinstance(calls[0]["args"].get("city"), str), f"args {calls[0]['args']!r}")
    expect(first.response_metadata.get("stop_reason") == "tool_use", f"metadata {first.response_metadata!r}")
    history += [first, messages_mod.ToolMessage("18 °C and sunny", tool_call_id=calls[0]["id"])]
    second = _model().bind_tools([TOOL]).invoke(history)
    expect(not second.tool_calls, f"a second tool call {second.tool_calls!r}")
    expect(
        second.response_metadata.get("stop_reason") == "end_turn", f"metadata {second.response_metadata!r}"
    )
    expect(second.text if isinstance(second.text, str) else second.text(), "no final text")


def check_not_found() -> None:
    try:
        _model(UNKNOWN_MODEL).invoke(PROMPT)
    except anthropic.NotFoundError as error:
        expect(error.status_code == 404, f"status {error.status_code}")
        inner = (error.body or {}).get("error", {})
        expect(inner.get("type") == "not_found_error", f"error body {error.body!r}")
    else:
        raise AssertionError("no NotFoundError for an unknown model")


if __name__ == "__main__":
    raise SystemExit(
        run(
            [
                ("invoke", check_invoke),
                ("stream", check_stream),
                ("count_tokens", check_count_tokens),
                ("bind_tools_loop", check_tool_loop),
                ("not_found", check_not_found),
            ]
        )
    )
