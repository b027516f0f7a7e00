"""Writing a decided reply: JSON or SSE, paced by its latency, broken by its fault (DESIGN.md rule 4).

The pipeline decides (``Reply.latency``, ``Reply.fault``); this module only acts it out. With neither, the bytes
are exactly the renderers' (one write of the whole stream), so latency and faults cost nothing when unused.

Waits go through the clock (``mockclaude.clock.sleep``): the real clock sleeps, a manual clock advances its
virtual time without waiting. Long waits are cut into short steps so a client that leaves is noticed within
``_STEP`` seconds; a client that disconnects costs nothing: the handler returns quietly at the next write or step
(no task is left behind and nothing is logged). The fault table is in model/faults.py.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from aiohttp import web

from mockclaude.clock import Clock, sleep
from mockclaude.model.faults import Fault, Latency
from mockclaude.model.reply import Reply
from mockclaude.pipeline import Pipeline
from mockclaude.render.message import message_bytes
from mockclaude.render.sse import error_frame, frames
from mockclaude.server.admin import admin_route
from mockclaude.server.pacing import plan_waits
from mockclaude.server.respond import JSON_TYPE, SSE_TYPE, json_response

PING = b'event: ping\ndata: {"type": "ping"}\n\n'  # the real API's spacing (api-spec §4.1)
_STEP = 0.25  # longest single sleep: how soon a departed client is noticed during a long wait
_POLL = 0.05  # how often a stall "until the client gives up" looks at the connection (real time)
_GIVE_UP_AFTER = 900.0  # a stall without a client timeout ends after 15 min (the SDKs time out at 10)


@dataclass(slots=True)
class StreamStats:
    """Counters for ``GET /_mock/debug``: paced or faulty replies being written now (and the most at once), and
    replies cut short by a departed client."""

    active: int = 0
    peak: int = 0
    disconnects: int = 0


STREAM_STATS = web.AppKey("stream_stats", StreamStats)


class _Gone(Exception):
    """The client closed the connection: stop writing."""


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _drop(request: web.Request) -> None:
    """Close the connection (whatever is buffered is flushed first, then FIN)."""
    transport = request.transport
    if transport is not None:
        transport.close()


async def wait_for_client(request: web.Request, clock: Clock, seconds: float) -> bool:
    """Wait ``seconds`` of clock time in short steps; False as soon as the client has left (then stop writing)."""
    while seconds > 1e-9:
        step = min(seconds, _STEP)
        await sleep(clock, step)
        seconds -= step
        if _gone(request):
            return False
    return True


async def _wait(request: web.Request, clock: Clock, seconds: float) -> None:
    """:func:`wait_for_client`, raising ``_Gone`` when the client has left."""
    if not await wait_for_client(request, clock, seconds):
        raise _Gone


async def _stall(request: web.Request, clock: Clock, stall_ms: float | None) -> None:
    """A fault's stall: ``stall_ms`` of clock time, or (None) real time until the client disconnects."""
    if stall_ms is not None:
        await _wait(request, clock, stall_ms / 1000.0)
        return
    deadline = time.monotonic() + _GIVE_UP_AFTER
    while not _gone(request) and time.monotonic() < deadline:
        await asyncio.sleep(_POLL)
    _drop(request)
    raise _Gone


def _error_payload(fault: Fault, request_id: str | None) -> dict[str, object]:
    return {
        "type": "error",
        "error": {"type": fault.error_type, "message": fault.error_message},
        "request_id": request_id,
    }


async def write_reply(
    request: web.Request,
    reply: Reply,
    *,
    stream: bool,
    headers: dict[str, str],
    clock: Clock,
    seed: int,
    time_scale: float,
) -> web.StreamResponse:
    """Answer ``request`` with ``reply`` as JSON or SSE, acting out ``reply.latency`` and ``reply.fault``."""
    latency = reply.latency
    scale = latency.scale(time_scale) if latency is not None else 0.0
    fault = reply.fault
    if fault is None and scale <= 0:  # the fast path: the renderers' bytes in one write
        if not stream:
            return web.Response(body=message_bytes(reply), content_type=JSON_TYPE, headers=headers)
        plain = _sse_response(headers)
        await plain.prepare(request)
        try:
            await plain.write(b"".join(frames(reply)))
            await plain.write_eof()
        except ConnectionResetError:  # the client went away mid-stream: nothing to clean up
            pass
        return plain
    stats = request.app.get(STREAM_STATS) or StreamStats()
    stats.active += 1
    stats.peak = max(stats.peak, stats.active)
    response: web.StreamResponse | None = None
    try:
        if fault is not None and fault.kind == "slow_headers":
            await _wait(request, clock, (fault.stall_ms or 0.0) / 1000.0)
            fault = None
        if fault is not None and fault.kind == "drop" and fault.after_events is None:
            _drop(request)
            return web.Response(status=200)  # never sent: aiohttp finds the connection closed and moves on
        if not stream:
            return await _json(request, reply, headers, fault, latency, clock, seed, scale)
        response = _sse_response(headers)
        await response.prepare(request)
        await _sse(request, response, reply, fault, latency, clock, seed, scale)
        return response
    except (_Gone, ConnectionResetError):
        stats.disconnects += 1
        return response if response is not None else web.Response(status=200)
    finally:
        stats.active -= 1


def _sse_response(headers: dict[str, str]) -> web.StreamResponse:
    headers["Content-Type"] = SSE_TYPE
    headers["Cache-Control"] = "no-cache"
    return web.StreamResponse(status=200, headers=headers)


async def _json(
    request: web.Request,
    reply: Reply,
    headers: dict[str, str],
    fault: Fault | None,
    latency: Latency | None,
    clock: Clock,
    seed: int,
    scale: float,
) -> web.StreamResponse:
    if fault is not None and fault.kind == "stall":
        await _stall(request, clock, fault.stall_ms)
    if latency is not None and scale > 0:
        # A non-streaming reply is sent when generation is over: the whole stream's time at once.
        await _wait(request, clock, sum(plan_waits(frames(reply), reply, latency, scale, seed)))
    if fault is not None and fault.kind == "stream_error":
        raise fault.error()  # the edge writes it as a JSON error with its real status
    body = message_bytes(reply)
    if fault is not None and fault.kind == "empty_body":
        body = b""
    elif fault is not None and fault.kind == "malformed":
        body = body[: len(body) // 2]
    elif fault is not None and fault.kind == "drop":
        response = web.StreamResponse(status=200, headers={**headers, "Content-Type": JSON_TYPE})
        response.content_length = len(body)
        await response.prepare(request)
        await response.write(body[: len(body) // 2])
        _drop(request)
        return response
    return web.Response(body=body, content_type=JSON_TYPE, headers=headers)


async def _sse(
    request: web.Request,
    response: web.StreamResponse,
    reply: Reply,
    fault: Fault | None,
    latency: Latency | None,
    clock: Clock,
    seed: int,
    scale: float,
) -> None:
    """Write the stream's frames, paced, until the end or the fault."""
    out = frames(reply)
    if fault is not None and fault.kind == "empty_body":
        await response.write_eof()
        return
    waits = plan_waits(out, reply, latency, scale, seed) if latency is not None else [0.0] * len(out)
    ping_every = latency.ping_interval_ms / 1000.0 * scale if latency is not None and scale > 0 else 0.0
    writer = _Writer(request, response, clock, ping_every)
    strike = fault.strikes_at(len(out)) if fault is not None else len(out)  # always before message_stop
    for index, (chunk, wait) in enumerate(zip(out, waits, strict=True)):
        if index == strike and fault is not None:
            if fault.kind != "stall":
                await _strike(writer, fault, chunk, response, request, response.headers.get("request-id"))
                return
            await writer.flush()
            await _stall(request, clock, fault.stall_ms)
            fault = None  # then the stream carries on
        if wait > 0:
            await writer.flush()
            await writer.wait(wait)
        writer.add(chunk)
    await writer.flush()
    await response.write_eof()


async def _strike(
    writer: _Writer,
    fault: Fault,
    chunk: bytes,
    response: web.StreamResponse,
    request: web.Request,
    rid: str | None,
) -> None:
    """Act out a stream-ending fault in place of ``chunk`` (the next frame)."""
    if fault.kind == "stream_error":
        writer.add(error_frame(_error_payload(fault, rid)))
        await writer.flush()
        await response.write_eof()
    elif fault.kind == "malformed":
        cut = chunk[: max(len(chunk) // 2, chunk.find(b"\ndata: ") + 9)]
        writer.add(cut + b"\n\n")
        await writer.flush()
        await response.write_eof()
    else:  # drop
        await writer.flush()
        _drop(request)


class _Writer:
    """Buffers frames that go out together and writes pings when the stream has been quiet for a while."""

    def __init__(
        self, request: web.Request, response: web.StreamResponse, clock: Clock, ping_every: float
    ) -> None:
        self.request = request
        self.response = response
        self.clock = clock
        self.ping_every = ping_every
        self.pending: list[bytes] = []
        self.quiet = 0.0  # clock seconds since the last write

    def add(self, chunk: bytes) -> None:
        self.pending.append(chunk)

    async def flush(self) -> None:
        if self.pending:
            data = b"".join(self.pending)
            self.pending.clear()
            await self.response.write(data)
            self.quiet = 0.0

    async def wait(self, seconds: float) -> None:
        """Wait ``seconds``, writing ``event: ping`` whenever the stream has been quiet for the ping interval."""
        while seconds > 1e-9:
            if self.ping_every > 0 and self.quiet + seconds >= self.ping_every:
                step = self.ping_every - self.quiet
                await _wait(self.request, self.clock, step)
                seconds -= step
                self.add(PING)
                await self.flush()
            else:
                await _wait(self.request, self.clock, seconds)
                self.quiet += seconds
                seconds = 0.0


@admin_route("GET", "/debug")
async def debug(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /_mock/debug``: live asyncio tasks and stream counters of this server (leak checks, the bench).

    An admin route: the same access rule as the rest of ``/_mock/`` (server/admin.py)."""
    stats = request.app.get(STREAM_STATS) or StreamStats()
    payload = {
        "tasks": len(asyncio.all_tasks()),  # this handler's own task is one of them
        "active_streams": stats.active,
        "peak_streams": stats.peak,
        "disconnects": stats.disconnects,
    }
    return json_response(payload, headers)
