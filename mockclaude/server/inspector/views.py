"""What the inspector shows of a journal entry: a one-line summary, the full detail, conversation threads.

Pure functions over the journal and the pipeline's state (no HTTP): the routes in :mod:`.routes` serve them as
JSON, and the page (``static/``) lays them out. Nothing here changes state, and nothing runs on the request path:
an entry is summarised when the page asks, or when the events stream sends it.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from decimal import Decimal
from typing import Any

import orjson

from mockclaude.cache.cost import prices
from mockclaude.clock import rfc3339
from mockclaude.engine.journal import Journal, JournalEntry
from mockclaude.model.reply import Reply
from mockclaude.pipeline import Pipeline
from mockclaude.render.sse import frames
from mockclaude.server.pacing import plan_waits

JSON = dict[str, Any]
PREVIEW = 300  # characters of user text and reply text in a summary
_MILLION = Decimal(1_000_000)
_REMINDER = "<system-reminder>"  # Claude Code's injected context blocks: not what the user typed
_OLD_SESSION = re.compile(r"_session_([0-9a-fA-F-]{8,})")  # user_<hash>_account_<uuid>_session_<uuid>


def _cut(text: str, limit: int = PREVIEW) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _typed_text(content: Any) -> str:
    """The text a person typed in one message: its text blocks, without Claude Code's system reminders."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts = [
        b["text"]
        for b in content
        if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)
    ]
    typed = [p for p in parts if not p.lstrip().startswith(_REMINDER)]
    return "\n".join(typed or parts)


def _messages(body: Any) -> list[JSON]:
    messages = body.get("messages") if isinstance(body, dict) else None
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def _last_user_text(messages: list[JSON]) -> str:
    """The last user message as one line: what was typed, or the tool results it carries (``↩ Read: ...``)."""
    names = {
        b.get("id"): b.get("name")
        for m in messages
        if m.get("role") == "assistant" and isinstance(m.get("content"), list)
        for b in m["content"]
        if isinstance(b, dict) and b.get("type") == "tool_use"
    }
    for message in reversed(messages):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        results = [b for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result"]
        if results:
            return "  ".join(
                f"↩ {names.get(b.get('tool_use_id')) or 'tool'}: {_result_text(b)}" for b in results
            )
        return _typed_text(content)
    return ""


def _result_text(block: JSON) -> str:
    content = block.get("content")
    text = content if isinstance(content, str) else _typed_text(content)
    return " ".join(text.split())[:PREVIEW]


def _first_user(messages: list[JSON]) -> JSON | None:
    return next((m for m in messages if m.get("role") == "user"), None)


def session_of(entry: JournalEntry, headers: dict[str, str], body: Any, api_key: str) -> tuple[str, str]:
    """The conversation an entry belongs to, as ``(key, kind)``: Claude Code's session id (its
    ``x-claude-code-session-id`` header, or the ``session_id`` inside ``metadata.user_id``), else the API key and
    the first user message (a client that resends the history keeps it), else the entry alone."""
    session = headers.get("x-claude-code-session-id")
    kind = "claude-code"
    if not session:
        metadata = body.get("metadata") if isinstance(body, dict) else None
        user_id = metadata.get("user_id") if isinstance(metadata, dict) else None
        if isinstance(user_id, str):
            session, kind = _session_in(user_id), "metadata"
    if session:
        return f"session:{session}", kind
    first = _first_user(_messages(body))
    if first is None:
        return f"entry:{entry.index}", "entry"
    digest = hashlib.sha1(api_key.encode() + b"\0" + orjson.dumps(first.get("content"))).hexdigest()[:12]
    return f"first:{digest}", "first-message"


def _session_in(user_id: str) -> str | None:
    if user_id.startswith("{"):  # Claude Code 2.x: a JSON object with device, account and session ids
        try:
            data = orjson.loads(user_id)
        except orjson.JSONDecodeError:
            return None
        session = data.get("session_id") if isinstance(data, dict) else None
        return session if isinstance(session, str) and session else None
    found = _OLD_SESSION.search(user_id)
    return found.group(1) if found else None


def api_key_of(headers: dict[str, str]) -> str:
    """The caller's key as the journal keeps it (``headers``: cut to a short prefix), or ``""``."""
    key = headers.get("x-api-key")
    if key is None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        key = token if scheme.lower() == "bearer" else None
    return key or ""


def decided(entry: JournalEntry, pipeline: Pipeline) -> JSON:
    """What decided the answer: ``kind`` (stub, rule, generated, strict, error, counted, batch), the stub's id and
    name or the behaviour rule, and a one-line ``text``."""
    if entry.stub_id is not None:
        stub = pipeline.engine.stubs.get(entry.stub_id)
        name = stub.name if stub is not None else None
        label = f"stub {name!r} ({entry.stub_id})" if name else f"stub {entry.stub_id}"
        return {
            "kind": "stub",
            "stub_id": entry.stub_id,
            "name": name,
            "source": stub.source if stub is not None else None,
            "text": label if entry.ok else f"{label}: scripted {_error_type(entry)}",
        }
    if entry.endpoint == "count_tokens":
        return {"kind": "counted", "text": "count_tokens" if entry.ok else f"{_error_type(entry)}"}
    if entry.endpoint == "batches":
        return {"kind": "batch", "text": "batch created" if entry.ok else f"{_error_type(entry)}"}
    if entry.ok:
        if entry.rule is not None:
            return {"kind": "rule", "rule": entry.rule, "text": f"rule {entry.rule}"}
        return {"kind": "generated", "text": "generated (no rule)"}
    if entry.unmatched:
        return {"kind": "strict", "text": "no stub matched (strict mode)"}
    return {"kind": "error", "text": f"{_error_type(entry)} before the engine"}


def _error_type(entry: JournalEntry) -> str:
    error = (entry.error or {}).get("error")
    return str(error.get("type")) if isinstance(error, dict) else f"status {entry.status}"


def cost_of(usage: JSON | None, model: str | None, pipeline: Pipeline) -> JSON | None:
    """USD for one reply's usage at the model's prices (the table ``GET /_mock/usage`` uses), per kind of token."""
    if not usage or model is None:
        return None
    spec = pipeline.policy.catalog.resolve(model)
    if spec is None:
        return None
    table = prices(spec)
    creation = usage.get("cache_creation")
    if isinstance(creation, dict):
        w5, w1 = creation.get("ephemeral_5m_input_tokens", 0), creation.get("ephemeral_1h_input_tokens", 0)
    else:
        w5, w1 = usage.get("cache_creation_input_tokens", 0), 0
    tokens = {
        "input": usage.get("input_tokens", 0),
        "cache_write_5m": w5,
        "cache_write_1h": w1,
        "cache_read": usage.get("cache_read_input_tokens", 0),
        "output": usage.get("output_tokens", 0),
    }
    parts = {name: Decimal(int(n or 0)) * getattr(table, name) / _MILLION for name, n in tokens.items()}
    out = {name: float(round(value, 10)) for name, value in parts.items()}
    out["total"] = float(round(sum(parts.values(), Decimal(0)), 10))
    return out


_SLACK = 64  # memo rows beyond the journal's length before the rows of dropped entries are pruned
# Per journal (a rebuilt pipeline's journal takes its memo with it): index -> (entry, summary facts, turn).
_memos: weakref.WeakKeyDictionary[Journal, dict[int, tuple[JournalEntry, JSON, JSON]]] = (
    weakref.WeakKeyDictionary()
)


def _facts(entry: JournalEntry, pipeline: Pipeline) -> tuple[JSON, JSON]:
    """An entry's summary (but what decided it) and its turn (what was new in it, what was answered), worked out
    once: an entry never changes, and parsing a long agent conversation is the costly part. The memo holds about
    the entries the journal holds, no more: rows of entries it dropped or cleared are pruned."""
    journal = pipeline.journal
    memo = _memos.get(journal)
    if memo is None:
        memo = _memos[journal] = {}
    hit = memo.get(entry.index)
    if hit is not None and hit[0] is entry:
        return hit[1], hit[2]
    body = entry.body
    messages = _messages(body)
    reply = entry.reply
    headers = entry.headers
    key = api_key_of(headers)
    session, kind = session_of(entry, headers, body, key)
    first = _first_user(messages)
    content = reply.get("content") if isinstance(reply, dict) else None
    blocks = [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []
    model = entry.model
    served_model = reply.get("model") if isinstance(reply, dict) else None
    error = (entry.error or {}).get("error")
    row = {
        "index": entry.index,
        "time": entry.time,
        "at": rfc3339(entry.time),
        "endpoint": entry.endpoint,
        "status": entry.status,
        "stream": entry.stream,
        "request_id": entry.request_id,
        "model": model,
        "key": key,
        "user_agent": headers.get("user-agent", ""),
        "session": session,
        "session_kind": kind,
        "prompt": _cut(_typed_text(first.get("content")) if first else ""),
        "user_text": _cut(_last_user_text(messages)),
        "message_count": len(messages),
        "unmatched": entry.unmatched,
        "usage": entry.usage,
        "counted": reply.get("input_tokens") if entry.endpoint == "count_tokens" and reply else None,
        "cost": cost_of(entry.usage, served_model if isinstance(served_model, str) else model, pipeline),
        "stop_reason": reply.get("stop_reason") if isinstance(reply, dict) else None,
        "reply_text": _cut("".join(str(b.get("text", "")) for b in blocks if b.get("type") == "text")),
        "tool_calls": [
            str(b.get("name")) for b in blocks if b.get("type") in ("tool_use", "server_tool_use")
        ],
        "error": {"type": error.get("type"), "message": error.get("message")}
        if isinstance(error, dict)
        else None,
        "fault": entry.fault.get("kind") if entry.fault else None,
    }
    last = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
    turn = {"input": messages[last + 1 :], "reply": content, "error_body": entry.error}
    memo[entry.index] = (entry, row, turn)
    if len(memo) > len(journal) + _SLACK:
        live = {id(e) for e in journal.entries()}
        for index in [i for i, (e, _, _) in memo.items() if id(e) not in live]:
            del memo[index]
    return row, turn


def summary(entry: JournalEntry, pipeline: Pipeline) -> JSON:
    """One row of the journal list: enough to filter and group on, and the user text, usage and decision."""
    row, _ = _facts(entry, pipeline)
    return {**row, "decided": decided(entry, pipeline)}


def sse_events(entry: JournalEntry, pipeline: Pipeline) -> JSON | None:
    """The events of a streamed reply as the renderer lays them out, with the pacing the server planned for them
    (the same ``plan_waits`` on the same latency, time scale and seed: clock time, not a measurement), and where a
    fault struck. None when the entry holds no decided reply (errors, count_tokens, batches)."""
    reply = getattr(entry.reply_source, "reply", None)
    if not isinstance(reply, Reply):
        return None
    out = frames(reply)
    latency = reply.latency
    scale = latency.scale(pipeline.settings.time_scale) if latency is not None else 0.0
    waits = plan_waits(out, reply, latency, scale, pipeline.seed) if latency is not None else [0.0] * len(out)
    strike = reply.fault.strikes_at(len(out)) if reply.fault is not None else None
    events: list[JSON] = []
    at = 0.0
    for index, (frame, wait) in enumerate(zip(out, waits, strict=True)):
        at += wait
        head, _, data = frame.decode().strip().partition("\ndata: ")
        events.append(
            {
                "event": head.removeprefix("event: "),
                "data": orjson.loads(data),
                "wait_ms": round(wait * 1000, 1),
                "at_ms": round(at * 1000, 1),
                "fault": index == strike,
            }
        )
    return {"paced": scale > 0, "time_scale": scale, "fault": entry.fault, "events": events}


def detail(entry: JournalEntry, pipeline: Pipeline) -> JSON:
    """Everything about one entry: the journal's JSON, the summary, the stub that answered (with its counters
    now) or the near misses of an unmatched request (against the stubs loaded now), the cost and the SSE events."""
    out = entry.to_json()
    out["summary"] = summary(entry, pipeline)
    stub = pipeline.engine.stubs.get(entry.stub_id) if entry.stub_id is not None else None
    out["stub"] = stub.describe() if stub is not None else None
    out["near_misses"] = (
        pipeline.engine.near_misses(entry.request) if entry.unmatched and entry.request is not None else []
    )
    out["sse"] = sse_events(entry, pipeline) if entry.stream else None
    return out


def thread(entries: list[JournalEntry], session: str, pipeline: Pipeline, after: int = -1) -> JSON:
    """One conversation as turns, oldest first: per request, what was new in it (the messages after the last
    assistant turn) and what was answered. ``after``: only the turns of requests after that index (a page that
    has the rest); without it, the first request's system prompt and tool names head the thread."""
    turns: list[JSON] = []
    head: JSON = {}
    for entry in entries:
        row, turn = _facts(entry, pipeline)
        if row["session"] != session or entry.endpoint == "batches":
            continue
        if after < 0 and not head and isinstance(body := entry.body, dict):
            tools = body.get("tools")
            names = [t.get("name") for t in tools if isinstance(t, dict)] if isinstance(tools, list) else []
            head = {"system": body.get("system"), "tools": names, "model": body.get("model")}
        if entry.index > after:
            turns.append({**row, "decided": decided(entry, pipeline), **turn})
    return {"session": session, **head, "turns": turns}
