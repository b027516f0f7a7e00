"""Reading a Server-Sent Events stream as it arrives (the recorder keeps it event by event).

``SseParser.feed`` takes the bytes of one network read and returns the events completed by it, so each event
is stamped with the time its last byte arrived. Lines end with ``\\n``, ``\\r\\n`` or ``\\r``; ``data:`` lines
of one event are joined with ``\\n``; comments (``:``), ``id:`` and ``retry:`` are not kept.
"""

from __future__ import annotations

from typing import Any

import orjson

Event = tuple[str | None, str]
"""An event's name (None when the stream does not name it) and its data text."""


class SseParser:
    """An incremental SSE parser: ``feed`` bytes, get the completed events; ``close`` for a last unended one."""

    def __init__(self) -> None:
        self._buffer = b""
        self._name: str | None = None
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[Event]:
        """The events completed by ``chunk``."""
        self._buffer += chunk
        out: list[Event] = []
        while True:
            cut = _line_end(self._buffer)
            if cut is None:
                return out
            end, width = cut
            line = self._buffer[:end].decode("utf-8", errors="replace")
            self._buffer = self._buffer[end + width :]
            event = self._line(line)
            if event is not None:
                out.append(event)

    def close(self) -> list[Event]:
        """The event still open when the stream ended without its blank line (if any)."""
        out = self.feed(b"\n") if self._buffer else []
        event = self._line("")
        return out + ([event] if event is not None else [])

    def _line(self, line: str) -> Event | None:
        if not line:
            if not self._data and self._name is None:
                return None
            event = (self._name, "\n".join(self._data))
            self._name, self._data = None, []
            return event
        if line.startswith(":"):
            return None
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            self._name = value
        elif field == "data":
            self._data.append(value)
        return None


def _line_end(buffer: bytes) -> tuple[int, int] | None:
    """Where the first line of ``buffer`` ends and how wide its end is; None while it is incomplete."""
    lf, cr = buffer.find(b"\n"), buffer.find(b"\r")
    if cr == -1 or (lf != -1 and lf < cr):
        return (lf, 1) if lf != -1 else None
    if cr + 1 == len(buffer):
        return None  # a lone \r at the end: it may be the start of \r\n
    return (cr, 2) if buffer[cr + 1 : cr + 2] == b"\n" else (cr, 1)


def decode_data(text: str) -> Any:
    """An event's data as the recording keeps it: parsed JSON when it is an object or a list, else the text."""
    if text[:1] in ("{", "["):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return text
    return text
