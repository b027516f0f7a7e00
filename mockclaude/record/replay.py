"""Replaying the recordings the engine does not serve: every route but ``POST /v1/messages``.

Messages recordings are stubs the engine answers like any other (so the journal, ``--recount`` and the strict
near-miss report apply). The others (count_tokens, models, batches, chat completions...) are looked up here,
among the same compiled stubs, by route, ``request`` and ``stream``; each is played once, in file order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mockclaude.engine.canonical import distance, first_difference
from mockclaude.engine.recorded import RecordedSpec
from mockclaude.engine.reply_spec import ReplySpec
from mockclaude.engine.stubs import Stub

NEAREST = 3
"""How many recordings a miss names."""


def live_request(body: Any, query: dict[str, str]) -> Any:
    """What a live request is matched on: its JSON body (``stream`` aside), else its query."""
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k != "stream"}
    return body if body is not None else dict(query)


def differences(stub: Stub, request: Any, stream: bool) -> list[str]:
    """Why ``stub`` does not record this request (empty: it does)."""
    match = stub.spec.get("match") or {}
    out: list[str] = []
    if "stream" in match and bool(match["stream"]) != stream:
        out.append(f"stream: expected {bool(match['stream'])}, got {stream}")
    if "request" in match:
        found = first_difference(stub.rules.canonical(match["request"]), stub.rules.canonical(request))
        if found is not None:
            out.append(f"request: differs at {found}")
    return out


def recorded_answer(stub: Stub) -> RecordedSpec | None:
    """The recording a stub replays."""
    item = stub.items[0] if stub.items else None
    return item.recorded if isinstance(item, ReplySpec) else None


def find(stubs: Iterable[Stub], route: str, request: Any, stream: bool) -> Stub | None:
    """The first recording of ``route`` for this request not played yet; its play is counted."""
    for stub in stubs:
        if (
            stub.route == route
            and stub.recorded
            and not stub.used_up()
            and not differences(stub, request, stream)
        ):
            stub.take()
            return stub
    return None


def miss_message(stubs: Iterable[Stub], route: str, request: Any, stream: bool, mode: str) -> str:
    """The text of a miss: the nearest recordings of the route and how the request differs from each."""
    head = f"mockclaude: no recording matches {route} (record mode {mode})"
    scored = []
    for stub in stubs:
        if stub.route != route or not stub.recorded:
            continue
        why = differences(stub, request, stream)
        if stub.used_up():
            why.append(f"times: played already ({stub.matched} of {stub.times})")
        match = stub.spec.get("match") or {}
        far = distance(stub.rules.canonical(match.get("request")), stub.rules.canonical(request))
        scored.append(((len(why), far, stub.sort_key), stub, why))
    if not scored:
        return f"{head}; the cassette holds no recording of {route}."
    scored.sort(key=lambda t: t[0])
    parts = [
        f"{i}) {s.label!r} ({s.source}): " + "; ".join(why)
        for i, (_, s, why) in enumerate(scored[:NEAREST], 1)
    ]
    return f"{head}. Nearest of {len(scored)} recording{'s' * (len(scored) != 1)}: " + " | ".join(parts)
