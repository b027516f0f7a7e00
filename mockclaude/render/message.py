"""A decided ``Reply`` as the Message JSON object (api-spec §3.1)."""

from __future__ import annotations

import orjson

from mockclaude.model.reply import JSON, Reply


def message_json(reply: Reply) -> JSON:
    """The Message object, with the key order observed on the wire."""
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
    """The compact JSON body of a non-streaming reply."""
    return orjson.dumps(message_json(reply))
