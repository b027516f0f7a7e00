"""The request journal: every Messages, count_tokens and batch create request a mock received, and what it served.

The pipeline records each request exactly once, whatever happened to it (a reply, a validation error, a scripted
error, a strict-mode miss), so a test can assert on what its code sent and what it got back:

    entry = mock.journal[-1]
    entry.body["messages"][-1]["content"]   # the JSON the client sent
    entry.status, entry.reply, entry.usage   # what was served

Recording is cheap on the request path: the body is kept as the raw bytes and parsed only when a test reads it.
The journal is bounded (``Settings.journal_size``, oldest dropped first) so a long-running ``serve`` stays flat.
Listeners (the live inspector, ``GET /_mock/events``) ``subscribe`` to hear of each entry as it is recorded; with
none, recording costs one empty-tuple test more.
Reading it back for ``assert_called`` and ``check()`` (``search``, ``problems``, ``summary``) lives in
:mod:`mockclaude.engine.journal_checks` and is re-exported here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from mockclaude.engine.core import Decision, Engine, NoStubMatchedError
from mockclaude.engine.journal_checks import problems, search, summary
from mockclaude.engine.journal_size import JOURNAL_BYTES, entry_cost, shorten
from mockclaude.model.errors import ApiError, InternalServerError
from mockclaude.model.faults import Fault
from mockclaude.model.jsonbody import loads
from mockclaude.model.request import ValidatedRequest
from mockclaude.model.secrets import redact, redact_headers

__all__ = [
    "Endpoint",
    "Journal",
    "JournalEntry",
    "Pending",
    "journal_headers",
    "problems",  # reading the journal back lives in journal_checks; re-exported here
    "redact",
    "search",
    "summary",
]

JSON = dict[str, Any]
Endpoint = Literal["messages", "count_tokens", "batches"]  # batches: POST /v1/messages/batches


def journal_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Request headers as the journal keeps them: lower-cased names, credentials (keys, bearer tokens, the admin
    token, cookies: ``model.secrets``) redacted."""
    return redact_headers(headers)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One request and what was served for it.

    ``reply`` is the Message JSON (for ``count_tokens``: ``{"input_tokens": n}``; for ``batches``: the MessageBatch
    as created) when the status is 200, else ``error`` is the error body the client received. ``stub_id`` names
    the stub that answered (None when the reply was generated or the request failed before the engine);
    ``unmatched`` is True when stubs were consulted and none matched.
    """

    index: int
    endpoint: Endpoint
    request_id: str | None
    time: float
    raw_headers: Mapping[str, str] = field(repr=False)
    raw_body: bytes = field(repr=False)
    status: int
    stream: bool = False
    # The served reply, or a function that renders it: recording stays cheap on the request path, and the JSON
    # is built only when somebody reads the journal.
    reply_source: JSON | Callable[[], JSON] | None = field(default=None, repr=False)
    error: JSON | None = None
    stub_id: str | None = None
    unmatched: bool = False
    rule: str | None = None  # a generated reply: the behaviour rule that decided (engine/behave)
    fault: JSON | None = None  # a fault the server acted out on this reply (a cut stream, a stall...)
    request: ValidatedRequest | None = field(default=None, repr=False, compare=False)

    @property
    def headers(self) -> dict[str, str]:
        """Request headers: lower-cased names, credentials cut to a short prefix."""
        return journal_headers(self.raw_headers)

    @property
    def reply(self) -> JSON | None:
        """The Message JSON served (for ``count_tokens``: ``{"input_tokens": n}``); None for errors."""
        source = self.reply_source
        return source() if callable(source) else source

    @property
    def body(self) -> Any:
        """The request body as the client sent it, parsed (the raw text when it was not JSON)."""
        try:  # nested past validate's limit (and refused for it): shown as text, which serialises
            return loads(self.raw_body)
        except orjson.JSONDecodeError:
            return self.raw_body.decode("utf-8", "replace")

    @property
    def ok(self) -> bool:
        """True when the request was answered with 200."""
        return self.status == 200

    @property
    def model(self) -> str | None:
        """The ``model`` the client asked for, if the body named one."""
        body = self.body
        model = body.get("model") if isinstance(body, dict) else None
        return model if isinstance(model, str) else None

    @property
    def usage(self) -> JSON | None:
        """The ``usage`` object served (None for errors and count_tokens)."""
        if self.reply is None:
            return None
        usage = self.reply.get("usage")
        return usage if isinstance(usage, dict) else None

    @property
    def text(self) -> str:
        """The text of the served reply's text blocks, joined (empty for errors)."""
        if self.reply is None:
            return ""
        content = self.reply.get("content") or []
        return "".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")

    def to_json(self) -> JSON:
        """The JSON form served by ``GET /_mock/journal``."""
        return {
            "index": self.index,
            "endpoint": self.endpoint,
            "request_id": self.request_id,
            "time": self.time,
            "headers": self.headers,
            "body": self.body,
            "status": self.status,
            "stream": self.stream,
            "reply": self.reply,
            "error": self.error,
            "usage": self.usage,
            "stub_id": self.stub_id,
            "unmatched": self.unmatched,
            "rule": self.rule,
            "fault": self.fault,
        }


class Pending:
    """One request on its way through the pipeline; exactly one of ``served`` / ``counted`` / ``failed`` records
    it."""

    __slots__ = ("_decision", "_fields", "_journal")

    def __init__(
        self, journal: Journal, fields: dict[str, Any], decision: Decision | None, original: int = 0
    ) -> None:
        self._journal = journal
        self._fields = {**fields, "original": original}  # the body's size as sent (it may be kept shortened)
        self._decision = decision

    def served(
        self,
        reply: JSON | Callable[[], JSON],
        stream: bool,
        request: ValidatedRequest,
        fault: Fault | None = None,
    ) -> JournalEntry:
        """A Messages reply (200): which stub answered, if any, and the fault the server will act out."""
        hit = self._decision.hit if self._decision is not None else None
        stub_id = hit.stub.id if hit is not None else None
        return self._journal._append(
            **self._fields,
            status=200,
            stream=stream,
            reply_source=reply,
            request=request,
            stub_id=stub_id,
            unmatched=stub_id is None,
            rule=self._decision.rule if self._decision is not None else None,
            fault=dataclasses.asdict(fault) if fault is not None else None,
        )

    def counted(self, total: object) -> JournalEntry:
        """A count_tokens answer (200)."""
        return self._journal._append(**self._fields, status=200, reply_source={"input_tokens": total})

    def answered(self, reply: JSON | Callable[[], JSON]) -> JournalEntry:
        """Any other JSON answer (200), or a function that renders it: a batch create's MessageBatch."""
        return self._journal._append(**self._fields, status=200, reply_source=reply)

    def failed(self, exc: BaseException) -> JournalEntry:
        """An error answer: the API error the server turns ``exc`` into (anything else is a 500)."""
        error = exc if isinstance(exc, ApiError) else InternalServerError()
        decision = self._decision
        hit, view = (decision.hit, decision.view) if decision is not None else (None, None)
        return self._journal._append(
            **self._fields,
            status=error.status,
            stream=self._fields["endpoint"] == "messages" and _streamed(self._fields["raw_body"]),
            error=error.body(self._fields["request_id"]),
            request=view.req if view is not None else None,
            stub_id=hit.stub.id if hit is not None else None,
            unmatched=isinstance(exc, NoStubMatchedError),
        )


def _streamed(body: bytes) -> bool:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return isinstance(data, dict) and data.get("stream") is True


class Journal:
    """A bounded, thread-safe log of :class:`JournalEntry` (the server thread writes, the test thread reads)."""

    def __init__(self, maxlen: int = 1000, max_bytes: int = JOURNAL_BYTES) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=max(1, maxlen))
        self._costs: deque[int] = deque()  # beside _entries: each one's estimated bytes (journal_size)
        self._bytes = 0
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._count = 0
        # Replaced, never mutated, so _append reads it without the lock; empty: nobody listens, nothing is done.
        self._listeners: tuple[Callable[[JournalEntry | None], None], ...] = ()

    def subscribe(self, listener: Callable[[JournalEntry | None], None]) -> Callable[[], None]:
        """Call ``listener(entry)`` after each entry is recorded, and ``listener(None)`` when the journal is
        cleared; returns the function that unsubscribes it. Listeners run on the recording thread, so they must
        be quick and must not raise (an exception is swallowed: a listener never fails a request)."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = tuple(fn for fn in self._listeners if fn is not listener)

        return unsubscribe

    def _notify(self, entry: JournalEntry | None) -> None:
        for listener in self._listeners:
            with contextlib.suppress(Exception):  # a listener's bug must not fail the request being recorded
                listener(entry)

    @property
    def size_bytes(self) -> int:
        """About how many bytes the kept entries hold (bounded by ``max_bytes``; the newest is always kept)."""
        return self._bytes

    @property
    def maxlen(self) -> int:
        """How many entries are kept (the oldest go first)."""
        return self._entries.maxlen or 0

    @property
    def total(self) -> int:
        """Requests recorded since the last ``clear``, including those dropped for the bound."""
        return self._count

    def begin(
        self,
        endpoint: Endpoint,
        request_id: str | None,
        time: float,
        headers: Mapping[str, str],
        body: bytes,
        engine: Engine | None = None,
    ) -> Pending:
        """Start recording one request (the pipeline wraps each endpoint stage with this); ``engine``'s decision
        for it tells which stub answered."""
        decision = engine.decision if engine is not None else None
        if decision is not None:  # forget the previous request's decision on this thread
            decision.view = decision.hit = None
            decision.rule = None
        fields = {
            "endpoint": endpoint,
            "request_id": request_id,
            "time": time,
            "headers": headers,
            "raw_body": shorten(body),  # a large body is kept shortened, with a marker (journal_size)
        }
        return Pending(self, fields, decision, len(body))

    def _append(self, headers: Mapping[str, str], original: int = 0, **fields: Any) -> JournalEntry:
        if len(fields["raw_body"]) != original and fields.get("request") is not None:
            fields["request"] = None  # a shortened body does not keep its (large) parsed request either
        cost = entry_cost(fields["raw_body"], headers, fields.get("request") is not None, original)
        with self._lock:
            entry = JournalEntry(index=self._count, raw_headers=headers, **fields)
            self._count += 1
            if len(self._entries) == self._entries.maxlen:
                self._bytes -= self._costs.popleft()
            self._entries.append(entry)
            self._costs.append(cost)
            self._bytes += cost
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                self._entries.popleft()
                self._bytes -= self._costs.popleft()
        if self._listeners:
            self._notify(entry)
        return entry

    def entries(self) -> list[JournalEntry]:
        """A snapshot of the kept entries, oldest first."""
        with self._lock:
            return list(self._entries)

    def unmatched(self) -> list[JournalEntry]:
        """The entries no stub matched (answered by generation, or by the strict-mode error)."""
        return [e for e in self.entries() if e.unmatched]

    def clear(self) -> None:
        """Forget every entry and restart the index at 0."""
        with self._lock:
            self._entries.clear()
            self._costs.clear()
            self._bytes = 0
            self._count = 0
        if self._listeners:
            self._notify(None)

    @property
    def last(self) -> JournalEntry | None:
        """The most recent entry, if any."""
        with self._lock:
            return self._entries[-1] if self._entries else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries())

    def __getitem__(self, index: int) -> JournalEntry:
        with self._lock:
            return self._entries[index]

    def __repr__(self) -> str:
        return f"<Journal {len(self)} entries>"
