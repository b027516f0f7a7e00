"""Reading the journal back: ``search`` (``assert_called``), ``problems`` (``check()``) and ``summary`` lines.

Split from :mod:`mockclaude.engine.journal`, which records requests on the request path and knows nothing of
matching or reporting: this module runs only when somebody asks about what was received (a test, or the
``/_mock/`` control plane). It matches journal entries against the ``match:`` vocabulary (validating a body
again when the pipeline stopped before the engine) and writes the report lines ``check()`` fails with.
``journal`` re-exports its public names, so ``from mockclaude.engine.journal import search`` keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mockclaude.engine.core import Engine
from mockclaude.engine.issues import Issues, ScriptError
from mockclaude.engine.matchers import compile_match, reasons
from mockclaude.engine.view import RequestView
from mockclaude.model.errors import ApiError
from mockclaude.model.request import Policy, ValidatedRequest
from mockclaude.validate.request import validate_request

if TYPE_CHECKING:
    from mockclaude.engine.journal import Journal, JournalEntry

__all__ = ["problems", "search", "summary"]


def _request_of(entry: JournalEntry, policy: Policy | None) -> ValidatedRequest | str:
    """The entry's validated request, validating its body again when the pipeline stopped before the engine
    (a rate limit, chaos); the reason when it is not a valid request."""
    if entry.request is not None:
        return entry.request
    if entry.endpoint == "batches" or policy is None:
        return f"{entry.endpoint} request (a batch create holds no single request to match)"
    try:  # the journal's key is redacted: accept any key for this second look
        return validate_request(
            entry.raw_body, entry.headers, replace(policy, api_keys=None), kind=entry.endpoint
        )
    except ApiError as error:
        return f"invalid request ({error.status} {error.error_type}: {error.message})"


def search(
    entries: list[JournalEntry], match: Mapping[str, Any], policy: Policy | None = None
) -> tuple[list[JournalEntry], list[tuple[JournalEntry, list[str]]]]:
    """The Messages requests among ``entries`` that ``match`` (the ``match:`` vocabulary), and the others with
    the reasons they do not. Raises ``ScriptError`` when ``match`` itself is invalid."""
    issues = Issues(source="<assert_called>")
    matchers = compile_match(dict(match), issues)
    if matchers is None:
        raise ScriptError(issues.items)
    found: list[JournalEntry] = []
    misses: list[tuple[JournalEntry, list[str]]] = []
    for entry in entries:
        if not matchers:  # no conditions: every request counts, whatever its endpoint holds
            found.append(entry)
            continue
        req = _request_of(entry, policy)
        if isinstance(req, str):
            misses.append((entry, [req]))
            continue
        why = reasons(matchers, RequestView(req), stop_early=False)
        if why:
            misses.append((entry, why))
        else:
            found.append(entry)
    return found, misses


def summary(entry: JournalEntry) -> str:
    """One line about an entry: ``#2 messages claude-sonnet-4-6 "last user text" -> 200 (stub_1)``."""
    req = entry.request
    text = ""
    if req is not None and entry.endpoint == "messages":
        text = RequestView(req).last_user_text
    elif (
        isinstance(body := entry.body, dict)
        and isinstance(messages := body.get("messages"), list)
        and messages
    ):
        last = messages[-1]
        content = last.get("content") if isinstance(last, dict) else None
        text = content if isinstance(content, str) else ""
    text = text.replace("\n", " ")
    text = text if len(text) <= 48 else text[:47] + "…"
    by = f" ({entry.stub_id})" if entry.stub_id else ""
    return f"#{entry.index} {entry.endpoint} {entry.model} {text!r} -> {entry.status}{by}"


def problems(engine: Engine, journal: Journal) -> list[str]:
    """What ``check()`` fails on, as report lines ([] when all is well): requests no stub matched in strict
    mode (with their near misses), stubs whose ``times`` / ordered / sequence lifetime was not used up (with
    the requests that came closest), and exceptions raised by reply callbacks (with their tracebacks)."""
    lines: list[str] = []
    entries = journal.entries()
    if engine.strict:
        missed = [e for e in entries if e.unmatched]
        if missed:
            lines.append(f"{len(missed)} request{'s' * (len(missed) != 1)} matched no stub (strict mode):")
        for entry in missed:
            lines.append(f"  {summary(entry)}")
            near = engine.near_misses(entry.request) if entry.request is not None else []
            lines.extend(f"    near miss {_label(m)}: {'; '.join(m['reasons'])}" for m in near)
            if not near:
                lines.append("    (no stubs loaded)")
    unused = engine.stubs.unused()
    if unused:
        lines.append(f"{len(unused)} stub{'s' * (len(unused) != 1)} not used up:")
    for stub in unused:
        total = len(stub.items) if stub.sequence else stub.times
        lines.append(
            f"  {stub.label!r} ({stub.source}, {stub.lifetime}): matched {stub.matched} of {total} requests"
        )
        nearest = sorted(
            (
                (reasons(stub.matchers, RequestView(e.request), stop_early=False), e)
                for e in entries
                if e.request
            ),
            key=lambda pair: len(pair[0]),
        )
        for why, entry in nearest[:3]:
            if why:
                lines.append(f"    {summary(entry)}: {'; '.join(why)}")
            elif entry.stub_id != stub.id:
                other = entry.stub_id or "nothing (it was not eligible: ordered / scenario)"
                lines.append(f"    {summary(entry)}: matches, but {other} answered it")
        if not nearest:
            lines.append("    (no requests received)")
    errors = engine.callback_errors
    if errors:
        lines.append(f"{len(errors)} reply callback error{'s' * (len(errors) != 1)}:")
    for error in errors:
        lines.append(f"  stub {error['name'] or error['stub']!r}: {error['error']}")
        lines.extend("    " + line for line in str(error.get("traceback") or "").rstrip().splitlines())
    return lines


def _label(miss: Mapping[str, Any]) -> str:
    return f"{miss.get('name') or miss.get('id')!r} ({miss.get('source')})"
