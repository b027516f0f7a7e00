"""The canonical request of a recording, and how a live request differs from it (the ``request`` matcher).

A recording is matched on the request body as the client sent it, in a canonical form: ``stream`` left out (the
``stream`` matcher tests it), a string ``system`` or message ``content`` as the one text block it stands for, and
the paths the file ignores removed (by default ``$.metadata``: Claude Code and the SDKs put session and device ids
there). A recorded string holding ``[REDACTED]`` matches any text in its place: what redaction replaced before
the file was written cannot be compared, and a value redacted whole (by a JSON path) matches any value.

``first_difference`` names the first place, in document order, where the live request leaves the recording: that
is the reason a near-miss report gives (DESIGN.md rule 5); ``distance`` ranks the recordings of a miss.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mockclaude.engine.issues import Issues, join
from mockclaude.engine.jsonpath import Steps, parse_json_path, without
from mockclaude.engine.ops import MISSING, short

REDACTED = "[REDACTED]"
"""What redaction writes in place of a secret; in a recorded request it matches any text."""
DEFAULT_IGNORE = ("$.metadata",)
"""Request paths a recording ignores unless its file says otherwise."""
RECORDING_KEYS = ("upstream", "ignore", "redact", "redact_paths")
"""Keys of a script file's ``recording:`` section (the rules of a cassette)."""


@dataclass(frozen=True, slots=True)
class RequestRules:
    """How the recordings of one file are matched: the request paths left out of the comparison."""

    ignore: tuple[str, ...] = DEFAULT_IGNORE
    steps: tuple[Steps, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.steps:
            parsed = tuple(parse_json_path(path) for path in self.ignore)
            object.__setattr__(self, "steps", tuple(p for p in parsed if p is not None))

    def canonical(self, body: Any) -> Any:
        """``body`` in canonical form with the ignored paths removed."""
        out = canonical_request(body)
        for steps in self.steps:
            out = without(out, steps)
        return out


DEFAULT_RULES = RequestRules()


def _text_blocks(value: Any) -> Any:
    return [{"type": "text", "text": value}] if isinstance(value, str) else value


def canonical_request(body: Any) -> Any:
    """The body as recordings compare it: no ``stream``; string ``system`` and ``content`` as one text block."""
    if not isinstance(body, Mapping):
        return body
    out = {key: value for key, value in body.items() if key != "stream"}
    if "system" in out:
        out["system"] = _text_blocks(out["system"])
    messages = out.get("messages")
    if isinstance(messages, list):
        out["messages"] = [
            {**m, "content": _text_blocks(m["content"])} if isinstance(m, dict) and "content" in m else m
            for m in messages
        ]
    return out


@functools.lru_cache(maxsize=1024)
def _pattern(recorded: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in recorded.split(REDACTED)]
    return re.compile(".*?".join(parts), re.DOTALL)


def _scalar_equal(recorded: Any, live: Any) -> bool:
    if isinstance(recorded, str) and isinstance(live, str):
        return recorded == live or (REDACTED in recorded and _pattern(recorded).fullmatch(live) is not None)
    if isinstance(recorded, bool) or isinstance(live, bool):  # JSON equality: true is not 1, 1 is 1.0
        return isinstance(recorded, bool) and isinstance(live, bool) and recorded == live
    if recorded is MISSING or live is MISSING:
        return recorded is live
    return bool(recorded == live)


@dataclass(frozen=True, slots=True)
class Difference:
    """Where a live request first leaves a recording, and the two values there."""

    path: str
    recorded: Any
    got: Any

    def __str__(self) -> str:
        where = self.path or "the body"
        return f"{where}: recorded {_show(self.recorded)}, got {_show(self.got)}"


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(list(map(str, value))[:6]) + ("…}" if len(value) > 6 else "}")
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return short(value, 80)


def first_difference(recorded: Any, live: Any, path: str = "") -> Difference | None:
    """The first difference between a recorded value and a live one, in document order; None when they match."""
    if recorded == REDACTED:
        return None if live is not MISSING else Difference(path, recorded, live)
    if isinstance(recorded, Mapping) and isinstance(live, Mapping):
        for key in recorded:
            found = first_difference(recorded[key], live.get(key, MISSING), join(path, str(key)))
            if found is not None:
                return found
        for key in live:
            if key not in recorded:
                return Difference(join(path, str(key)), MISSING, live[key])
        return None
    if isinstance(recorded, list) and isinstance(live, list):
        for index in range(max(len(recorded), len(live))):
            a = recorded[index] if index < len(recorded) else MISSING
            b = live[index] if index < len(live) else MISSING
            found = first_difference(a, b, join(path, index))
            if found is not None:
                if a is MISSING or b is MISSING:
                    return Difference(
                        f"{path or 'the body'} ({len(recorded)} recorded, {len(live)} sent)", a, b
                    )
                return found
        return None
    if isinstance(recorded, Mapping | list) or isinstance(live, Mapping | list):
        return Difference(path, recorded, live)
    return None if _scalar_equal(recorded, live) else Difference(path, recorded, live)


def distance(recorded: Any, live: Any, budget: int = 10_000) -> int:
    """How many leaves differ between two values (at most about ``budget``): the nearest recording has fewest."""
    if budget <= 0:
        return 0
    if isinstance(recorded, Mapping) and isinstance(live, Mapping):
        total = 0
        for key in {*recorded, *live}:
            total += distance(recorded.get(key, MISSING), live.get(key, MISSING), budget - total)
        return total
    if isinstance(recorded, list) and isinstance(live, list):
        total = abs(len(recorded) - len(live))
        for a, b in zip(recorded, live, strict=False):
            total += distance(a, b, budget - total)
        return total
    return 0 if first_difference(recorded, live) is None else 1


def compile_rules(value: Any, issues: Issues, path: str = "recording") -> RequestRules:
    """A file's ``recording:`` section checked (every problem in ``issues``); its matching rules."""
    if value is None:
        return DEFAULT_RULES
    if not isinstance(value, Mapping):
        issues.add(path, f"recording takes a mapping with keys: {', '.join(RECORDING_KEYS)}")
        return DEFAULT_RULES
    for key in value:
        if key not in RECORDING_KEYS:
            issues.add(
                join(path, str(key)),
                f"unknown key {key!r} in recording; allowed: {', '.join(RECORDING_KEYS)}",
            )
    if "upstream" in value and not isinstance(value["upstream"], str):
        issues.add(join(path, "upstream"), "expected the upstream's URL (a string)")
    for key in ("ignore", "redact_paths"):
        paths = _strings(value.get(key, []), issues, join(path, key))
        for i, item in enumerate(paths):
            if parse_json_path(item) is None:
                issues.add(
                    join(join(path, key), i), f'not a JSON path: {item!r} (use $.key, [n], [*], ["key"])'
                )
    for i, pattern in enumerate(_strings(value.get("redact", []), issues, join(path, "redact"))):
        try:
            re.compile(pattern)
        except re.error as exc:
            issues.add(join(join(path, "redact"), i), f"not a regular expression: {exc}")
    ignore = value.get("ignore", list(DEFAULT_IGNORE))
    return RequestRules(tuple(ignore)) if _all_strings(ignore) else DEFAULT_RULES


def _all_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _strings(value: Any, issues: Issues, path: str) -> Sequence[str]:
    if not _all_strings(value):
        issues.add(path, "expected a list of strings")
        return []
    return list(value)
