"""``GET /_mock/events``: the journal as it grows and the mock's state, as server-sent events.

Each connection subscribes to the journal (``Journal.subscribe``) with a bounded queue. The journal calls the
listener on the recording thread; the listener only queues the entry (directly on the server's loop, through
``call_soon_threadsafe`` from any other thread), so recording never waits for a browser. A queue that fills up
(a browser that stopped reading) is emptied and replaced by one ``resync`` marker: the writer then sends a fresh
snapshot instead of the backlog, so memory per connection stays bounded. Summaries are built by the writer, off
the request path. With no connection, the journal has no listener and recording does nothing more.

Events (each ``data:`` is one JSON object):

* ``snapshot`` -- ``{"entries": [summary, ...] newest first, "total": n}``: on connect, after a resync, after the
  journal was rebuilt (a reset with a new seed);
* ``entry`` -- one summary (``views.summary``), as each request is recorded;
* ``clear`` -- the journal was cleared;
* ``state`` -- ``{"clock", "seed", "strict", "chaos", "stubs", "scenarios", "cache", "limits", "usage"}``: the
  JSON of the admin routes of the same names, sent when it changed (checked every second and after requests).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web

from mockclaude.clock import rfc3339
from mockclaude.engine.journal import Journal, JournalEntry
from mockclaude.pipeline import Pipeline
from mockclaude.server.inspector.views import summary
from mockclaude.server.respond import SSE_TYPE

QUEUE_SIZE = 512  # entries a connection may hold before it is told to resync
POLL_SECONDS = 1.0  # how often the state is compared and a departed browser noticed
HEARTBEAT_SECONDS = 15.0  # an SSE comment on a quiet stream, so proxies and browsers keep it open
AFTER_ENTRY_SECONDS = 0.15  # the state follows a burst of requests this soon after its last one


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


RESYNC = _Marker("resync")
STOP = _Marker("stop")
Item = JournalEntry | _Marker | None  # None: the journal was cleared


class Listener:
    """One connection's bounded queue of journal news, fed from whatever thread records."""

    def __init__(self, loop: asyncio.AbstractEventLoop, size: int = QUEUE_SIZE) -> None:
        self.loop = loop
        self.thread = threading.get_ident()
        self.queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=size)

    def __call__(self, entry: JournalEntry | None) -> None:
        """The journal's callback: queue ``entry`` (None: cleared) for the writer."""
        if threading.get_ident() == self.thread:
            self.put(entry)
        else:
            self.loop.call_soon_threadsafe(self.put, entry)

    def put(self, item: Item) -> None:
        """Queue ``item`` on the loop's thread; a full queue is dropped for one ``RESYNC`` (``STOP`` always fits)."""
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(STOP if item is STOP else RESYNC)


LISTENERS: web.AppKey[set[Listener]] = web.AppKey("inspector_listeners")


def install(app: web.Application) -> None:
    """Track the app's event streams and end them when the app shuts down (a server's stop must not wait for a
    browser tab)."""
    app[LISTENERS] = set()

    async def stop_streams(app: web.Application) -> None:
        listeners: set[Listener] = app[LISTENERS]
        for listener in list(listeners):
            listener.put(STOP)

    app.on_shutdown.append(stop_streams)


def frame(event: str, data: object) -> bytes:
    """One server-sent event."""
    return b"event: " + event.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


def snapshot(pipeline: Pipeline) -> dict[str, Any]:
    """The ``snapshot`` event: every kept entry's summary, newest first."""
    journal = pipeline.journal
    entries = journal.entries()
    return {"entries": [summary(e, pipeline) for e in reversed(entries)], "total": journal.total}


def state(pipeline: Pipeline) -> dict[str, Any]:
    """The ``state`` event: what ``GET /_mock/clock``, ``/seed``, ``/strict``, ``/chaos``, ``/stubs``,
    ``/scenarios``, ``/cache``, ``/limits`` and ``/usage`` answer."""
    now = pipeline.settings.clock.now()
    return {
        "clock": {"now": now, "time": rfc3339(now)},
        "seed": pipeline.seed,
        "strict": pipeline.engine.strict,
        "chaos": pipeline.chaos.config.rate if pipeline.chaos is not None else 0.0,
        "stubs": pipeline.engine.stubs.list(),
        "scenarios": pipeline.engine.scenarios.snapshot(),
        "cache": pipeline.cache.snapshot(limit=200),
        "limits": pipeline.limiter.snapshot(),
        "usage": pipeline.ledger.report(),
    }


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def stream(request: web.Request, pipeline: Pipeline, headers: dict[str, str]) -> web.StreamResponse:
    """Write the events until the browser leaves or the server stops."""
    response = web.StreamResponse(
        headers={**headers, "Content-Type": SSE_TYPE, "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    listener = Listener(loop)
    listeners = request.app.get(LISTENERS)
    if listeners is not None:
        listeners.add(listener)
    journal: Journal = pipeline.journal
    unsubscribe: Callable[[], None] = journal.subscribe(
        listener
    )  # before the snapshot: nothing falls between
    try:
        await response.write(frame("snapshot", snapshot(pipeline)))
        last_state = b""
        quiet = 0.0
        state_due = loop.time()
        while True:
            if loop.time() >= state_due:
                data = frame("state", state(pipeline))
                if data != last_state:
                    await response.write(data)
                    last_state, quiet = data, 0.0
                state_due = loop.time() + POLL_SECONDS
            try:
                item = await asyncio.wait_for(listener.queue.get(), max(0.0, state_due - loop.time()))
            except TimeoutError:
                if _gone(request):
                    break
                if pipeline.journal is not journal:  # rebuilt (a reset with a new seed): follow the new one
                    unsubscribe()
                    journal = pipeline.journal
                    unsubscribe = journal.subscribe(listener)
                    await response.write(frame("snapshot", snapshot(pipeline)))
                quiet += POLL_SECONDS
                if quiet >= HEARTBEAT_SECONDS:
                    await response.write(b": keep-alive\n\n")
                    quiet = 0.0
                continue
            if item is STOP:
                break
            if item is RESYNC:
                await response.write(frame("snapshot", snapshot(pipeline)))
            elif item is None:
                await response.write(frame("clear", {"total": 0}))
            elif isinstance(item, JournalEntry):
                await response.write(frame("entry", summary(item, pipeline)))
            quiet = 0.0
            state_due = min(state_due, loop.time() + AFTER_ENTRY_SECONDS)
    except (ConnectionResetError, ConnectionError):
        pass  # the browser went away mid-write
    finally:
        unsubscribe()
        if listeners is not None:
            listeners.discard(listener)
    return response
