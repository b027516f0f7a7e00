"""``StubRegistry``: the stubs of one mock instance, how a request finds its stub, and the near-miss report.

Order: higher ``priority`` first, then the order stubs were added (files load in sorted path order, stubs in
file order); the first stub that matches wins. Stubs that test ``last_user_text`` or ``model`` for equality
are indexed by that value, so a request only visits the stubs that could match it plus the unindexed ones:
matching cost grows with the stubs a request could hit, not with the size of the script.
"""

from __future__ import annotations

import bisect
import builtins
import heapq
import itertools
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockclaude.engine.documents import read_document, script_files
from mockclaude.engine.issues import Issue, Issues, ScriptError
from mockclaude.engine.matchers import reasons
from mockclaude.engine.reply_spec import ReplySpec
from mockclaude.engine.scenarios import Scenarios
from mockclaude.engine.stubs import (
    EXHAUSTED_ITEM,
    Exhausted,
    Item,
    Stub,
    check_file,
    compile_stub,
    recording_rules,
)
from mockclaude.engine.view import RequestView

NEAR_MISSES = 3
"""How many stubs a near-miss report names."""


@dataclass(frozen=True, slots=True)
class Hit:
    """A stub that matched: the item it serves (a reply spec, a callback, or ``EXHAUSTED_ITEM``) and ``n``,
    how many requests it has served including this one."""

    stub: Stub
    item: Item | Exhausted
    n: int


class StubRegistry:
    """Add, remove, list and match stubs. Thread-safe: tests add stubs while the server thread matches."""

    def __init__(self, scenarios: Scenarios | None = None) -> None:
        self.scenarios = scenarios if scenarios is not None else Scenarios()
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._order = itertools.count()
        self._stubs: list[Stub] = []  # sorted by sort_key
        self._generic: list[Stub] = []
        self._index: dict[str, dict[str, list[Stub]]] = {}
        self._groups: dict[str, list[Stub]] = {}  # ordered groups, in insertion order
        # Thinking signatures of recorded replies -> the text each signs: a client sends them back next turn,
        # and validation accepts them (Policy.known_signatures holds this very dict).
        self.signatures: dict[str, str] = {}
        self.epoch = 0  # bumped by clear(): whoever loaded stubs in can tell they are gone

    # -- adding and removing ---------------------------------------------------------------------------------
    def add(self, spec: Mapping[str, Any], *, source: str = "<api>") -> Stub:
        """Add one stub (one entry of the fixture vocabulary); raises ``ScriptError`` listing every problem."""
        issues = Issues(source=source, stub=_label(spec))
        with self._lock:
            stub = compile_stub(spec, issues, self._next_id(), source)
            if stub is None:
                raise ScriptError(issues.items)
            self._insert(stub)
        return stub

    def load(self, path: str | Path, *, replace: bool = False) -> list[Stub]:
        """Load a script file, or every script file under a directory. All or nothing: on any problem nothing
        is added and ``ScriptError`` lists them all. ``replace`` first drops the stubs earlier loaded from
        ``path`` (reloading a changed fixture directory)."""
        root = Path(path)
        compiled: list[Stub] = []
        problems: list[Issue] = []
        with self._lock:
            for file in script_files(root):
                try:
                    doc = read_document(file)
                    entries = check_file(doc.data, str(file), doc.lines)
                except ScriptError as exc:
                    problems.extend(exc.issues)
                    continue
                rules = recording_rules(doc.data)
                for entry, issues in entries:
                    stub = compile_stub(entry, issues, "", str(file), rules)
                    problems.extend(issues.items)
                    if stub is not None:
                        compiled.append(stub)
            if problems:
                raise ScriptError(problems)
            if replace:
                prefix = str(root)
                for old in [
                    s
                    for s in self._stubs
                    if s.source == prefix or s.source.startswith(prefix.rstrip("/") + "/")
                ]:
                    self._discard(old)
            for stub in compiled:
                stub.id = self._next_id()
                self._insert(stub)
        return compiled

    def remove(self, stub_id: str) -> bool:
        """Remove the stub with this id; False when there is none."""
        with self._lock:
            stub = next((s for s in self._stubs if s.id == stub_id), None)
            if stub is None:
                return False
            self._discard(stub)
            return True

    def clear(self) -> None:
        """Remove every stub, and restart the ids (``stub_1``...) and load order.

        Stub ids salt their replies' deltas and signatures: restarting them makes a test's bytes independent of
        the tests that ran before it on the same server.
        """
        with self._lock:
            self._stubs.clear()
            self._generic.clear()
            self._index.clear()
            self._groups.clear()
            self.signatures.clear()  # in place: the policy holds this dict
            self.epoch += 1
            self._ids = itertools.count(1)
            self._order = itertools.count()

    # -- reading ---------------------------------------------------------------------------------------------
    def list(self) -> builtins.list[dict[str, Any]]:
        """Every stub, in matching order, as JSON-able summaries."""
        with self._lock:
            return [stub.describe() for stub in self._stubs]

    def stubs(self) -> builtins.list[Stub]:
        """Every stub, in matching order."""
        with self._lock:
            return list(self._stubs)

    def get(self, stub_id: str) -> Stub | None:
        """The stub with this id."""
        with self._lock:
            return next((s for s in self._stubs if s.id == stub_id), None)

    def unused(self) -> builtins.list[Stub]:
        """Stubs with a finite lifetime (``times``, ``ordered``, ``sequence``) that were not used up.

        Recordings are left out: a cassette may hold more than one test run asks for (vcrpy's default too).
        """
        with self._lock:
            return [s for s in self._stubs if s.remaining and not s.recorded]

    def __len__(self) -> int:
        return len(self._stubs)

    # -- matching --------------------------------------------------------------------------------------------
    def match(self, view: RequestView) -> Hit | None:
        """The first eligible stub whose matchers all pass; its use is counted and its scenario moved."""
        with self._lock:
            text = view.last_user_text
            for stub in self._candidates(view):
                needle = stub.needle  # a cheap prefilter, inline: most stubs of a big script fail right here
                if needle is not None and needle not in text:
                    continue
                if not all(m.test(view) for m in stub.matchers) or self._blocked(stub) is not None:
                    continue
                item = stub.take()
                if stub.sets is not None and stub.scenario is not None:
                    self.scenarios.set(stub.scenario, stub.sets)
                return Hit(stub, item, stub.matched)
        return None

    def would_match(self, view: RequestView) -> bool:
        """Whether a stub would answer ``view`` now, without counting a use (the recorder asks before it
        decides between replaying and going upstream)."""
        with self._lock:
            return any(
                all(m.test(view) for m in stub.matchers) and self._blocked(stub) is None
                for stub in self._candidates(view)
            )

    def near_misses(self, view: RequestView, limit: int = NEAR_MISSES) -> builtins.list[dict[str, Any]]:
        """The stubs closest to matching ``view``, each with every reason it does not (fewest reasons first,
        then most matchers passed, then the nearest recording). Stubs of other routes are left out."""
        with self._lock:
            scored = []
            for stub in self._stubs:
                if stub.route != view.route:
                    continue
                why = reasons(stub.matchers, view, stop_early=False)
                blocked = self._blocked(stub)
                if blocked is not None:
                    why.append(blocked)
                if why:
                    passed = len(stub.matchers) - len({r.split(":", 1)[0] for r in why})
                    far = sum(m.distance(view) for m in stub.matchers if m.distance is not None)
                    scored.append(((len(why), -passed, far, stub.sort_key), stub, why))
            scored.sort(key=lambda t: t[0])
            return [
                {"id": stub.id, "name": stub.name, "source": stub.source, "reasons": why}
                for _, stub, why in scored[:limit]
            ]

    def _candidates(self, view: RequestView) -> Iterator[Stub]:
        lists: builtins.list[list[Stub]] = [self._generic] if self._generic else []
        for key, table in self._index.items():
            hits = table.get(view.last_user_text if key == "last_user_text" else view.model)
            if hits:
                lists.append(hits)
        if len(lists) == 1:
            return iter(lists[0])
        return heapq.merge(*lists, key=_sort_key)

    def _blocked(self, stub: Stub) -> str | None:
        """Why a stub may not match right now regardless of the request (lifetime, order, scenario)."""
        if stub.used_up():
            if stub.sequence:
                return f"sequence: all {len(stub.items)} replies served (exhausted: fallthrough)"
            return f"times: used up ({stub.matched} of {stub.times})"
        if stub.ordered is not None:
            for earlier in self._groups.get(stub.ordered, []):
                if earlier is stub:
                    break
                if not earlier.used_up():
                    return f"ordered: waits for {earlier.label!r} (group {stub.ordered!r}) to be used first"
        if stub.scenario is not None and stub.requires is not None:
            state = self.scenarios.get(stub.scenario)
            if state != stub.requires:
                return f"scenario {stub.scenario!r}: requires state {stub.requires!r}, current {state!r}"
        return None

    # -- internals -------------------------------------------------------------------------------------------
    def _next_id(self) -> str:
        return f"stub_{next(self._ids)}"

    def _insert(self, stub: Stub) -> None:
        stub.order = next(self._order)
        for item in stub.items:
            if isinstance(item, ReplySpec) and item.recorded is not None:
                self.signatures.update(item.recorded.signatures)
        key = _sort_key
        bisect.insort(self._stubs, stub, key=key)
        if stub.index is None:
            bisect.insort(self._generic, stub, key=key)
        else:
            field, value = stub.index
            bisect.insort(self._index.setdefault(field, {}).setdefault(value, []), stub, key=key)
        if stub.ordered is not None:
            self._groups.setdefault(stub.ordered, []).append(stub)

    def _discard(self, stub: Stub) -> None:
        self._stubs.remove(stub)
        if stub.index is None:
            self._generic.remove(stub)
        else:
            field, value = stub.index
            bucket = self._index[field][value]
            bucket.remove(stub)
            if not bucket:
                del self._index[field][value]
                if not self._index[field]:
                    del self._index[field]
        if stub.ordered is not None:
            self._groups[stub.ordered].remove(stub)


def _sort_key(stub: Stub) -> tuple[int, int]:
    return stub.sort_key


def _label(spec: Any) -> str | None:
    name = spec.get("name") if isinstance(spec, Mapping) else None
    return name if isinstance(name, str) else None


def is_exhausted(item: object) -> bool:
    """Whether a hit's item is the marker of a sequence that ran out (``exhausted: error``)."""
    return item is EXHAUSTED_ITEM


def sources(stubs: Iterable[Stub]) -> builtins.list[str]:
    """The distinct sources of ``stubs``, in order."""
    return list(dict.fromkeys(s.source for s in stubs))
