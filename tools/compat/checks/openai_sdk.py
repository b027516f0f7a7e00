"""The ``openai`` SDK against the mock's OpenAI-compatible endpoint, ``<url>/v1/chat/completions``.

Run by the client's interpreter (``python -m tools.compat.checks.openai_sdk``, ``MOCK_URL`` set).
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from tools.compat.checks._protocol import API_KEY, MODEL, UNKNOWN_MODEL, URL, WEATHER_SCHEMA, expect, run

openai: Any = importlib.import_module("openai")
client: Any = openai.OpenAI(base_url=URL + "/v1", api_key=API_KEY, max_retries=0, timeout=60.0)
MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hello from openai"}]
TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "description": "The weather in a city", "parameters": WEATHER_SCHEMA},
}
_created: dict[str, Any] = {}


def check_create() -> None:
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=MESSAGES)
    request_id = raw.headers.get("request-id")
    completion = raw.parse()
    expect(completion.object == "chat.completion", f"object {completion.object!r}")
    expect(str(completion.id).startswith("chatcmpl-"), f"id {completion.id!r}")
    expect(len(completion.choices) == 1, f"choices {completion.choices!r}")
    choice = completion.choices[0]
    expect(choice.message.role == "assistant" and choice.message.content, f"message {choice.message!r}")
    expect(choice.finish_reason == "stop", f"finish_reason {choice.finish_reason!r}")
    usage = completion.usage
    expect(usage.prompt_tokens > 0 and usage.completion_tokens > 0, f"usage {usage!r}")
    expect(usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, f"total_tokens {usage!r}")
    expect(request_id and request_id.startswith("req_"), f"request-id header {request_id!r}")
    _created.update(text=choice.message.content, usage=usage)


def check_stream() -> None:
    stream = client.chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    text, finish, usage, roles = "", None, None, []
    for chunk in stream:
        expect(chunk.object == "chat.completion.chunk", f"chunk object {chunk.object!r}")
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.role:
                roles.append(choice.delta.role)
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    expect(text, "nothing streamed")
    expect(roles == ["assistant"], f"delta roles {roles!r}")
    expect(finish == "stop", f"finish_reason {finish!r}")
    expect(usage is not None and usage.completion_tokens > 0, f"usage chunk {usage!r}")
    if _created:
        expect(text == _created["text"], f"streamed {text!r} != created {_created['text']!r}")
        created = _created["usage"].completion_tokens
        expect(getattr(usage, "completion_tokens", None) == created, f"usage {usage!r} != created {created}")


def check_tool_round_trip() -> None:
    ask = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = client.chat.completions.create(
        model=MODEL,
        messages=ask,
        tools=[TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
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
        "tool_calls": [call.model_dump() for call in calls],
    }
    tool = {"role": "tool", "tool_call_id": calls[0].id, "content": "18 °C and sunny"}
    second = client.chat.completions.create(model=MODEL, messages=[*ask, assistant, tool], tools=[TOOL])
    expect(
        second.choices[0].finish_reason == "stop", f"second finish_reason {second.choices[0].finish_reason!r}"
    )
    expect(second.choices[0].message.content, "second reply has no text")


def check_not_found() -> None:
    try:
        client.chat.completions.create(model=UNKNOWN_MODEL, messages=MESSAGES)
    except openai.NotFoundError as error:
        expect(error.status_code == 404, f"status {error.status_code}")
        body = error.body if isinstance(error.body, dict) else {}
        expect(body.get("type") == "not_found_error", f"error body {error.body!r}")
        expect(UNKNOWN_MODEL in str(body.get("message")), f"error message {body.get('message')!r}")
    else:
        raise AssertionError("no NotFoundError for an unknown model")


def check_models() -> None:
    ids = [model.id for model in client.models.list()]
    expect(len(ids) >= 5 and MODEL in ids, f"ids {ids!r}")
    info = client.models.retrieve(MODEL)
    expect(info.id == MODEL, f"retrieve {info!r}")


if __name__ == "__main__":
    raise SystemExit(
        run(
            [
                ("create", check_create),
                ("stream", check_stream),
                ("tool_round_trip", check_tool_round_trip),
                ("not_found", check_not_found),
                ("models", check_models),
            ]
        )
    )
