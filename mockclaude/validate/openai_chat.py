"""OpenAI Chat Completions request -> Messages request (api-spec §12, Anthropic's OpenAI SDK compatibility layer).

``POST /v1/chat/completions`` is answered by the same pipeline as ``/v1/messages``: this module only rewrites the
OpenAI body into the Messages body the pipeline validates, so stubs, usage, tokenization and the model catalog
apply unchanged, and the Messages validator reports what the translation passes through (a missing ``model``, a
bad ``max_tokens``, an unknown tool name in ``tool_choice``...). Only what has no Messages equivalent is checked
here (``n``, roles, content part types, tool-call arguments), with the same ``<path>: <message>`` texts.

The rules (api-spec §12): ``system`` / ``developer`` messages are hoisted and joined with ``"\\n"``; ``tool``
messages become ``tool_result`` blocks in a user turn; assistant ``tool_calls`` become ``tool_use`` blocks;
``stop`` becomes ``stop_sequences`` without whitespace-only entries; ``temperature`` is capped at 1; ``n`` must
be 1; the documented ignored fields, and any unknown field, are dropped; ``thinking`` passes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.jsonbody import loads
from mockclaude.validate.request import parse_json

__all__ = ["COMPAT_API_VERSION", "DEFAULT_MAX_TOKENS", "ChatRequest", "translate_request"]

JSON = dict[str, Any]

# ⚠ unconfirmed: the max_tokens Anthropic's layer uses when the client sends neither max_tokens nor
# max_completion_tokens (OpenAI clients usually send neither). 4096 fits every model's output limit.
DEFAULT_MAX_TOKENS = 4096
# ⚠ unconfirmed: the API version the layer validates under. OpenAI clients send no anthropic-version; 2023-06-01
# is the one that accepts `temperature` / `top_p`, which the layer documents as supported.
COMPAT_API_VERSION = "2023-06-01"


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """A translated request: the Messages body for the pipeline, and what the response needs from the original."""

    body: bytes  # the Messages request (JSON)
    stream: bool
    include_usage: bool  # stream_options.include_usage: a last chunk with usage


def translate_request(raw: bytes) -> ChatRequest:
    """The Messages request for an OpenAI Chat Completions body, or an ``InvalidRequestError`` (400)."""
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise InvalidRequestError("Input should be a valid dictionary")
    n = data.get("n")
    if n is not None and (isinstance(n, bool) or n != 1):
        # ⚠ unconfirmed: the text. The layer documents that n must be exactly 1.
        raise InvalidRequestError("n: Only n=1 is supported")
    out: JSON = {}
    if "model" in data:
        out["model"] = data["model"]
    out["max_tokens"] = _max_tokens(data)
    messages = data.get("messages")
    if not isinstance(messages, list):
        raise InvalidRequestError(
            "messages: Field required" if messages is None else "messages: Input should be a valid list"
        )
    system, turns = _conversation(messages)
    out["messages"] = turns
    if system is not None:
        out["system"] = system
    stop = _stop_sequences(data.get("stop"))
    if stop:
        out["stop_sequences"] = stop
    temperature = data.get("temperature")
    if temperature is not None:
        is_number = isinstance(temperature, int | float) and not isinstance(temperature, bool)
        out["temperature"] = min(temperature, 1) if is_number else temperature  # §12: values > 1 capped at 1
    if data.get("top_p") is not None:
        out["top_p"] = data["top_p"]
    tools = data.get("tools")
    if tools is not None:
        out["tools"] = _tools(tools)
    choice = _tool_choice(data.get("tool_choice"))
    if data.get("parallel_tool_calls") is False and tools and (choice is None or choice["type"] != "none"):
        choice = {**(choice or {"type": "auto"}), "disable_parallel_tool_use": True}
    if choice is not None:
        out["tool_choice"] = choice
    if data.get("thinking") is not None:
        out["thinking"] = data["thinking"]  # §12: extended thinking via an extra parameter (not returned)
    stream = data.get("stream")
    if stream is not None:
        # Checked here, strictly: the Messages validator would coerce "true" to True while this edge streams only
        # for True, and the reply and the journal would disagree. ⚠ unconfirmed: the text (OpenAI's wording).
        if not isinstance(stream, bool):
            raise InvalidRequestError("stream: Input should be a valid boolean")
        out["stream"] = stream
    options = data.get("stream_options")
    include_usage = stream is True and isinstance(options, dict) and options.get("include_usage") is True
    return ChatRequest(
        body=orjson.dumps(out),
        stream=stream is True,
        include_usage=include_usage,
    )


def _max_tokens(data: JSON) -> Any:
    """``max_completion_tokens`` (OpenAI's current name) wins over the deprecated ``max_tokens``."""
    for name in ("max_completion_tokens", "max_tokens"):
        if data.get(name) is not None:
            return data[name]
    return DEFAULT_MAX_TOKENS


def _stop_sequences(stop: Any) -> list[Any]:
    if stop is None:
        return []
    if isinstance(stop, str):
        stop = [stop]
    if not isinstance(stop, list):
        raise InvalidRequestError("stop: Input should be a valid string or list")
    # §12: only non-whitespace sequences are supported; whitespace-only ones are dropped, not rejected.
    return [s for s in stop if not (isinstance(s, str) and not s.strip())]


def _tools(tools: Any) -> list[Any]:
    if not isinstance(tools, list):
        raise InvalidRequestError("tools: Input should be a valid list")
    out: list[Any] = []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or tool.get("type", "function") != "function":
            # ⚠ unconfirmed: the text; the layer documents function tools only.
            raise InvalidRequestError(f"tools.{i}: only tools of type 'function' are supported")
        function = tool.get("function")
        if not isinstance(function, dict):
            raise InvalidRequestError(f"tools.{i}.function: Input should be a valid dictionary")
        converted: JSON = {"name": function.get("name")}
        if function.get("description") is not None:
            converted["description"] = function["description"]
        parameters = function.get("parameters")
        # `strict` is ignored (§12). A function without parameters takes no arguments.
        converted["input_schema"] = (
            parameters if parameters is not None else {"type": "object", "properties": {}}
        )
        out.append(converted)
    return out


def _tool_choice(choice: Any) -> JSON | None:
    if choice is None:
        return None
    named = {"auto": "auto", "none": "none", "required": "any"}
    if isinstance(choice, str) and choice in named:
        return {"type": named[choice]}
    if isinstance(choice, dict) and choice.get("type") == "function":
        function = choice.get("function")
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            return {"type": "tool", "name": function["name"]}
    # ⚠ unconfirmed: the text (OpenAI's allowed_tools / custom choices have no Messages equivalent).
    raise InvalidRequestError(
        "tool_choice: Input should be 'auto', 'none', 'required' or {'type': 'function', 'function': {'name': ...}}"
    )


def _conversation(messages: list[Any]) -> tuple[str | None, list[JSON]]:
    """The hoisted system prompt and the Messages turns (consecutive same-role turns merged)."""
    system: list[str] = []
    turns: list[JSON] = []
    for i, message in enumerate(messages):
        where = f"messages.{i}"
        if not isinstance(message, dict):
            raise InvalidRequestError(f"{where}: Input should be a valid dictionary")
        role = message.get("role")
        if role in ("system", "developer"):
            system.append(_plain_text(message.get("content"), f"{where}.content"))
        elif role == "user":
            _append(turns, "user", _user_content(message.get("content"), f"{where}.content"))
        elif role == "assistant":
            _append(turns, "assistant", _assistant_content(message, where))
        elif role == "tool":
            _append(turns, "user", [_tool_result(message, where)])
        else:
            raise InvalidRequestError(
                f"{where}.role: Input should be 'system', 'developer', 'user', 'assistant' or 'tool'"
            )
    return ("\n".join(system) if system else None), turns


def _append(turns: list[JSON], role: str, content: Any) -> None:
    """Add a turn, merging it into the previous one of the same role: tool results and the user text that follows
    them form one user turn (results first), as the Messages API requires."""
    if turns and turns[-1]["role"] == role:
        turns[-1]["content"] = _blocks(turns[-1]["content"]) + _blocks(content)
    else:
        turns.append({"role": role, "content": content})


def _blocks(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content) if isinstance(content, list) else [content]


def _plain_text(content: Any, where: str) -> str:
    """A system / developer message's text: a string, or its text parts joined with newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for j, part in enumerate(content):
            if (
                not isinstance(part, dict)
                or part.get("type") != "text"
                or not isinstance(part.get("text"), str)
            ):
                raise InvalidRequestError(f"{where}.{j}: only text parts are supported here")
            texts.append(part["text"])
        return "\n".join(texts)  # ⚠ unconfirmed: how the layer joins the parts of one message
    raise InvalidRequestError(f"{where}: Input should be a valid string or list")


def _user_content(content: Any, where: str) -> Any:
    if not isinstance(content, list):
        return content  # a string, or something the Messages validator rejects in its own words
    out: list[JSON] = []
    for j, part in enumerate(content):
        block = _user_part(part, f"{where}.{j}")
        if block is not None:
            out.append(block)
    return out


def _user_part(part: Any, where: str) -> JSON | None:
    if not isinstance(part, dict):
        raise InvalidRequestError(f"{where}: Input should be a valid dictionary")
    kind = part.get("type")
    if kind == "text":
        return {"type": "text", "text": part.get("text")}
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        if not isinstance(url, str):
            raise InvalidRequestError(f"{where}.image_url.url: Field required")
        if url.startswith(("http://", "https://")):
            return {"type": "image", "source": {"type": "url", "url": url}}
        media_type, data = _data_url(url, f"{where}.image_url.url")
        # ⚠ unconfirmed: data: URLs become base64 image blocks (the Messages validator checks the media type).
        return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}
    if kind == "input_audio":
        return None  # §12: audio input is dropped
    if kind == "file":
        file = part.get("file")
        file_data = file.get("file_data") if isinstance(file, dict) else None
        if not isinstance(file_data, str):
            raise InvalidRequestError(f"{where}.file.file_data: Field required (file ids are not supported)")
        media_type, data = _data_url(file_data, f"{where}.file.file_data")
        # ⚠ unconfirmed: inline files become base64 documents (PDF is the only base64 document type).
        return {"type": "document", "source": {"type": "base64", "media_type": media_type, "data": data}}
    raise InvalidRequestError(f"{where}.type: unsupported content part type {kind!r}")


def _data_url(url: str, where: str) -> tuple[str, str]:
    """``data:<media type>;base64,<data>`` -> (media type, data)."""
    head, comma, data = url.partition(",")
    if not (url.startswith("data:") and comma and head.endswith(";base64")):
        raise InvalidRequestError(
            f"{where}: expected an http(s) URL or a data:<media type>;base64,<data> URL"
        )
    return head[len("data:") : -len(";base64")], data


def _assistant_content(message: JSON, where: str) -> Any:
    content = message.get("content")
    calls = message.get("tool_calls")
    calls = [] if calls is None else calls
    if not isinstance(calls, list):
        raise InvalidRequestError(f"{where}.tool_calls: Input should be a valid list")
    if not calls and not isinstance(content, list) and content is not None:
        return content  # plain text (or what the Messages validator rejects)
    blocks: list[JSON] = []
    if isinstance(content, str):
        # An empty text beside tool calls is what OpenAI clients send: dropped, not sent as an empty block.
        if content:
            blocks.append({"type": "text", "text": content})
    elif isinstance(content, list):
        for j, part in enumerate(content):
            if not isinstance(part, dict) or part.get("type") not in ("text", "refusal"):
                raise InvalidRequestError(f"{where}.content.{j}: only text parts are supported here")
            text = part.get("text") if part["type"] == "text" else part.get("refusal")
            blocks.append({"type": "text", "text": text})
    for j, call in enumerate(calls):
        blocks.append(_tool_use(call, f"{where}.tool_calls.{j}"))
    return blocks


def _tool_use(call: Any, where: str) -> JSON:
    if not isinstance(call, dict) or not isinstance(call.get("function"), dict):
        raise InvalidRequestError(f"{where}.function: Field required")
    function = call["function"]
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        try:
            arguments = loads(arguments) if arguments.strip() else {}
        except orjson.JSONDecodeError:
            # ⚠ unconfirmed: the text; the layer must parse the arguments to build the tool_use input.
            raise InvalidRequestError(f"{where}.function.arguments: not valid JSON") from None
    return {"type": "tool_use", "id": call.get("id"), "name": function.get("name"), "input": arguments}


def _tool_result(message: JSON, where: str) -> JSON:
    result: JSON = {"type": "tool_result", "tool_use_id": message.get("tool_call_id")}
    content = message.get("content")
    if isinstance(content, list):
        _plain_text(content, f"{where}.content")  # text parts only
        content = [{"type": "text", "text": part["text"]} for part in content]
    if content is not None:
        result["content"] = content
    return result
