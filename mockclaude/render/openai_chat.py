"""A decided ``Reply`` as an OpenAI ``chat.completion`` object or ``chat.completion.chunk`` stream (api-spec §12).

Like ``render.message`` and ``render.sse`` this decides nothing: the text is the reply's text blocks, the tool
calls its ``tool_use`` blocks, and a stream replays the reply's planned deltas, so the streamed text and tool-call
arguments equal the non-streamed ones by construction. Thinking and server-tool blocks are not returned (§12).
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from mockclaude.model.reply import JSON, Reply, ReplyBlock
from mockclaude.render.sse import events, frames

__all__ = [
    "DONE",
    "completion_bytes",
    "completion_id",
    "completion_json",
    "error_chunk",
    "finish_reason",
    "stream_chunks",
    "tool_arguments",
]

DONE = b"data: [DONE]\n\n"

# stop_reason -> finish_reason (§12: stop, length and tool_calls are documented).
FINISH_REASONS: dict[str, str] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",  # ⚠ unconfirmed: not documented (CometAPI lists content_filter)
    "pause_turn": "stop",  # ⚠ unconfirmed: not documented; the turn did end, the client sees no tool call
}


def completion_id(reply: Reply) -> str:
    """``chatcmpl-`` + the suffix of the reply's ``msg_`` id: seeded and deterministic like it."""
    _, _, suffix = reply.id.partition("_")
    return "chatcmpl-" + (suffix or reply.id)


def finish_reason(reply: Reply) -> str:
    """The OpenAI ``finish_reason`` of the reply's ``stop_reason`` (unknown ones: ``stop``)."""
    return FINISH_REASONS.get(reply.stop_reason, "stop")


def tool_arguments(block: ReplyBlock) -> str:
    """A ``tool_use`` block's input as the JSON string a tool call carries: its streamed pieces joined, so the
    streamed and non-streamed arguments are the same bytes (a block without pieces: its input, compact)."""
    pieces = [d["partial_json"] for d in block.deltas if d.get("type") == "input_json_delta"]
    return "".join(pieces) if pieces else orjson.dumps(block.final.get("input", {})).decode()


def _usage(reply: Reply) -> JSON:
    usage = reply.usage
    # ⚠ unconfirmed: prompt_tokens counts cache reads and writes too (the whole prompt, as OpenAI counts it).
    prompt = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens
    return {
        "prompt_tokens": prompt,
        "completion_tokens": usage.output_tokens,
        "total_tokens": prompt + usage.output_tokens,
    }


def _tool_call(block: ReplyBlock, arguments: str) -> JSON:
    return {
        "id": block.final["id"],
        "type": "function",
        "function": {"name": block.final["name"], "arguments": arguments},
    }


def completion_json(reply: Reply, *, created: int) -> JSON:
    """The ``chat.completion`` object: one choice; ``content`` is the text blocks joined (None without any).

    ``model`` is the reply's, as in the Message the layer wraps: an alias answers with its dated snapshot (OpenAI's
    own API answers aliases with the snapshot too). ⚠ unconfirmed for Anthropic's layer and CometAPI.
    """
    texts = [b.final.get("text", "") for b in reply.blocks if b.final.get("type") == "text"]
    calls = [_tool_call(b, tool_arguments(b)) for b in reply.blocks if b.final.get("type") == "tool_use"]
    return {
        "id": completion_id(reply),
        "object": "chat.completion",
        "created": created,
        "model": reply.model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "".join(texts) if texts else None,
                    "tool_calls": calls or None,
                },
                "finish_reason": finish_reason(reply),
            }
        ],
        "usage": _usage(reply),
    }


def completion_bytes(reply: Reply, *, created: int) -> bytes:
    """The compact JSON body of a non-streaming answer."""
    return orjson.dumps(completion_json(reply, created=created))


def _data(payload: JSON) -> bytes:
    return b"data: " + orjson.dumps(payload) + b"\n\n"


def error_chunk(error_type: str, message: str) -> bytes:
    """The chunk a stream ends with when it fails after its 200 (the OpenAI SDK raises ``APIError`` on it)."""
    return _data({"error": {"message": message, "type": error_type, "param": None, "code": None}})


def stream_chunks(reply: Reply, *, created: int, include_usage: bool) -> list[list[bytes]]:
    """The stream as ``data:`` lines, grouped by the Anthropic SSE frame each comes from.

    The result is aligned with ``render.sse.frames(reply)`` (an empty group where a frame has no OpenAI
    counterpart: pings, block stops, thinking deltas), so the server can pace it with the same waits as an
    Anthropic stream of the same reply. Joined, the groups are the whole stream, ``data: [DONE]`` included.
    """
    chunker = _Chunker(
        {
            "id": completion_id(reply),
            "object": "chat.completion.chunk",
            "created": created,
            "model": reply.model,
        },
        include_usage,
    )
    return list(_groups(reply, frames(reply), chunker))


class _Chunker:
    """Builds the ``chat.completion.chunk`` lines of one stream."""

    def __init__(self, head: JSON, include_usage: bool) -> None:
        self.head = head
        self.include_usage = include_usage

    def __call__(self, delta: JSON, finish: str | None = None) -> bytes:
        payload: JSON = {**self.head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if self.include_usage:
            payload["usage"] = None  # OpenAI's form: null on every chunk but the last
        return _data(payload)

    def usage(self, reply: Reply) -> bytes:
        """The last chunk of a stream asked for with ``stream_options.include_usage``: no choices, the usage."""
        return _data({**self.head, "choices": [], "usage": _usage(reply)})


def _groups(reply: Reply, sse_frames: list[bytes], chunk: _Chunker) -> Iterator[list[bytes]]:
    tool_index: dict[int, int] = {}  # Anthropic block index -> OpenAI tool call index
    streamed_text: set[int] = set()  # text blocks that had text deltas
    pending = events(reply)
    for sse_frame in sse_frames:
        if sse_frame.startswith(b"event: ping\n"):
            yield []
            continue
        event = next(pending)
        kind = event["type"]
        if kind == "message_start":
            yield [chunk({"role": "assistant", "content": ""})]
        elif kind == "content_block_start":
            index = event["index"]
            block = reply.blocks[index]
            if block.final.get("type") != "tool_use":
                yield []
                continue
            tool_index[index] = len(tool_index)
            streamed = any(d.get("type") == "input_json_delta" for d in block.deltas)
            call = {
                "index": tool_index[index],
                **_tool_call(block, "" if streamed else tool_arguments(block)),
            }
            yield [chunk({"tool_calls": [call]})]
        elif kind == "content_block_delta":
            index, delta = event["index"], event["delta"]
            if delta.get("type") == "text_delta" and reply.blocks[index].final.get("type") == "text":
                streamed_text.add(index)
                yield [chunk({"content": delta["text"]})]
            elif delta.get("type") == "input_json_delta" and index in tool_index:
                piece = {"index": tool_index[index], "function": {"arguments": delta["partial_json"]}}
                yield [chunk({"tool_calls": [piece]})]
            else:
                yield []
        elif kind == "content_block_stop":
            final = reply.blocks[event["index"]].final
            text = final.get("text") if final.get("type") == "text" else None
            # A text block sent whole (no deltas) still reaches the client, so both forms carry the same text.
            yield [chunk({"content": text})] if text and event["index"] not in streamed_text else []
        elif kind == "message_delta":
            out = [chunk({}, finish_reason(reply))]
            if chunk.include_usage:
                out.append(chunk.usage(reply))
            yield out
        else:  # message_stop
            yield [DONE]
