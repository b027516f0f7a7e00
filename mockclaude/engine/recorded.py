"""Recorded replies: ``reply: {recorded: {status, headers, body | text | events, ms}}``, served as recorded.

A recording (``mockclaude serve --upstream URL --record DIR``) keeps what the upstream answered: the status, the
response headers worth replaying (secrets redacted), and the JSON body, or a stream event by event with the
milliseconds after the request at which each event arrived. The engine turns one into a ``Reply`` whose
``wire`` holds those bytes, so the server writes them back unchanged (ids, signatures and usage included) and
paces them by the recorded times multiplied by ``time_scale``; a recorded error (status 400 and up) is raised as
an ``ApiError`` whose body is the recorded one.

With ``recount`` (``--recount``) the usage is the mock's instead: the input side from the tokenizer and the
prompt-cache simulator, the output counted from the recorded content; the recorded body and events carry it.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockclaude import ids
from mockclaude.engine import blocks as B
from mockclaude.engine.issues import Issues, join
from mockclaude.model.errors import ERROR_CLASSES, ApiError, InternalServerError
from mockclaude.model.faults import Latency
from mockclaude.model.reply import JSON, RecordedWire, Reply, ReplyBlock, Usage
from mockclaude.tokenize.encoding import TokenCounter

RECORDED_KEYS = ("status", "headers", "body", "text", "events", "ms")
"""Keys of ``reply.recorded``: one of ``body`` (JSON), ``text`` (any other body) or ``events`` (a stream)."""
EVENT_KEYS = ("ms", "event", "data")
"""Keys of one recorded stream event: when it arrived, its ``event:`` name (none for unnamed events), its data."""
REDACTED = "[REDACTED]"
# A recorded stream already holds the upstream's pings: the writer must not add its own.
_NO_PINGS = Latency(ping_interval_ms=float("inf"))


@dataclass(frozen=True, slots=True)
class RecordedSpec:
    """A compiled ``recorded`` reply, with its frames and the message it stands for worked out once."""

    status: int
    headers: dict[str, str]
    body: Any = None
    text: str | None = None
    events: tuple[tuple[float, str | None, Any], ...] | None = None
    ms: float = 0.0
    frames: tuple[bytes, ...] = ()
    message: JSON | None = field(default=None, compare=False)  # the body, or what the events add up to

    @property
    def signatures(self) -> dict[str, str]:
        """Thinking signatures in the recorded message, each with the text it signs (accepted when sent back)."""
        out: dict[str, str] = {}
        for block in (self.message or {}).get("content") or []:
            if isinstance(block, dict) and block.get("type") == "thinking":
                signature, text = block.get("signature"), block.get("thinking")
                if isinstance(signature, str) and isinstance(text, str):
                    out[signature] = text
        return out


def frame(event: str | None, data: Any) -> bytes:
    """One SSE frame as recorded: ``event:`` (when named) and the data, JSON compact or text as it came."""
    text = data if isinstance(data, str) else orjson.dumps(data).decode()
    head = f"event: {event}\n" if event is not None else ""
    return (head + "".join(f"data: {line}\n" for line in text.split("\n")) + "\n").encode()


def accumulate(events: list[tuple[str | None, Any]]) -> JSON | None:
    """The Message a Messages stream adds up to (as the SDKs accumulate it), or None when it has no start."""
    message: JSON | None = None
    partial: dict[int, str] = {}
    for _name, data in events:
        if not isinstance(data, dict):
            continue
        kind = data.get("type")
        if kind == "message_start" and isinstance(data.get("message"), dict):
            message = orjson.loads(orjson.dumps(data["message"]))
            message["content"] = []
        elif message is None:
            continue
        elif kind == "content_block_start" and isinstance(data.get("content_block"), dict):
            message["content"].append(orjson.loads(orjson.dumps(data["content_block"])))
        elif kind == "content_block_delta" and message["content"]:
            _apply_delta(
                message["content"][-1], data.get("delta") or {}, partial, len(message["content"]) - 1
            )
        elif kind == "content_block_stop" and message["content"]:
            index = len(message["content"]) - 1
            if index in partial:
                with contextlib.suppress(orjson.JSONDecodeError):  # a cut stream: the input stays as started
                    message["content"][index]["input"] = orjson.loads(partial.pop(index) or "{}")
        elif kind == "message_delta":
            message.update({k: v for k, v in (data.get("delta") or {}).items()})
            usage = message.setdefault("usage", {})
            if isinstance(usage, dict):
                usage.update(data.get("usage") or {})
    return message


def _apply_delta(block: JSON, delta: JSON, partial: dict[int, str], index: int) -> None:
    kind = delta.get("type")
    if kind == "text_delta":
        block["text"] = block.get("text", "") + str(delta.get("text", ""))
    elif kind == "thinking_delta":
        block["thinking"] = block.get("thinking", "") + str(delta.get("thinking", ""))
    elif kind == "signature_delta":
        block["signature"] = delta.get("signature", "")
    elif kind == "input_json_delta":
        partial[index] = partial.get(index, "") + str(delta.get("partial_json", ""))
    elif kind == "citations_delta":
        block.setdefault("citations", []).append(delta.get("citation"))


def compile_recorded(value: Any, issues: Issues, path: str) -> RecordedSpec | None:
    """Check a ``recorded`` mapping (every problem in ``issues``) and compile it; None when it is invalid."""
    before = len(issues.items)
    if not isinstance(value, Mapping):
        issues.add(path, f"recorded takes a mapping with keys: {', '.join(RECORDED_KEYS)}")
        return None
    for key in value:
        if key not in RECORDED_KEYS:
            issues.add(
                join(path, str(key)), f"unknown key {key!r} in recorded; allowed: {', '.join(RECORDED_KEYS)}"
            )
    status = value.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        issues.add(join(path, "status"), "expected an HTTP status between 100 and 599")
    headers = value.get("headers", {})
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        issues.add(join(path, "headers"), "headers takes a mapping of header names to string values")
        headers = {}
    ms = value.get("ms", 0.0)
    if not _ms(ms):
        issues.add(join(path, "ms"), "expected milliseconds (a number >= 0)")
    given = [key for key in ("body", "text", "events") if key in value]
    if len(given) != 1:
        issues.add(path, "recorded takes exactly one of body (JSON), text or events (a stream)")
    if "text" in value and not isinstance(value["text"], str):
        issues.add(join(path, "text"), "expected a string")
    events = _events(value["events"], issues, join(path, "events")) if "events" in value else None
    if len(issues.items) > before:
        return None
    frames = tuple(frame(name, data) for _, name, data in events) if events is not None else ()
    if events is not None:
        message = accumulate([(n, d) for _, n, d in events])
    else:
        message = value.get("body", _parsed(value.get("text")))
    return RecordedSpec(
        status=status,
        headers=dict(headers),
        body=value.get("body"),
        text=value.get("text"),
        events=events,
        ms=float(ms),
        frames=frames,
        message=message if isinstance(message, dict) else None,
    )


def _parsed(text: Any) -> Any:
    """A ``text`` body that is JSON after all (kept as text for its exact bytes), parsed; else None."""
    if not isinstance(text, str) or text[:1] not in ("{", "["):
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def _ms(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _events(value: Any, issues: Issues, path: str) -> tuple[tuple[float, str | None, Any], ...] | None:
    if not isinstance(value, list) or not value:
        issues.add(path, "events takes a non-empty list of {ms, event, data}")
        return None
    out: list[tuple[float, str | None, Any]] = []
    for i, item in enumerate(value):
        where = join(path, i)
        if not isinstance(item, Mapping) or "data" not in item:
            issues.add(where, "an event is a mapping with data (and ms, event)")
            continue
        extra = [k for k in item if k not in EVENT_KEYS]
        for key in extra:
            issues.add(
                join(where, str(key)), f"unknown key {key!r} in an event; allowed: {', '.join(EVENT_KEYS)}"
            )
        name = item.get("event")
        if name is not None and not isinstance(name, str):
            issues.add(join(where, "event"), "expected the event's name (a string)")
        if not _ms(item.get("ms", 0.0)):
            issues.add(join(where, "ms"), "expected milliseconds (a number >= 0)")
        if not extra:
            out.append((float(item.get("ms", 0.0)), name, item["data"]))
    return tuple(out)


class RecordedError(ApiError):
    """A recorded error answer: raised with the recorded status and headers; its body is the recorded one."""

    recorded: Any = None

    def body(self, request_id: str | None) -> dict[str, Any]:
        """The recorded body when it is an error object, else the usual shape."""
        if isinstance(self.recorded, dict) and self.recorded.get("type") == "error":
            return self.recorded
        return super().body(request_id)


def recorded_error(spec: RecordedSpec) -> ApiError:
    """The ``ApiError`` a recorded answer with status 400 and up stands for."""
    body: dict[str, Any] = spec.message if isinstance(spec.message, dict) else {}
    raw = body.get("error")
    error: dict[str, Any] = raw if isinstance(raw, dict) else {}
    base = ERROR_CLASSES.get(str(error.get("type")), InternalServerError)
    cls: type[RecordedError] = type(base.__name__, (RecordedError, base), {"status": spec.status})
    message = error.get("message") if isinstance(error.get("message"), str) else spec.text
    made = cls(message, details=error.get("details"), headers=replay_headers(spec.headers))
    made.recorded = spec.message
    return made


_FRAMING = frozenset({"content-type", "cache-control"})  # the mock's writer sets its own


def replay_headers(headers: Mapping[str, str], *, framing: bool = False) -> dict[str, str]:
    """The recorded response headers a replay sends: a redacted one is left to the mock's own value, and the
    content type and cache control too unless ``framing`` (the writer of a Messages reply sets them)."""
    return {
        name: value
        for name, value in headers.items()
        if value != REDACTED and (framing or name.lower() not in _FRAMING)
    }


def usage_of(recorded: Any) -> Usage:
    """A ``Usage`` holding a recorded ``usage`` object's figures."""
    from mockclaude.engine.replies import (
        apply_usage,  # at call time: replies imports reply_spec, which imports this
    )

    usage = Usage()
    if isinstance(recorded, dict):
        apply_usage(usage, {k: v for k, v in recorded.items() if v is not None or k == "speed"})
    return usage


def _blocks(content: list[Any], rng: random.Random) -> list[ReplyBlock]:
    out: list[ReplyBlock] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if (
            kind == "text"
            and isinstance(block.get("text"), str)
            and set(block) <= {"type", "text", "citations"}
        ):
            out.append(B.text_block(block["text"], rng, block.get("citations")))
        elif kind == "thinking" and set(block) == {"type", "thinking", "signature"}:
            out.append(B.thinking_block(str(block["thinking"]), str(block["signature"]), rng))
        elif kind in ("tool_use", "server_tool_use") and set(block) == {"type", "id", "name", "input"}:
            out.append(B.tool_use_block(kind, str(block["id"]), str(block["name"]), block["input"], rng))
        else:
            out.append(B.whole_block(block))
    return out


def build_reply(spec: RecordedSpec, seed: int, counted: Usage, counter: TokenCounter | None = None) -> Reply:
    """The ``Reply`` of a recorded Messages answer (status below 400), or its ``ApiError``.

    ``counter`` given (``recount``): the usage is ``counted`` (the prompt's, from the tokenizer and the cache
    simulator) with the output counted from the recorded content, and the served bytes carry it.
    """
    if spec.status >= 400:
        raise recorded_error(spec)
    message = spec.message
    if message is None or not isinstance(message.get("content"), list):
        raise InternalServerError("mockclaude: this recording holds no Message to replay")
    rng = random.Random(ids.derive(seed, "recorded", str(message.get("id"))))
    blocks = _blocks(message["content"], rng)
    usage = usage_of(message.get("usage"))
    if spec.body is not None:
        body = orjson.dumps(spec.body)
    else:
        body = spec.text.encode() if spec.text is not None else orjson.dumps(message)
    wire = RecordedWire(
        body=body,
        frames=spec.frames,
        offsets_ms=tuple(at for at, _, _ in spec.events or ()),
        total_ms=spec.ms,
    )
    if counter is not None:
        usage = _recounted(counted, usage, blocks, counter)
        wire = _with_usage(spec, message, wire, usage)
    return Reply(
        id=str(message.get("id", "")),
        model=str(message.get("model", "")),
        blocks=blocks,
        stop_reason=str(message.get("stop_reason") or "end_turn"),
        usage=usage,
        stop_sequence=message.get("stop_sequence"),
        stop_details=message.get("stop_details"),
        container=message.get("container"),
        headers=replay_headers(spec.headers),
        latency=_NO_PINGS,
        wire=wire,
    )


def _recounted(counted: Usage, recorded: Usage, blocks: list[ReplyBlock], counter: TokenCounter) -> Usage:
    counted.output_tokens = sum(B.output_tokens(counter, b.final) for b in blocks)
    counted.web_search_requests = recorded.web_search_requests
    counted.web_fetch_requests = recorded.web_fetch_requests
    return counted


def _with_usage(spec: RecordedSpec, message: JSON, wire: RecordedWire, usage: Usage) -> RecordedWire:
    """The recorded bytes with the recounted usage in place of the recorded one."""
    body = orjson.dumps({**message, "usage": usage.to_json()})
    if not spec.events:
        return RecordedWire(body=body, total_ms=wire.total_ms)
    frames: list[bytes] = []
    for _, name, data in spec.events:
        if (
            isinstance(data, dict)
            and data.get("type") == "message_start"
            and isinstance(data.get("message"), dict)
        ):
            start = usage.to_json()
            start["output_tokens"] = min(usage.output_tokens, 1)
            start.pop("server_tool_use", None)
            data = {**data, "message": {**data["message"], "usage": start}}
        elif isinstance(data, dict) and data.get("type") == "message_delta":
            data = {**data, "usage": usage.delta_json()}
        frames.append(frame(name, data))
    return RecordedWire(body=body, frames=tuple(frames), offsets_ms=wire.offsets_ms, total_ms=wire.total_ms)
