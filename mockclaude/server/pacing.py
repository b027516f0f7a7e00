"""When each SSE frame of a reply is written: the latency model as a list of waits (pure, no I/O).

``plan_waits`` turns a reply's frames and its ``Latency`` into the seconds of clock time to wait before each
frame. The model (model/faults.py ``Latency``):

* ``message_start`` goes out at once (clients see the headers and the message id immediately, and pings are valid
  from then on); the time to first token is spent before the first ``content_block_start``;
* each ``content_block_delta`` is preceded by ``tokens / tokens_per_second``, where it weighs
  ``tokens_per_delta`` tokens when set, else its share of the reply's ``output_tokens`` by text length
  (``signature_delta`` weighs nothing: signatures are not generated text);
* block starts/stops, ``message_delta`` and ``message_stop`` follow their predecessor at once;
* every non-zero wait gets the seeded jitter, then is multiplied by the time scale.

A recorded reply (``Reply.wire``) is paced by its recording instead: each frame waits the time that passed before
it arrived from the upstream, and a JSON reply the whole answer's time, all multiplied by the time scale.

Jitter draws come from ``random.Random`` seeded with ``(seed, reply id)``, so the same request sequence gets the
same pacing, whatever else the server is doing (DESIGN.md rule 3). A non-streaming reply waits the sum.
"""

from __future__ import annotations

import math
import random

from mockclaude import ids
from mockclaude.model.faults import Latency
from mockclaude.model.reply import Reply

_DELTA = b"event: content_block_delta\n"
_BLOCK_START = b"event: content_block_start\n"
_MESSAGE_DELTA = b"event: message_delta\n"
_SIGNATURE = b'"type":"signature_delta"'
# Bytes of a text_delta frame that are not text (event line, JSON frame): subtracted to weigh deltas by content.
_DELTA_OVERHEAD = len(
    b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}\n\n'
)


def jitter_rng(seed: int, reply: Reply) -> random.Random:
    """The jitter draws of one reply: seeded by the reply id, itself from (seed, fingerprint, occurrence)."""
    return random.Random(ids.derive(seed, "latency", reply.id))


def jittered(ms: float, latency: Latency, rng: random.Random) -> float:
    """``ms`` with the latency's jitter applied (never negative)."""
    if ms <= 0 and latency.jitter != "fixed":
        return max(ms, 0.0)
    if latency.jitter == "fixed":
        return ms + latency.jitter_ms
    if latency.jitter == "uniform":
        return ms + rng.uniform(0.0, latency.jitter_ms)
    if latency.jitter == "lognormal":
        return ms * math.exp(rng.gauss(0.0, latency.jitter_sigma))
    return ms


def plan_waits(frames: list[bytes], reply: Reply, latency: Latency, scale: float, seed: int) -> list[float]:
    """Seconds (clock time) to wait before writing each of ``frames`` (the reply's SSE frames in order)."""
    waits = [0.0] * len(frames)
    if scale <= 0 or not frames:
        return waits
    if reply.wire is not None:
        return recorded_waits(len(frames), reply, scale)
    rng = jitter_rng(seed, reply)
    first = next((i for i, f in enumerate(frames) if f.startswith(_BLOCK_START)), None)
    if first is None:
        first = next((i for i, f in enumerate(frames) if f.startswith(_MESSAGE_DELTA)), len(frames) - 1)
    waits[first] = jittered(latency.ttft_ms, latency, rng) / 1000.0 * scale
    if latency.tokens_per_second <= 0:
        return waits
    deltas = [i for i, f in enumerate(frames) if f.startswith(_DELTA) and _SIGNATURE not in f]
    if latency.tokens_per_delta is not None:
        weights = [float(latency.tokens_per_delta)] * len(deltas)
    else:
        sizes = [max(1, len(frames[i]) - _DELTA_OVERHEAD) for i in deltas]
        total = sum(sizes)
        weights = [reply.usage.output_tokens * s / total for s in sizes] if total else []
    if not deltas:
        # Nothing to pace (a reply without deltas): the generation time goes before message_delta.
        end = next((i for i, f in enumerate(frames) if f.startswith(_MESSAGE_DELTA)), len(frames) - 1)
        ms = 1000.0 * reply.usage.output_tokens / latency.tokens_per_second
        waits[end] += jittered(ms, latency, rng) / 1000.0 * scale
        return waits
    for i, tokens in zip(deltas, weights, strict=True):
        ms = 1000.0 * tokens / latency.tokens_per_second
        waits[i] += jittered(ms, latency, rng) / 1000.0 * scale
    return waits


def recorded_waits(count: int, reply: Reply, scale: float) -> list[float]:
    """The waits of a recorded reply's ``count`` frames: the recorded gaps between them (the first one from the
    request), or, for a JSON reply or frames that are not the recorded ones, the whole answer's time first."""
    wire = reply.wire
    waits = [0.0] * count
    if wire is None or not count:
        return waits
    if len(wire.offsets_ms) == count:
        previous = 0.0
        for i, at in enumerate(wire.offsets_ms):
            waits[i] = max(at - previous, 0.0) / 1000.0 * scale
            previous = max(previous, at)
        return waits
    waits[0] = wire.total_ms / 1000.0 * scale
    return waits
