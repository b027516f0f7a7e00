"""A decided ``Reply`` as the Message JSON object (api-spec §3.1)."""

from __future__ import annotations

import orjson

from mockclaude.model.reply import JSON, Reply


def message_json(reply: Reply) -> JSON:
    """The Message object, with the key order observed on the wire (a recorded reply's: as recorded)."""
    if reply.wire is not None:
        recorded: JSON = orjson.loads(reply.wire.body)
        return recorded
    return {
        "model": reply.model,
        "id": reply.id,
        "type": "message",
        "role": "assistant",
        "content": [block.final for block in reply.blocks],
        "container": reply.container,
        "stop_reason": reply.stop_reason,
        "stop_sequence": reply.stop_sequence,
        "stop_details": reply.stop_details,
        "usage": reply.usage.to_json(),
    }


def message_bytes(reply: Reply) -> bytes:
    """The compact JSON body of a non-streaming reply (a recorded reply's: the recorded bytes)."""
    if reply.wire is not None:
        return reply.wire.body
    return orjson.dumps(message_json(reply))
