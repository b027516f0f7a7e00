"""The SSE renderer: ``frames`` (cached per shared block) gives exactly the bytes of framing each event."""

from __future__ import annotations

import json
from typing import Any

from multidict import CIMultiDict

from mockclaude.model.reply import Reply, ReplyBlock, Usage
from mockclaude.pipeline import Pipeline, Settings
from mockclaude.render.sse import _PING, events, frame, frames


def _reference(reply: Reply) -> list[bytes]:
    """The plain algorithm: frame every event, one ping after the first content_block_start."""
    out = [frame(e) for e in events(reply)]
    starts = [i for i, f in enumerate(out) if f.startswith(b"event: content_block_start")]
    out.insert(starts[0] + 1 if starts else 1, _PING)
    return out


def _replies() -> list[Reply]:
    pipeline = Pipeline(Settings(seed=3))
    headers = CIMultiDict({"x-api-key": "k", "anthropic-version": "2023-06-01"})
    tool = {
        "name": "get_weather",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
    bodies: list[dict[str, Any]] = [
        {"messages": [{"role": "user", "content": "Hi"}]},
        {
            "thinking": {"type": "enabled", "budget_tokens": 1024},
            "messages": [{"role": "user", "content": "Hm"}],
        },
        {
            "tools": [tool],
            "tool_choice": {"type": "any"},
            "messages": [{"role": "user", "content": "Paris?"}],
        },
        {"max_tokens": 0, "messages": [{"role": "user", "content": "warm"}]},
    ]
    out = []
    for body in bodies:
        full = {"model": "claude-sonnet-4-6", "max_tokens": 2048, **body}
        out.append(pipeline.messages(json.dumps(full).encode(), headers).reply)
    return out


def test_frames_equal_framed_events_and_stay_equal_when_cached() -> None:
    for reply in _replies():
        first = frames(reply)
        assert first == _reference(reply)
        assert frames(reply) == first  # served again from the blocks' cache


def test_a_block_rendered_at_another_index_is_not_served_from_the_cache() -> None:
    block = ReplyBlock(final={"type": "text", "text": "ab"}, start={"type": "text", "text": ""},
                       deltas=[{"type": "text_delta", "text": "a"}, {"type": "text_delta", "text": "b"}])  # fmt: skip
    one = Reply(id="msg_1", model="m", blocks=[block], stop_reason="end_turn", usage=Usage())
    two = Reply(id="msg_2", model="m", blocks=[ReplyBlock(final={}, start={}), block], stop_reason="end_turn",
                usage=Usage())  # fmt: skip
    assert frames(one) == _reference(one)
    assert frames(two) == _reference(two)
