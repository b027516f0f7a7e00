"""Stubs: match + reply + lifetime. The stub vocabulary (one entry of a script file's ``stubs:``) and its compiler.

Lifetimes (DESIGN.md rule 6): unlimited (the default), ``times: N``, ``ordered`` (stubs of one group are used
in the order they were added, one use each unless ``times`` says more), and ``sequence:`` (the N-th matching
request gets the N-th item) with a required ``exhausted`` policy: ``error``, ``repeat_last`` or
``fallthrough``. Scenarios gate stubs with ``scenario`` + ``requires`` and move with ``sets``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mockclaude.engine.canonical import DEFAULT_RULES, RequestRules, compile_rules
from mockclaude.engine.issues import Issue, Issues, ScriptError, join
from mockclaude.engine.matchers import DEFAULT_ROUTE, INDEXED_KEYS, Matcher, compile_match
from mockclaude.engine.reply_spec import ReplySpec, compile_reply

STUB_KEYS = (
    "name",
    "description",
    "priority",
    "match",
    "reply",
    "sequence",
    "exhausted",
    "times",
    "ordered",
    "scenario",
    "requires",
    "sets",
)
"""Keys of one stub (the closed vocabulary of a ``stubs:`` entry)."""
FILE_KEYS = ("version", "description", "recording", "stubs")
"""Keys at the top of a script file (``recording``: the rules of a cassette, engine/canonical.py)."""
EXHAUSTED = ("error", "repeat_last", "fallthrough")
"""What a sequence does once every item was served."""
DEFAULT_GROUP = "default"

Callback = Callable[[Any], Any]
"""A Python reply: called with the ``ValidatedRequest``, returns a reply mapping (the test facade's
``respond_with(fn)``)."""
Item = ReplySpec | Callback
Lifetime = Literal["unlimited", "times", "ordered", "sequence"]


class Exhausted:
    """The item a sequence with ``exhausted: error`` serves once it has run out."""


EXHAUSTED_ITEM = Exhausted()


@dataclass(eq=False)
class Stub:
    """A compiled stub and its live counters."""

    id: str
    name: str | None
    source: str
    matchers: list[Matcher]
    items: list[Item]  # one item for ``reply``, N for ``sequence``
    spec: Mapping[str, Any]
    priority: int = 0
    order: int = 0  # position in the registry's insertion order (ties between equal priorities)
    sequence: bool = False
    exhausted: str | None = None
    times: int | None = None
    ordered: str | None = None
    scenario: str | None = None
    requires: str | None = None
    sets: str | None = None
    matched: int = 0  # requests served by this stub
    index: tuple[str, str] | None = field(default=None)  # (match key, exact value) for the registry index
    needle: str | None = None  # last_user_text must contain it (a prefilter the registry checks inline)
    route: str = DEFAULT_ROUTE  # the endpoint it answers (recordings of count_tokens, models... name theirs)
    recorded: bool = False  # it replays a recording (``reply: {recorded: ...}``)
    rules: RequestRules = DEFAULT_RULES  # its file's recording rules (what ``request`` ignores)

    @property
    def label(self) -> str:
        """The name, or the id of an unnamed stub."""
        return self.name or self.id

    @property
    def sort_key(self) -> tuple[int, int]:
        """Higher ``priority`` first, then load order: the first stub that matches wins."""
        return (-self.priority, self.order)

    @property
    def lifetime(self) -> Lifetime:
        """Which lifetime this stub has."""
        if self.sequence:
            return "sequence"
        if self.ordered is not None:
            return "ordered"
        return "times" if self.times is not None else "unlimited"

    @property
    def remaining(self) -> int | None:
        """Uses (or sequence items) left; ``None`` when unlimited."""
        if self.sequence:
            return max(0, len(self.items) - self.matched)
        if self.times is not None:
            return max(0, self.times - self.matched)
        return None

    def used_up(self) -> bool:
        """True when the lifetime allows no further match."""
        if self.sequence:
            return self.matched >= len(self.items) and self.exhausted == "fallthrough"
        return self.times is not None and self.matched >= self.times

    def take(self) -> Item | Exhausted:
        """Count one use and return the item it serves (callers hold the registry lock)."""
        n = self.matched
        self.matched += 1
        if not self.sequence:
            return self.items[0]
        if n < len(self.items):
            return self.items[n]
        return self.items[-1] if self.exhausted == "repeat_last" else EXHAUSTED_ITEM

    def describe(self) -> dict[str, Any]:
        """The JSON-able summary ``StubRegistry.list`` returns."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "priority": self.priority,
            "lifetime": self.lifetime,
            "matched": self.matched,
            "remaining": self.remaining,
        }
        for key in ("times", "ordered", "exhausted", "scenario", "requires", "sets"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["match"] = _jsonable(self.spec.get("match", {}))
        if "sequence" in self.spec:
            out["sequence"] = _jsonable(self.spec["sequence"])
        else:
            out["reply"] = _jsonable(self.spec.get("reply"))
        return out


def _jsonable(value: Any) -> Any:
    if callable(value):
        return f"<callable {getattr(value, '__qualname__', type(value).__name__)}>"
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _item(value: Any, issues: Issues, path: str) -> Item | None:
    if callable(value):
        return value  # type: ignore[no-any-return]
    return compile_reply(value, issues, path)


def compile_stub(
    spec: Any, issues: Issues, stub_id: str, source: str, rules: RequestRules = DEFAULT_RULES
) -> Stub | None:
    """Check one stub entry against the vocabulary; ``None`` when it has problems (all of them in ``issues``).

    ``rules`` are the recording rules of its file (``recording:``), which its ``request`` matcher follows.
    """
    if not isinstance(spec, Mapping):
        issues.add("", f"a stub is a mapping with keys: {', '.join(STUB_KEYS)}")
        return None
    before = len(issues.items)
    for key in spec:
        if key not in STUB_KEYS:
            issues.add(str(key), f"unknown stub key {key!r}; allowed: {', '.join(STUB_KEYS)}")
    name = spec.get("name")
    if name is not None and not isinstance(name, str):
        issues.add("name", "expected a string")
    priority = spec.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        issues.add("priority", "expected an integer (higher priorities are tried first)")
    matchers = compile_match(spec.get("match"), issues, rules=rules)
    items: list[Item] = []
    is_sequence = "sequence" in spec
    if ("reply" in spec) == is_sequence:
        issues.add("", "a stub needs exactly one of reply or sequence")
    elif is_sequence:
        seq = spec["sequence"]
        if not isinstance(seq, list) or not seq:
            issues.add("sequence", "sequence takes a non-empty list of replies")
        else:
            compiled = [_item(entry, issues, join("sequence", i)) for i, entry in enumerate(seq)]
            items = [c for c in compiled if c is not None]
        if spec.get("exhausted") not in EXHAUSTED:
            got = spec.get("exhausted")
            what = "is required" if got is None else f"is {got!r}"
            issues.add("exhausted", f"a sequence needs exhausted: one of {', '.join(EXHAUSTED)} ({what})")
        if "times" in spec:
            issues.add("times", "times does not apply to a sequence (its length is its lifetime)")
    else:
        if "exhausted" in spec:
            issues.add("exhausted", "exhausted applies to a sequence only")
        item = _item(spec["reply"], issues, "reply")
        items = [item] if item is not None else []
    times = spec.get("times")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        issues.add("times", "expected an integer >= 1")
    ordered_raw = spec.get("ordered")
    ordered: str | None = None
    if ordered_raw is True:
        ordered = DEFAULT_GROUP
    elif isinstance(ordered_raw, str) and ordered_raw:
        ordered = ordered_raw
    elif ordered_raw not in (None, False):
        issues.add("ordered", "expected true or a group name")
    if ordered is not None and is_sequence:
        issues.add("ordered", "ordered does not apply to a sequence")
    for key in ("scenario", "requires", "sets"):
        if key in spec and not isinstance(spec[key], str):
            issues.add(key, "expected a string")
    if ("requires" in spec or "sets" in spec) and "scenario" not in spec:
        issues.add("scenario", "requires / sets need the scenario they refer to")
    if len(issues.items) > before or matchers is None:
        return None
    stub = Stub(
        id=stub_id,
        name=name,
        source=source,
        matchers=matchers,
        items=items,
        spec=spec,
        priority=priority,
        sequence=is_sequence,
        exhausted=spec.get("exhausted"),
        times=times if times is not None else (1 if ordered is not None else None),
        ordered=ordered,
        scenario=spec.get("scenario"),
        requires=spec.get("requires"),
        sets=spec.get("sets"),
    )
    route = spec["match"].get("route") if isinstance(spec.get("match"), Mapping) else None
    stub.route = route if isinstance(route, str) else DEFAULT_ROUTE
    stub.recorded = any(isinstance(i, ReplySpec) and i.recorded is not None for i in items)
    stub.rules = rules
    stub.needle = next((m.needle for m in matchers if m.key == "last_user_text" and m.needle), None)
    for key in INDEXED_KEYS:
        hit = next((m.index for m in matchers if m.key == key and m.index is not None), None)
        if hit is not None:
            stub.index = hit
            break
    return stub


def check_file(data: Any, source: str, lines: Mapping[str, int]) -> list[tuple[Any, Issues]]:
    """The stub entries of a script file, each with an ``Issues`` bound to its location.

    File-level problems (no ``version: 1``, unknown top-level keys) raise ``ScriptError`` right away.
    """
    top = Issues(source=source, lines=lines)
    if not isinstance(data, Mapping):
        top.add("", "a script file is a mapping with keys: " + ", ".join(FILE_KEYS))
        raise ScriptError(top.items)
    for key in data:
        if key not in FILE_KEYS:
            top.add(str(key), f"unknown top-level key {key!r}; allowed: {', '.join(FILE_KEYS)}")
    if "recording" in data:
        compile_rules(data["recording"], top)
    if data.get("version") != 1:
        top.add("version", f"a script file starts with version: 1 (got {data.get('version')!r})")
    stubs = data.get("stubs", [])
    if not isinstance(stubs, list):
        top.add("stubs", "stubs takes a list of stubs")
    if top:
        raise ScriptError(top.items)
    out: list[tuple[Any, Issues]] = []
    for i, entry in enumerate(stubs):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        label = name if isinstance(name, str) else f"stubs[{i}]"
        out.append((entry, Issues(source=source, stub=label, root=f"stubs[{i}]", lines=lines)))
    return out


def recording_rules(data: Any) -> RequestRules:
    """The recording rules of a script file's data (checked by ``check_file``; the defaults when it has none)."""
    if not isinstance(data, Mapping):
        return DEFAULT_RULES
    return compile_rules(data.get("recording"), Issues())


def raise_if(issues: list[Issue]) -> None:
    """Raise ``ScriptError`` when there is anything to report."""
    if issues:
        raise ScriptError(issues)
