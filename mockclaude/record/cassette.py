"""Cassettes: recorded exchanges written as ordinary script files (``version: 1``, stubs of match + reply).

One exchange becomes one stub, played once (``times: 1``)::

    - name: '#3 POST /v1/messages: What is the weather in Paris?'
      times: 1
      match:
        stream: true
        request: {model: ..., max_tokens: ..., messages: [...]}   # the body as sent, less stream and ignored paths
      reply:
        recorded:
          status: 200
          headers: {request-id: req_..., anthropic-organization-id: '[REDACTED]', ...}
          events: [{ms: 412.3, event: message_start, data: {...}}, ...]   # or body: {...}, or text: '...'
          ms: 1290.4

Routes other than ``POST /v1/messages`` say so (``match.route``); a GET's ``request`` is its query. The file's
``recording:`` section keeps where it was recorded, the paths matching ignores and the redaction rules, so a
later session that appends to it redacts the same way. Redaction runs before anything is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from mockclaude import __version__
from mockclaude.engine.canonical import RequestRules
from mockclaude.engine.documents import read_document
from mockclaude.engine.jsonpath import without
from mockclaude.engine.matchers import DEFAULT_ROUTE
from mockclaude.record.redact import Redactor
from mockclaude.record.sse import decode_data
from mockclaude.script.yamlio import dump_yaml

TRANSPORT_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding", "date", "server"}
)
"""Response headers a recording leaves out: they describe one transfer, not the answer."""
STREAMING_ROUTES = frozenset({DEFAULT_ROUTE, "POST /v1/chat/completions"})
"""Routes whose recordings also match on ``stream`` (the same body streamed or not is another answer)."""
COMMENT = (
    "Recorded by mockclaude {version} (README: Record and replay). An ordinary script file: edit it freely,\n"
    "check it with `mockclaude validate`. Secrets were redacted before it was written."
)


@dataclass(slots=True)
class Exchange:
    """One request that went upstream and what came back (not redacted yet)."""

    method: str
    route: str  # the path, without the mock's path prefix or the query
    query: dict[str, str]
    body: Any  # the request body parsed as JSON; None when it has none (or is not JSON)
    status: int
    headers: dict[str, str]  # response headers, names lower-cased
    content: bytes | None = None  # the response body, when not a stream
    events: list[tuple[float, str | None, str]] | None = None  # a stream: (ms, event name, data text)
    ms: float = 0.0  # when the whole answer had arrived, after the request was sent
    stream: bool = field(init=False)

    def __post_init__(self) -> None:
        self.stream = isinstance(self.body, dict) and bool(self.body.get("stream"))

    @property
    def key(self) -> str:
        """``METHOD /path``: what ``match.route`` holds."""
        return f"{self.method} {self.route}"

    def request(self) -> Any:
        """What the recording matches on: the body without ``stream``, or the query of a request without one."""
        if isinstance(self.body, dict):
            return {k: v for k, v in self.body.items() if k != "stream"}
        return self.body if self.body is not None else dict(self.query)


def _parsed(content: bytes) -> Any:
    if content[:1] not in (b"{", b"["):
        return None
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return None


def _snippet(body: Any) -> str:
    """The start of the last user message's last text (or its last block's type), to name a stub."""
    messages = body.get("messages") if isinstance(body, dict) else None
    users = (
        [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        if isinstance(messages, list)
        else []
    )
    if not users:
        return ""
    content = users[-1].get("content")
    if isinstance(content, list):
        blocks = [b for b in content if isinstance(b, dict)]
        texts = [b.get("text", "") for b in blocks if b.get("type") == "text"]
        content = texts[-1] if texts else f"[{blocks[-1].get('type', '?')}]" if blocks else ""
    text = " ".join(str(content).split())
    return text if len(text) <= 60 else text[:59] + "…"


def stub_for(exchange: Exchange, number: int, redactor: Redactor, rules: RequestRules) -> dict[str, Any]:
    """The stub of one exchange, redacted (``number`` names it)."""
    request = exchange.request()
    for steps in rules.steps:
        request = without(request, steps)
    match: dict[str, Any] = {}
    if exchange.key != DEFAULT_ROUTE:
        match["route"] = exchange.key
    if exchange.key in STREAMING_ROUTES:
        match["stream"] = exchange.stream
    match["request"] = redactor.body(request)
    headers = {k: v for k, v in exchange.headers.items() if k.lower() not in TRANSPORT_HEADERS}
    recorded: dict[str, Any] = {"status": exchange.status, "headers": redactor.headers(headers)}
    if exchange.events is not None:
        events = []
        for at, name, data in exchange.events:
            event: dict[str, Any] = {"ms": round(at, 1)}
            if name is not None:
                event["event"] = name
            event["data"] = redactor.body(decode_data(data))
            events.append(event)
        recorded["events"] = events
    else:
        content = exchange.content or b""
        parsed = _parsed(content)
        if parsed is not None and orjson.dumps(parsed) == content:
            recorded["body"] = redactor.body(parsed)
        else:  # not JSON, or JSON laid out otherwise than compact: the text keeps its exact bytes
            recorded["text"] = redactor.text(content.decode("utf-8", errors="replace"))
    recorded["ms"] = round(exchange.ms, 1)
    snippet = _snippet(exchange.body)
    name = (
        f"#{number} {exchange.key}"
        + (" (stream)" if exchange.stream else "")
        + (f": {snippet}" if snippet else "")
    )
    return {"name": redactor.text(name), "times": 1, "match": match, "reply": {"recorded": recorded}}


class Cassette:
    """The file a session records into: what it held (unless ``fresh``) and what was added since.

    ``recording`` (the file's ``recording:`` section) tells the session how to redact and match; a file that has
    one keeps it, and the session's own rules are merged in.
    """

    def __init__(self, path: Path, *, fresh: bool = False) -> None:
        self.path = path
        data: Any = {}
        if not fresh and path.is_file():
            data = read_document(path).data
        data = data if isinstance(data, Mapping) else {}
        self.description: str = str(data.get("description") or "")
        self.recording: dict[str, Any] = dict(data.get("recording") or {})
        self.stubs: list[Any] = list(data.get("stubs") or [])

    def configure(self, upstream: str | None, redactor: Redactor, ignore: tuple[str, ...]) -> RequestRules:
        """Merge the session's rules into the file's; the matching rules new stubs follow."""
        if upstream is not None:
            self.recording["upstream"] = upstream
        self.recording.setdefault("ignore", list(ignore))
        for key, values in (("redact", redactor.user_patterns), ("redact_paths", redactor.paths)):
            merged = list(dict.fromkeys([*self.recording.get(key, []), *values]))
            if merged:
                self.recording[key] = merged
        if not self.description:
            self.description = f"Recorded by mockclaude {__version__}" + (
                f" from {upstream}" if upstream else ""
            )
        return RequestRules(tuple(self.recording["ignore"]))

    def add(self, exchange: Exchange, redactor: Redactor, rules: RequestRules) -> dict[str, Any]:
        """Append one exchange (redacted) and return its stub."""
        stub = stub_for(exchange, len(self.stubs) + 1, redactor, rules)
        self.stubs.append(stub)
        return stub

    def document(self) -> dict[str, Any]:
        """The file's content."""
        return {
            "version": 1,
            "description": self.description,
            "recording": self.recording,
            "stubs": self.stubs,
        }

    def save(self) -> None:
        """Write the file whole, atomically (a reader never sees half of it): YAML, or JSON for ``.json``."""
        doc = self.document()
        if self.path.suffix.lower() == ".json":
            data = orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
        else:
            data = dump_yaml(doc, COMMENT.format(version=__version__)).encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
