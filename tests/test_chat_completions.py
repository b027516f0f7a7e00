"""``POST /v1/chat/completions`` (api-spec §12) driven by the official ``openai`` SDK: the OpenAI request is answered
by the Messages pipeline (stubs, usage, catalog, journal), laid out in OpenAI's wire format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import openai
import pytest

from mockclaude import ManualClock, MockClaude
from mockclaude.model.faults import Latency
from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp
from tests.test_usage import png

MODEL = "claude-sonnet-4-6"
HELLO = [{"role": "user", "content": "Hello there"}]
WEATHER_PARAMS = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "description": "The city, e.g. Paris"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
    },
    "required": ["city"],
}
WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "description": "Current weather", "parameters": WEATHER_PARAMS},
}
AUTH = {"authorization": "Bearer sk-x", "content-type": "application/json"}


def chat(mock: MockClaude, **kwargs: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.url + "/v1", api_key="sk-x", max_retries=0, **kwargs)


def create(mock: MockClaude, **params: Any) -> Any:
    return chat(mock).chat.completions.create(**{"model": MODEL, "messages": HELLO, **params})


def raw(url: str, body: Any, **headers: str) -> rawhttp.Response:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return rawhttp.post(
        url + "/v1/chat/completions", body=payload, headers={**AUTH, **headers}, default_headers=False
    )


def sse_data(content: bytes) -> list[str]:
    """The ``data:`` payloads of a stream, in order (and nothing else is on the wire)."""
    frames = content.decode().split("\n\n")
    assert frames[-1] == ""
    assert all(f.startswith("data: ") and "\n" not in f for f in frames[:-1]), frames[:3]
    return [f[len("data: ") :] for f in frames[:-1]]


@pytest.fixture
def mock(mockclaude: MockClaude) -> Iterator[MockClaude]:
    yield mockclaude


# -- replies ---------------------------------------------------------------------------------------------------


def test_plain_text_completion(mock: MockClaude) -> None:
    completion = create(mock)
    entry = mock.journal[-1]
    assert completion.object == "chat.completion"
    assert completion.model == MODEL
    assert completion.created == int(mock.clock.now())  # the injected (manual) clock
    # The id keeps the suffix of the Messages reply's id.
    assert completion.id == "chatcmpl-" + entry.reply["id"].removeprefix("msg_")
    [choice] = completion.choices
    assert choice.index == 0 and choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content == entry.text and choice.message.content
    assert choice.message.tool_calls is None
    usage = entry.usage
    assert completion.usage.prompt_tokens == usage["input_tokens"] > 0
    assert completion.usage.completion_tokens == usage["output_tokens"] > 0
    assert completion.usage.total_tokens == usage["input_tokens"] + usage["output_tokens"]
    # The journal holds the translated Messages request, validated under 2023-06-01.
    assert entry.body == {"model": MODEL, "max_tokens": 4096, "messages": HELLO}
    assert entry.request.api_version == "2023-06-01"


def test_system_and_developer_messages_are_hoisted(mock: MockClaude) -> None:
    mock.expect(system="Be terse.\nAnswer in French.").once().respond(text="Bonjour")
    messages = [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "Hello"},
        {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
    ]
    completion = create(mock, messages=messages)
    assert completion.choices[0].message.content == "Bonjour"
    body = mock.journal[-1].body
    assert body["system"] == "Be terse.\nAnswer in French."
    assert body["messages"] == [{"role": "user", "content": "Hello"}]


def test_scripted_reply_comes_through(mock: MockClaude) -> None:
    mock.expect(last_user_text={"contains": "weather"}).once().respond(text="Sunny, 21 °C")
    completion = create(mock, messages=[{"role": "user", "content": "What is the weather?"}])
    assert completion.choices[0].message.content == "Sunny, 21 °C"
    assert mock.journal[-1].stub_id is not None


def test_stop_sequence_finishes_with_stop(mock: MockClaude) -> None:
    full = create(mock).choices[0].message.content
    word = full.split()[5]
    cut = create(mock, stop=[word, "  ", "\n\t"])
    assert cut.choices[0].finish_reason == "stop"
    assert cut.choices[0].message.content == full[: full.index(word)]
    assert mock.journal[-1].body["stop_sequences"] == [word]  # whitespace-only sequences are dropped
    assert mock.journal[-1].reply["stop_reason"] == "stop_sequence"
    create(mock, stop=word)  # a single string
    assert mock.journal[-1].body["stop_sequences"] == [word]


@pytest.mark.parametrize("name", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_cut_finishes_with_length(mock: MockClaude, name: str) -> None:
    completion = create(mock, **{name: 7})
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.completion_tokens == 7
    assert mock.journal[-1].body["max_tokens"] == 7


def test_max_completion_tokens_wins_over_max_tokens(mock: MockClaude) -> None:
    create(mock, max_tokens=50, max_completion_tokens=9)
    assert mock.journal[-1].body["max_tokens"] == 9


@pytest.mark.parametrize(
    ("reply", "finish"),
    [
        ({"text": "Done."}, "stop"),
        ({"text": "Done", "stop_reason": "stop_sequence", "stop_sequence": "END"}, "stop"),
        ({"text": "Half", "stop_reason": "max_tokens"}, "length"),
        ({"text": "I can't help with that.", "stop_reason": "refusal"}, "content_filter"),
        ({"text": "Searching", "stop_reason": "pause_turn"}, "stop"),
    ],
)
def test_finish_reasons(mock: MockClaude, reply: dict[str, Any], finish: str) -> None:
    mock.expect().once().respond(**reply)
    assert create(mock).choices[0].finish_reason == finish


def test_tool_round_trip(mock: MockClaude) -> None:
    question = {"role": "user", "content": "What's the weather in Paris?"}
    first = create(mock, messages=[question], tools=[WEATHER], tool_choice="required")
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls
    assert call.type == "function" and call.function.name == "get_weather"
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, WEATHER_PARAMS)  # valid for the declared parameters
    sent = mock.journal[-1].body
    assert sent["tool_choice"] == {"type": "any"}
    assert sent["tools"] == [
        {"name": "get_weather", "description": "Current weather", "input_schema": WEATHER_PARAMS}
    ]

    assistant = choice.message.model_dump(exclude_none=True)
    result = {"role": "tool", "tool_call_id": call.id, "content": "Sunny, 21 °C"}
    second = create(mock, messages=[question, assistant, result], tools=[WEATHER])
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content
    assert second.choices[0].message.tool_calls is None
    turns = mock.journal[-1].body["messages"]
    assert turns[1] == {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": call.id, "name": "get_weather", "input": arguments}],
    }
    assert turns[2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "Sunny, 21 °C"}],
    }


def test_tool_choice_by_name_and_parallel_calls_off(mock: MockClaude) -> None:
    choice = {"type": "function", "function": {"name": "get_weather"}}
    completion = create(mock, tools=[WEATHER], tool_choice=choice, parallel_tool_calls=False)
    assert completion.choices[0].message.tool_calls[0].function.name == "get_weather"
    assert mock.journal[-1].body["tool_choice"] == {
        "type": "tool",
        "name": "get_weather",
        "disable_parallel_tool_use": True,
    }
    create(mock, tools=[WEATHER], parallel_tool_calls=False)
    assert mock.journal[-1].body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    create(mock, tools=[WEATHER], tool_choice="none")
    assert mock.journal[-1].body["tool_choice"] == {"type": "none"}


def test_tool_results_and_user_text_form_one_turn(mock: MockClaude) -> None:
    """Two tool results and the user text after them become one user turn, results first (Messages rule)."""
    calls = [
        {
            "id": f"toolu_{i}",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'},
        }
        for i in (1, 2)
    ]
    messages = [
        {"role": "user", "content": "Weather in Oslo twice?"},
        {"role": "assistant", "content": "", "tool_calls": calls},
        {"role": "tool", "tool_call_id": "toolu_1", "content": [{"type": "text", "text": "Snow"}]},
        {"role": "tool", "tool_call_id": "toolu_2", "content": "Snow"},
        {"role": "user", "content": "Thanks"},
    ]
    create(mock, messages=messages, tools=[WEATHER])
    last = mock.journal[-1].body["messages"][-1]
    assert last["role"] == "user"
    assert [b["type"] for b in last["content"]] == ["tool_result", "tool_result", "text"]
    assert last["content"][0]["content"] == [{"type": "text", "text": "Snow"}]
    assert mock.journal[-1].body["messages"][1]["content"][0]["input"] == {
        "city": "Oslo"
    }  # empty text dropped


def test_parameters_translated_and_ignored_fields_dropped(mock: MockClaude) -> None:
    create(
        mock,
        temperature=1.7,  # capped at 1
        seed=3,
        presence_penalty=0.5,
        frequency_penalty=0.5,
        logprobs=True,
        user="u-1",
        metadata={"k": "v"},
        response_format={"type": "text"},
        reasoning_effort="low",
        store=True,
        extra_body={"frobnicate": 1},  # unknown: ignored
    )
    body = mock.journal[-1].body
    assert body == {"model": MODEL, "max_tokens": 4096, "messages": HELLO, "temperature": 1}
    create(mock, top_p=0.5, n=1)
    assert mock.journal[-1].body["top_p"] == 0.5


def test_image_data_url_becomes_an_image_block(mock: MockClaude) -> None:
    data = png(200, 200)
    content = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}},
    ]
    with_image = create(mock, messages=[{"role": "user", "content": content}])
    blocks = mock.journal[-1].body["messages"][0]["content"]
    assert blocks[1] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": data},
    }
    without = create(mock, messages=[{"role": "user", "content": "What is this?"}])
    assert with_image.usage.prompt_tokens > without.usage.prompt_tokens + 40  # the image is counted


def test_thinking_passes_through_and_is_not_returned(mock: MockClaude) -> None:
    completion = create(
        mock, max_tokens=4096, extra_body={"thinking": {"type": "enabled", "budget_tokens": 2048}}
    )
    entry = mock.journal[-1]
    assert entry.body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert [b["type"] for b in entry.reply["content"]] == ["thinking", "text"]
    assert completion.choices[0].message.content == entry.text  # the thinking text is not in the answer


# -- streaming -------------------------------------------------------------------------------------------------


def test_stream_text_equals_the_non_streamed_text(mock: MockClaude) -> None:
    plain = create(mock)
    chunks = list(create(mock, stream=True))
    assert chunks[0].choices[0].delta.role == "assistant" and chunks[0].choices[0].delta.content == ""
    assert {c.object for c in chunks} == {"chat.completion.chunk"}
    assert len({c.id for c in chunks}) == 1 and chunks[0].id != plain.id  # a new reply to the same request
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == plain.choices[0].message.content
    assert len(chunks) > 4  # streamed in pieces
    assert [c.choices[0].finish_reason for c in chunks][-1] == "stop"
    assert all(c.usage is None for c in chunks)  # no usage unless asked for


def test_stream_wire_format_ends_with_done(mock: MockClaude) -> None:
    response = raw(mock.url, {"model": MODEL, "messages": HELLO, "stream": True})
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["request-id"].startswith("req_")
    data = sse_data(response.content)  # unnamed events: no "event:" lines
    assert data[-1] == "[DONE]"
    last = json.loads(data[-2])
    assert last["choices"] == [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    assert "usage" not in last


def test_stream_include_usage(mock: MockClaude) -> None:
    plain = create(mock)
    chunks = list(create(mock, stream=True, stream_options={"include_usage": True}))
    usage_chunk = chunks[-1]
    assert usage_chunk.choices == []
    assert usage_chunk.usage == plain.usage
    assert all(c.usage is None for c in chunks[:-1])
    assert chunks[-2].choices[0].finish_reason == "stop"


def test_stream_tool_calls_equal_the_non_streamed_ones(mock: MockClaude) -> None:
    params = {
        "tools": [WEATHER],
        "tool_choice": "required",
        "messages": [{"role": "user", "content": "Paris?"}],
    }
    plain = create(mock, **params).choices[0].message.tool_calls
    chunks = list(create(mock, stream=True, **params))
    pieces = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    head = pieces[0]
    assert head.index == 0 and head.type == "function" and head.id.startswith("toolu_")
    assert head.function.name == plain[0].function.name
    assert "".join(p.function.arguments or "" for p in pieces) == plain[0].function.arguments
    assert all(p.index == 0 for p in pieces) and all(p.id is None for p in pieces[1:])
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_stream_error_fault_ends_the_stream_with_an_error(mock: MockClaude) -> None:
    mock.expect().respond(
        text="Hello world, a longer reply.", fault={"kind": "stream_error", "after_events": 2}
    )
    with pytest.raises(openai.APIError, match="Overloaded"):
        list(create(mock, stream=True))
    with pytest.raises(openai.InternalServerError) as info:  # not streaming: an error response (529)
        create(mock)
    assert info.value.status_code == 529
    assert info.value.body == {
        "message": "Overloaded",
        "type": "overloaded_error",
        "param": None,
        "code": None,
    }


def test_latency_is_paced_on_the_injected_clock() -> None:
    settings = Settings(clock=ManualClock(), latency=Latency(ttft_ms=800), time_scale=1.0)
    with MockClaude(settings=settings) as mock:
        start = mock.clock.now()
        list(create(mock, stream=True))
        assert mock.clock.now() - start == pytest.approx(0.8)
        create(mock)
        assert mock.clock.now() - start == pytest.approx(1.6)


# -- errors ----------------------------------------------------------------------------------------------------


def test_n_other_than_one_is_a_400(mock: MockClaude) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        create(mock, n=2)
    assert info.value.status_code == 400
    assert info.value.body == {
        "message": "n: Only n=1 is supported",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    assert mock.journal[-1].status == 400  # journaled, though it never reached the pipeline


def test_wrong_key_is_a_401() -> None:
    with MockClaude(api_keys=["sk-good"]) as mock:
        with pytest.raises(openai.AuthenticationError) as info:
            openai.OpenAI(base_url=mock.url + "/v1", api_key="sk-bad", max_retries=0).chat.completions.create(
                model=MODEL,
                messages=HELLO,
                n=2,  # the key is checked before the body
            )
        assert info.value.body["type"] == "authentication_error"
        good = openai.OpenAI(base_url=mock.url + "/v1", api_key="sk-good", max_retries=0)
        assert good.chat.completions.create(model=MODEL, messages=HELLO).choices[0].message.content
        # x-api-key works as on the rest of the mock.
        assert (
            raw(
                mock.url, {"model": MODEL, "messages": HELLO}, authorization="", **{"x-api-key": "sk-good"}
            ).status
            == 200
        )


def test_unknown_model_is_a_404(mock: MockClaude) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        create(mock, model="claude-nope")
    assert info.value.body == {
        "message": "model: claude-nope",
        "type": "not_found_error",
        "param": None,
        "code": None,
    }


def test_scripted_errors_keep_their_status(mock: MockClaude) -> None:
    mock.expect().once().respond(error={"type": "rate_limit_error"})
    with pytest.raises(openai.RateLimitError) as info:
        create(mock)
    assert info.value.body["type"] == "rate_limit_error"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "The request body is not valid JSON"),
        (b"[1]", "Input should be a valid dictionary"),
        ({"model": MODEL}, "messages: Field required"),
        ({"model": MODEL, "messages": "hi"}, "messages: Input should be a valid list"),
        (
            {"model": MODEL, "messages": [{"role": "function", "content": "x"}]},
            "messages.0.role: Input should be",
        ),
        (
            {"model": MODEL, "messages": [{"role": "user", "content": [{"type": "video"}]}]},
            "messages.0.content.0.type",
        ),
        (
            {
                "model": MODEL,
                "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
            },
            "messages.0.content.0.image_url.url: expected",
        ),
        (
            {
                "model": MODEL,
                "messages": [
                    *HELLO,
                    {
                        "role": "assistant",
                        "tool_calls": [{"id": "t", "function": {"name": "f", "arguments": "{"}}],
                    },
                ],
            },
            "messages.1.tool_calls.0.function.arguments: not valid JSON",
        ),
        (
            {"model": MODEL, "messages": HELLO, "tools": [{"type": "web_search"}]},
            "tools.0: only tools of type",
        ),
        ({"model": MODEL, "messages": HELLO, "tool_choice": "sometimes"}, "tool_choice: Input should be"),
        ({"model": MODEL, "messages": HELLO, "stop": 5}, "stop: Input should be"),
        # A string is not coerced: the edge would answer JSON while the pipeline decided a stream (review).
        ({"model": MODEL, "messages": HELLO, "stream": "true"}, "stream: Input should be a valid boolean"),
        (
            {"model": MODEL, "messages": [*HELLO, {"role": "assistant", "tool_calls": {}}]},
            "messages.1.tool_calls: Input should be a valid list",
        ),
        ({"messages": HELLO}, "model: Field required"),  # the Messages validator's own words
        (
            {"model": MODEL, "messages": HELLO, "max_tokens": "many"},
            "max_tokens: Input should be a valid integer",
        ),
        ({"model": MODEL, "messages": HELLO, "temperature": -1}, "temperature: Input should be greater than"),
        (  # hoisted, the system prompt leaves no turn at all
            {"model": MODEL, "messages": [{"role": "system", "content": "only a system prompt"}]},
            "messages: at least one message is required",
        ),
    ],
)
def test_bad_input_is_a_400_in_the_openai_shape(mock: MockClaude, body: Any, message: str) -> None:
    response = raw(mock.url, body)
    assert response.status == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"].startswith(message), error
    assert error["param"] is None and error["code"] is None
    assert list(response.json()) == ["error"]
    assert response.headers["x-should-retry"] == "false"
    assert mock.journal[-1].status == 400


# -- where and how it is served --------------------------------------------------------------------------------


def test_under_a_path_prefix(server: ServerThread) -> None:
    client = openai.OpenAI(base_url=server.url + "/anthropic/v1", api_key="sk-x", max_retries=0)
    completion = client.chat.completions.create(model=MODEL, messages=HELLO)
    assert completion.choices[0].message.content
    assert (
        "".join(
            c.choices[0].delta.content or ""
            for c in client.chat.completions.create(model=MODEL, messages=HELLO, stream=True)
        )
        == completion.choices[0].message.content
    )


def test_same_seed_same_bytes_on_fresh_servers() -> None:
    outputs = []
    for _ in range(2):
        with ServerThread(create_app(Settings(seed=7, clock=ManualClock()))) as srv:
            params = {"model": MODEL, "messages": HELLO, "tools": [WEATHER]}
            plain = raw(srv.url, params)
            streamed = raw(srv.url, {**params, "stream": True, "stream_options": {"include_usage": True}})
            outputs.append((plain.content, streamed.content, plain.headers["request-id"]))
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0][0])["id"].startswith("chatcmpl-011C")
    with ServerThread(create_app(Settings(seed=8, clock=ManualClock()))) as srv:
        assert raw(srv.url, {"model": MODEL, "messages": HELLO, "tools": [WEATHER]}).content != outputs[0][0]


async def test_async_client(mock: MockClaude) -> None:
    client = openai.AsyncOpenAI(base_url=mock.url + "/v1", api_key="sk-x", max_retries=0)
    completion = await client.chat.completions.create(model=MODEL, messages=HELLO)
    stream = await client.chat.completions.create(model=MODEL, messages=HELLO, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream])
    assert text == completion.choices[0].message.content
    await client.close()
