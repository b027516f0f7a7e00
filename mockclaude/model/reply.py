"""A decided reply: everything the renderers need, fixed before rendering (DESIGN.md rule 2).

The engine builds a ``Reply``; ``render.json`` and ``render.sse`` only lay it out. Because both read the same
blocks, deltas, stop reason and usage, a JSON reply and a stream of the same ``Reply`` agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockclaude.model.faults import Fault, Latency

JSON = dict[str, Any]


@dataclass(slots=True)
class ReplyBlock:
    """One content block: its final JSON, its ``content_block_start`` form and its deltas in order."""

    final: JSON
    start: JSON
    deltas: list[JSON] = field(default_factory=list)
    # The SSE bytes of ``deltas`` plus ``content_block_stop`` at a given index, filled by the renderer: blocks of
    # a memoised plan are shared by every reply to the same request, and their deltas carry no ids.
    rendered: tuple[int, list[bytes]] | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class Usage:
    """Token usage of one reply (api-spec §3.4). ``to_json`` gives the wire object."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_5m_tokens: int = 0
    cache_1h_tokens: int = 0
    web_search_requests: int = 0
    web_fetch_requests: int = 0
    thinking_tokens: int | None = None
    service_tier: str = "standard"
    inference_geo: str = "not_available"
    speed: str | None = None

    def to_json(self) -> JSON:
        """The ``usage`` object of a Message, key order as on the wire."""
        out: JSON = {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.cache_5m_tokens,
                "ephemeral_1h_input_tokens": self.cache_1h_tokens,
            },
            "output_tokens": self.output_tokens,
        }
        if self.thinking_tokens is not None:
            out["output_tokens_details"] = {"thinking_tokens": self.thinking_tokens}
        if self.web_search_requests or self.web_fetch_requests:
            out["server_tool_use"] = {
                "web_search_requests": self.web_search_requests,
                "web_fetch_requests": self.web_fetch_requests,
            }
        out["service_tier"] = self.service_tier
        out["inference_geo"] = self.inference_geo
        if self.speed is not None:
            out["speed"] = self.speed
        return out

    def delta_json(self) -> JSON:
        """The cumulative ``usage`` of ``message_delta``: input side repeated, final output count."""
        out: JSON = {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "output_tokens": self.output_tokens,
        }
        if self.thinking_tokens is not None:
            out["output_tokens_details"] = {"thinking_tokens": self.thinking_tokens}
        if self.web_search_requests or self.web_fetch_requests:
            out["server_tool_use"] = {
                "web_search_requests": self.web_search_requests,
                "web_fetch_requests": self.web_fetch_requests,
            }
        return out


@dataclass(frozen=True, slots=True)
class RecordedWire:
    """A recorded answer, served as it was received (engine/recorded.py builds it from a cassette).

    ``body`` is the JSON body (for a stream: the message its events add up to, which the journal shows);
    ``frames`` are a stream's SSE frames, one per event as recorded (pings included), and ``offsets_ms`` when each
    one arrived, in milliseconds after the request was sent; ``total_ms`` when the whole answer had arrived. The
    server waits those times multiplied by ``time_scale``, so a replay paces like the original.
    """

    body: bytes
    frames: tuple[bytes, ...] = ()
    offsets_ms: tuple[float, ...] = ()
    total_ms: float = 0.0


@dataclass(slots=True)
class Reply:
    """A complete decided reply to ``POST /v1/messages``."""

    id: str
    model: str
    blocks: list[ReplyBlock]
    stop_reason: str
    usage: Usage
    stop_sequence: str | None = None
    stop_details: JSON | None = None
    container: JSON | None = None
    start_output_tokens: int = 1  # the small placeholder ``message_start`` carries (§4.4)
    ping_after_first_start: bool = True  # the real API pings right after the first content_block_start
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers decided by the engine
    fault: Fault | None = None  # acted out by the server (faults issue)
    latency: Latency | None = None  # pacing, acted out by the server
    rule: str | None = None  # a generated reply: which behaviour rule decided; journaled
    wire: RecordedWire | None = None  # a recorded reply: its bytes, served as recorded (render/, server/)
