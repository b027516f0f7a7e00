"""A decided ``Reply`` as the Server-Sent Events of a stream (api-spec §4).

Every event is named (``event:`` line equal to the JSON ``type``; SDKs drop unnamed events), carries one compact
``data:`` line, and ends with a blank line. The order is fixed: message_start, then per block
content_block_start / deltas / content_block_stop (one ping right after the first start), then message_delta with
the cumulative usage, then message_stop.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from mockclaude.model.reply import JSON, Reply, ReplyBlock

_PING = b'event: ping\ndata: {"type": "ping"}\n\n'


def frame(event: JSON) -> bytes:
    """One SSE frame for ``event`` (its ``type`` names the event)."""
    name: str = event["type"]
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(event) + b"\n\n"


def error_frame(error: JSON) -> bytes:
    """The ``event: error`` frame sent when a stream fails after its 200 (§4.5)."""
    return frame(error)


def events(reply: Reply) -> Iterator[JSON]:
    """The stream's events as JSON objects, in wire order (pings excluded; see ``frames``)."""
    start_usage = reply.usage.to_json()
    start_usage["output_tokens"] = reply.start_output_tokens
    start_usage.pop("server_tool_use", None)
    start_usage.pop("output_tokens_details", None)
    yield {
        "type": "message_start",
        "message": {
            "model": reply.model,
            "id": reply.id,
            "type": "message",
            "role": "assistant",
            "content": [],
            "container": None,
            "stop_reason": None,
            "stop_sequence": None,
            "stop_details": None,
            "usage": start_usage,
        },
    }
    for index, block in enumerate(reply.blocks):
        yield {"type": "content_block_start", "index": index, "content_block": block.start}
        for block_delta in block.deltas:
            yield {"type": "content_block_delta", "index": index, "delta": block_delta}
        yield {"type": "content_block_stop", "index": index}
    yield from _tail(reply)


def _tail(reply: Reply) -> Iterator[JSON]:
    """``message_delta`` (stop fields, cumulative usage) and ``message_stop``."""
    delta: JSON = {"stop_reason": reply.stop_reason, "stop_sequence": reply.stop_sequence}
    if reply.stop_details is not None:
        delta["stop_details"] = reply.stop_details
    if reply.container is not None:
        delta["container"] = reply.container
    yield {"type": "message_delta", "delta": delta, "usage": reply.usage.delta_json()}
    yield {"type": "message_stop"}


def _body_frames(block: ReplyBlock, index: int) -> list[bytes]:
    """The frames of ``block``'s deltas and its ``content_block_stop`` (cached on the block; see ReplyBlock)."""
    cached = block.rendered
    if cached is not None and cached[0] == index:
        return cached[1]
    body = [frame({"type": "content_block_delta", "index": index, "delta": delta}) for delta in block.deltas]
    body.append(frame({"type": "content_block_stop", "index": index}))
    block.rendered = (index, body)
    return body


def frames(reply: Reply) -> list[bytes]:
    """Every SSE frame of the stream as bytes, one per event, ping included, ready for the server to write.

    The same bytes as framing each of :func:`events` (a test checks it), built faster: the frames of a block's
    deltas are serialised once per shared block rather than once per reply. A recorded stream's frames are the
    recorded ones (engine/recorded.py), pings and all.
    """
    if reply.wire is not None and reply.wire.frames:
        return list(reply.wire.frames)
    head = events(reply)
    out: list[bytes] = [frame(next(head))]  # message_start
    pinged = not reply.ping_after_first_start
    for index, block in enumerate(reply.blocks):
        out.append(frame({"type": "content_block_start", "index": index, "content_block": block.start}))
        if not pinged:
            out.append(_PING)
            pinged = True
        out.extend(_body_frames(block, index))
    if not pinged:  # a reply with no content blocks still pings once, before message_delta
        out.append(_PING)
    out.extend(frame(event) for event in _tail(reply))
    return out
