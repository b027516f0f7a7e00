"""User regexes under a time budget: a pattern from a request or a stub can never stall the server.

Tool ``input_schema`` ``pattern`` / ``patternProperties`` and stub ``regex`` matchers are written by whoever sends
the request, and a backtracking engine takes exponential time on patterns such as ``^(a+)+(?=b)``: one request
held the event loop (health, SIGTERM and every other client) for good. These patterns run on the ``regex``
package (already a run-time dependency through tiktoken), whose matcher takes a ``timeout``:

- each search gets at most :data:`SEARCH_SECONDS`, and never more than what is left of the caller's
  :class:`Budget` (one per generated tool input: :data:`BUDGET_SECONDS` for all of its regex work);
- a pattern that times out once is marked slow for the life of the process, so later requests with it cost
  nothing: its searches answer ``None`` ("unknown") at once;
- ``regex`` compiles counted repeats by copying their mandatory part (``(a{1000}){1000}`` is a million copies:
  0.5 s and 290 MB, one more level never ends), so a pattern whose expanded size is over
  :data:`MAX_EXPANDED` is never compiled: it is slow from the start.

``None`` means the answer is not known: the schema generator then keeps its best candidate unchecked, the coarse
validator counts the keyword as satisfied, and a stub matcher counts it as not matching. Only pathological
patterns ever get there, and only for them does the value depend on the machine's speed.
"""

from __future__ import annotations

import functools
import time

import regex

from mockclaude.engine.regex_gen import parse

__all__ = ["BUDGET_SECONDS", "SEARCH_SECONDS", "Budget", "UserPattern", "user_pattern"]

SEARCH_SECONDS = 0.02
"""The most one search may take. Ordinary patterns over the short strings the generator tries take microseconds."""
BUDGET_SECONDS = 0.25
"""The most all the regex work of one :class:`Budget` (one generated tool input) may take."""
MAX_PATTERN_CHARS = 10_000
"""Longer patterns are not compiled (treated as unknown)."""
MAX_EXPANDED = 100_000
"""The most pattern items (counted repeats expanded) compiled: about 40 ms and 20 MB for ``regex``."""


class Budget:
    """A deadline shared by the searches of one piece of work (one ``generate_instance`` call)."""

    __slots__ = ("deadline",)

    def __init__(self, seconds: float = BUDGET_SECONDS) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.deadline - time.monotonic())


class UserPattern:
    """A compiled user pattern whose searches are bounded in time (see the module docstring)."""

    __slots__ = ("_rx", "pattern", "slow")

    def __init__(self, pattern: str, compiled: regex.Pattern[str] | None) -> None:
        self.pattern = pattern
        self._rx = compiled
        self.slow = compiled is None

    def search(self, text: str, budget: Budget | None = None) -> bool | None:
        """Whether the pattern occurs in ``text``; ``None`` when that could not be decided in time."""
        if self.slow or self._rx is None:
            return None
        timeout = SEARCH_SECONDS if budget is None else min(SEARCH_SECONDS, budget.left())
        if timeout <= 0:
            return None
        try:
            return self._rx.search(text, timeout=timeout) is not None
        except TimeoutError:
            if timeout >= SEARCH_SECONDS:  # the pattern's own fault, not a budget nearly spent
                self.slow = True
            return None
        except (RecursionError, MemoryError, ValueError):
            self.slow = True
            return None

    def __repr__(self) -> str:
        return f"UserPattern({self.pattern!r})"


@functools.lru_cache(maxsize=512)
def user_pattern(pattern: str) -> UserPattern | None:
    """``pattern`` compiled for bounded searches, or ``None`` when it is not a valid regex (or is too long)."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return None
    tree = parse(pattern)
    if tree is not None and _expanded(tree) > MAX_EXPANDED:
        return UserPattern(pattern, None)  # valid or not, too costly to compile: undecided, never a match
    try:
        return UserPattern(pattern, regex.compile(pattern))
    except (regex.error, RecursionError, OverflowError, ValueError, TypeError, MemoryError):
        return None


def _expanded(node: tuple[object, ...]) -> int:
    """The items of a ``regex_gen`` tree with each repeat's mandatory copies counted (what ``regex`` builds)."""
    kind = node[0]
    if kind == "set":
        return 1
    if kind == "rep":
        child, lo = node[1], node[2]
        size = _expanded(child) if isinstance(child, tuple) else 1
        return size * max(lo if isinstance(lo, int) else 1, 1)
    children = node[1] if isinstance(node[1], list) else []
    total = 1
    for child in children:
        total += _expanded(child)
        if total > MAX_EXPANDED:
            break
    return total
