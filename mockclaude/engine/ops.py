"""Value operators of the matcher vocabulary: equals, contains, regex, any_of, not, absent, gte/lte/gt/lt.

A spec value compiles to an ``Op``: a scalar means ``equals``; a mapping holds one or more operator keys, all of
which must hold (``{contains: "a", not: {contains: "b"}}``). Every op can describe itself, so a failing matcher
says what it expected next to what it got (DESIGN.md rule 5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from mockclaude.engine.issues import Issues
from mockclaude.engine.saferegex import UserPattern, user_pattern


class _Missing:
    """The value of a field the request does not have (no ``system``, no such header…)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<absent>"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()
"""The sentinel for an absent value; only ``absent: true`` and ``not`` accept it."""

OPERATORS = ("equals", "contains", "regex", "any_of", "not", "absent", "gte", "lte", "gt", "lt")
"""Operator keys, in the order their descriptions are written."""


def short(value: Any, limit: int = 60) -> str:
    """A value as a reason shows it: strings quoted and cut, absent values named."""
    if value is MISSING:
        return "absent"
    text = '"' + value.replace("\n", "\\n") + '"' if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def step_into(value: Any, step: str | int) -> Any:
    """``value[step]`` for a list index or a mapping key, ``MISSING`` when there is no such item."""
    if isinstance(step, int):
        return value[step] if isinstance(value, list) and -len(value) <= step < len(value) else MISSING
    return value[step] if isinstance(value, dict) and step in value else MISSING


def _same(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1, 1 == 1.0.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


@dataclass(frozen=True, slots=True)
class Op:
    """A compiled operator: ``test`` decides, ``describe`` explains what was expected."""

    test: Callable[[Any], bool]
    text: str
    equals: Any = MISSING  # the value of a plain ``equals`` (for the matcher index), else MISSING
    needle: str | None = None  # the substring of a plain ``contains`` of a string (for a cheap prefilter)

    def describe(self) -> str:
        """What this op expects, e.g. ``contains "weather"``."""
        return self.text


def _equals(expected: Any) -> Op:
    return Op(lambda v: v is not MISSING and _same(v, expected), f"equals {short(expected)}", expected)


def _contains(expected: Any) -> Op:
    def test(value: Any) -> bool:
        if isinstance(value, str):
            return isinstance(expected, str) and expected in value
        if isinstance(value, list | tuple):
            return any(_same(item, expected) for item in value)
        if isinstance(value, dict):
            return expected in value
        return False

    return Op(test, f"contains {short(expected)}", needle=expected if isinstance(expected, str) else None)


def _regex(pattern: UserPattern) -> Op:
    def test(value: Any) -> bool:  # a search undecided in time (saferegex) does not match
        if value is MISSING or value is None:
            return False
        return pattern.search(value if isinstance(value, str) else str(value)) is True

    return Op(test, f"matches /{pattern.pattern}/")


def _compare(name: str, bound: float) -> Op:
    checks: dict[str, Callable[[float], bool]] = {
        "gte": lambda v: v >= bound,
        "lte": lambda v: v <= bound,
        "gt": lambda v: v > bound,
        "lt": lambda v: v < bound,
    }
    symbol = {"gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}[name]
    check = checks[name]

    def test(value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool) and check(value)

    return Op(test, f"{symbol} {bound:g}")


def _all(ops: Sequence[Op]) -> Op:
    if len(ops) == 1:
        return ops[0]
    return Op(lambda v: all(op.test(v) for op in ops), " and ".join(op.text for op in ops))


def compile_op(spec: Any, issues: Issues, path: str) -> Op | None:
    """Compile a spec value into an ``Op``; problems go to ``issues`` (at ``path``) and give ``None``."""
    if not isinstance(spec, dict):
        if isinstance(spec, list):
            issues.add(path, "a list is not an operator; use {any_of: [...]} to accept several values")
            return None
        return _equals(spec)
    if not spec:
        issues.add(path, f"empty operator; use one of: {', '.join(OPERATORS)}")
        return None
    ops: list[Op] = []
    for key, arg in spec.items():
        where = f"{path}.{key}"
        op = _compile_one(key, arg, issues, where)
        if op is not None:
            ops.append(op)
        elif key not in OPERATORS:
            issues.add(where, f"unknown operator {key!r}; allowed: {', '.join(OPERATORS)}")
    if len(ops) != len(spec):
        return None
    return _all(ops)


def _compile_one(key: str, arg: Any, issues: Issues, where: str) -> Op | None:
    if key == "equals":
        return _equals(arg)
    if key == "contains":
        if isinstance(arg, dict | list):
            issues.add(where, "contains takes a string or a scalar")
            return None
        return _contains(arg)
    if key == "regex":
        if not isinstance(arg, str):
            issues.add(where, "regex takes a string")
            return None
        try:
            re.compile(arg)  # for re's message; matching runs time-bounded on the regex package
        except re.error as exc:
            issues.add(where, f"invalid regular expression: {exc}")
            return None
        pattern = user_pattern(arg)
        if pattern is None:
            issues.add(where, "invalid regular expression")
            return None
        return _regex(pattern)
    if key == "any_of":
        if not isinstance(arg, list) or not arg:
            issues.add(where, "any_of takes a non-empty list of values or operators")
            return None
        subs = [compile_op(item, issues, f"{where}[{i}]") for i, item in enumerate(arg)]
        if any(s is None for s in subs):
            return None
        alts = [s for s in subs if s is not None]
        return Op(lambda v: any(s.test(v) for s in alts), "any of (" + ", ".join(s.text for s in alts) + ")")
    if key == "not":
        inner = compile_op(arg, issues, where)
        if inner is None:
            return None
        return Op(lambda v: not inner.test(v), f"not ({inner.text})")
    if key == "absent":
        if not isinstance(arg, bool):
            issues.add(where, "absent takes true or false")
            return None
        return Op(
            (lambda v: v is MISSING) if arg else (lambda v: v is not MISSING), "absent" if arg else "present"
        )
    if key in ("gte", "lte", "gt", "lt"):
        if not isinstance(arg, int | float) or isinstance(arg, bool):
            issues.add(where, f"{key} takes a number")
            return None
        return _compare(key, float(arg))
    return None


def check(op: Op, value: Any, label: str) -> str | None:
    """``None`` when ``value`` passes ``op``, else the reason: ``label: expected …, got …``."""
    if op.test(value):
        return None
    return f"{label}: expected {op.describe()}, got {short(value)}"
