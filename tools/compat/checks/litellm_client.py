"""LiteLLM's ``completion(model="anthropic/...", api_base=url)`` against the served mock: plain, streamed, tools.

Run by the client's interpreter (``python -m tools.compat.checks.litellm_client``, ``MOCK_URL`` set).
``LITELLM_LOCAL_MODEL_COST_MAP`` keeps LiteLLM from fetching its cost map at import time.
"""

from __future__ import annotations

import importlib
import json
import os
from typing import Any

from tools.compat.checks._protocol import API_KEY, MODEL, UNKNOWN_MODEL, URL, WEATHER_SCHEMA, expect, run

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
litellm: Any = importlib.import_module("litellm")
litellm.telemetry = False
ROUTE = f"anthropic/{MODEL}"
MESSAGES = [{"role": "user", "content": "Hello from litellm"}]
TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "description": "The weather in a city", "parameters": WEATHER_SCHEMA},
}
_created: dict[str, Any] = {}


def _completion(**kwargs: Any) -> Any:
    args = {"model": ROUTE, "messages": MESSAGES, "max_tokens": 256, "api_base": URL, "api_key": API_KEY}
    return litellm.completion(**{**args, "num_retries": 0, "timeout": 60, **kwargs})


def check_completion() -> None:
    response = _completion()
    choice = response.choices[0]
    expect(choice.message.content, f"message {choice.message!r}")
    expect(choice.finish_reason == "stop", f"finish_reason {choice.finish_reason!r}")
    expect(MODEL in str(response.model), f"model {response.model!r}")  # LiteLLM mints its own ids
    usage = response.usage
    expect(usage.prompt_tokens > 0 and usage.completion_tokens > 0, f"usage {usage!r}")
    _created.update(text=choice.message.content, usage=usage)


def check_stream() -> None:
    text, finish = "", None
    chunks = list(_completion(stream=True, stream_options={"include_usage": True}))
    for chunk in chunks:
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    expect(len(chunks) > 1 and text, f"{len(chunks)} chunk(s), text {text!r}")
    expect(finish == "stop", f"finish_reason {finish!r}")
    usage = next((c.usage for c in reversed(chunks) if getattr(c, "usage", None)), None)
    expect(usage is not None and usage.completion_tokens > 0, f"usage {usage!r}")
    rebuilt = litellm.stream_chunk_builder(chunks, messages=MESSAGES)
    expect(rebuilt.choices[0].message.content == text, f"stream_chunk_builder {rebuilt.choices[0].message!r}")
    if _created:
        expect(text == _created["text"], f"streamed {text!r} != completion {_created['text']!r}")
        created = _created["usage"].completion_tokens
        expect(getattr(usage, "completion_tokens", None) == created, f"usage {usage!r} != created {created}")


def check_tool_round_trip() -> None:
    ask = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = _completion(
        messages=ask, tools=[TOOL], tool_choice={"type": "function", "function": {"name": "get_weather"}}
    )
    choice = first.choices[0]
    expect(choice.finish_reason == "tool_calls", f"finish_reason {choice.finish_reason!r}")
    calls = choice.message.tool_calls or []
    expect(len(calls) == 1 and calls[0].function.name == "get_weather", f"tool_calls {calls!r}")
    arguments = json.loads(calls[0].function.arguments)
    expect(isinstance(arguments.get("city"), str), f"arguments {arguments!r}")
    assistant = {
        "role": "assistant",
        "content": choice.message.content,
        "tool_calls": [{"id": c.id, "type": "function", "function": c.function.model_dump()} for c in calls],
    }
    tool = {"role": "tool", "tool_call_id": calls[0].id, "content": "18 °C and sunny"}
    second = _completion(messages=[*ask, assistant, tool], tools=[TOOL])
    expect(
        second.choices[0].finish_reason == "stop", f"second finish_reason {second.choices[0].finish_reason!r}"
    )
    expect(second.choices[0].message.content, "second reply has no text")


def check_not_found() -> None:
    try:
        _completion(model=f"anthropic/{UNKNOWN_MODEL}")
    except litellm.NotFoundError as error:
        expect(error.status_code == 404, f"status {error.status_code}")
        expect("not_found_error" in str(error.message), f"message {error.message!r}")
    else:
        raise AssertionError("no NotFoundError for an unknown model")


if __name__ == "__main__":
    raise SystemExit(
        run(
            [
                ("completion", check_completion),
                ("stream", check_stream),
                ("tool_round_trip", check_tool_round_trip),
                ("not_found", check_not_found),
            ]
        )
    )
