"""A regex-subset string generator for JSON Schema ``pattern``: parse a pattern into a small tree, emit strings.

Candidates are always checked with ``re.search`` by the caller, so what this gets wrong costs a retry, never an
invalid value. Standard library only; draws from the ``random.Random`` it is handed.
"""

from __future__ import annotations

import functools
import random
import re
import string
from typing import Any

# A regex tree: ("set", chars) | ("seq", [node]) | ("alt", [node]) | ("rep", node, lo, hi).
_Node = tuple[Any, ...]
_PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "
_ALNUM = string.ascii_letters + string.digits
_CATS = {"d": string.digits, "w": _ALNUM + "_", "s": " "}
_CATS |= {k.upper(): "".join(c for c in _PRINTABLE if c not in v) for k, v in list(_CATS.items())}

# A regex subset: groups (anchors and lookarounds emit nothing), |, quantifiers, classes, escapes, literals.
# Candidates are checked with re.search, so what this gets wrong costs a retry, never an invalid value.
_TOKEN = re.compile(
    r"(?P<flags>\(\?[a-zA-Z-]+\))|(?P<open>\((?:\?(?:[a-zA-Z-]*:|>|P?<\w+>|(?P<look><?[=!])))?)|(?P<close>\))"
    r"|(?P<bar>\|)|(?P<quant>(?:[*+?]|\{\d+(?:,\d*)?\}|\{,\d+\})[?+]?)|(?P<cls>\[\^?\]?(?:\\.|[^\]\\])*\])"
    r"|(?P<esc>\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.))|(?P<char>.)",
    re.S,
)
_CLASS_ITEM = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)|.", re.S)


def _escape(e: str) -> _Node:
    if e in _CATS:
        return ("set", _CATS[e])
    if e in "bBAZz" or e.isdigit():
        return ("set", "")  # anchors and backreferences emit nothing
    if e[0] in "xu" and len(e) > 1:
        return ("set", chr(int(e[1:], 16)))
    return ("set", {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}.get(e, e))


def _class(body: str) -> str:
    negate, items = body.startswith("^"), _CLASS_ITEM.findall(body.removeprefix("^"))
    chars: list[str] = [_escape(t[1:])[1] if len(t) > 1 else t for t in items]
    out, i = "", 0
    while i < len(items):
        if i + 2 < len(items) and items[i + 1] == "-" and len(chars[i]) == 1 and len(chars[i + 2]) == 1:
            lo, hi = ord(chars[i]), ord(chars[i + 2])
            span = "".join(c for c in _PRINTABLE if lo <= ord(c) <= hi)
            out, i = out + (span or "".join(chr(o) for o in range(lo, min(hi, lo + 99) + 1))), i + 3
        else:
            out, i = out + chars[i], i + 1
    out = "".join(c for c in _PRINTABLE if c not in out) if negate else out
    return "".join(c for c in dict.fromkeys(out) if not 0xD800 <= ord(c) < 0xE000)


@functools.lru_cache(maxsize=256)
def parse(src: str) -> _Node | None:
    """The tree of a pattern (``None`` when it cannot be parsed)."""
    stack: list[list[list[_Node]]] = [[[]]]  # open groups, each a list of branches, each a list of nodes
    looks = [False]
    try:
        for m in _TOKEN.finditer(src):
            kind, text, seq = m.lastgroup, m.group(), stack[-1][-1]
            if kind == "open":
                stack.append([[]])
                looks.append(m.group("look") is not None)
            elif kind == "close" and len(stack) > 1:
                node = ("alt", [("seq", b) for b in stack.pop()])
                stack[-1][-1].append(("set", "") if looks.pop() else node)
            elif kind == "bar":
                stack[-1].append([])
            elif kind == "quant" and seq:
                lo, _, hi = text.strip("{}?+*").partition(",")
                bounds = {"*": (0, -1), "+": (1, -1), "?": (0, 1)}.get(text[0])
                bounds = bounds or (int(lo or 0), (int(hi) if hi else -1) if "," in text else int(lo))
                seq[-1] = ("rep", seq[-1], *bounds)
            elif kind == "cls":
                seq.append(("set", _class(text[1:-1])))
            elif kind == "esc":
                seq.append(_escape(text[1:]))
            elif kind == "char":
                seq.append(("set", "" if text in "^$" else _ALNUM if text == "." else text))
        return ("alt", [("seq", b) for b in stack[0]])
    except (ValueError, IndexError, OverflowError):
        return None


class Emitter:
    """Walks a regex tree; ``mode`` sets repeat counts: 0 few, 1 minimal, 2 ``want`` chars, 3 more."""

    def __init__(self, rng: random.Random, mode: int, want: int) -> None:
        self.rng, self.mode, self.want, self.left = rng, mode, want, 10_000

    def emit(self, node: _Node) -> str:
        if node[0] == "set":
            self.left -= 1
            return self.rng.choice(node[1]) if node[1] else ""
        if node[0] in ("seq", "alt"):
            return "".join(
                self.emit(n) for n in (node[1] if node[0] == "seq" else [self.rng.choice(node[1])])
            )
        lo = min(node[2], 1_000)
        top = lo + (3, 0, max(self.want, 1), 8)[self.mode]
        top = max(lo, top if node[3] < 0 else min(top, node[3]))
        count = top if self.mode == 2 else self.rng.randint(lo, top)
        return "".join(self.emit(node[1]) for _ in range(count) if self.left > 0)
