"""Values for ``tool_use.input`` that validate against a tool's ``input_schema`` (JSON Schema 2020-12).

``generate_instance`` is a pure function of the schema and the ``random.Random`` it is handed: it draws from
that rng only, so the same schema and rng state give the same value. Odd schemas never raise; where a schema
can't be satisfied (contradictions, regex features the pattern generator lacks) the closest value is returned.
"""

from __future__ import annotations

import copy
import functools
import math
import random
from fractions import Fraction
from typing import Any

from mockclaude.engine.hints import FORMATS as _FORMATS
from mockclaude.engine.hints import NUMS as _NUMS
from mockclaude.engine.hints import WORDS as _WORDS
from mockclaude.engine.hints import hinted as _hinted
from mockclaude.engine.hints import lookup as _lookup
from mockclaude.engine.regex_gen import Emitter as _Emitter
from mockclaude.engine.regex_gen import parse as _parse
from mockclaude.engine.schema_rules import TYPES as _TYPES
from mockclaude.engine.schema_rules import Ctx as _Ctx
from mockclaude.engine.schema_rules import as_dict as _dict
from mockclaude.engine.schema_rules import as_int as _int
from mockclaude.engine.schema_rules import as_list as _list
from mockclaude.engine.schema_rules import canon as _key
from mockclaude.engine.schema_rules import compiled as _compile
from mockclaude.engine.schema_rules import found as _found
from mockclaude.engine.schema_rules import has_ref as _has_ref
from mockclaude.engine.schema_rules import is_type_in as _is_type_in
from mockclaude.engine.schema_rules import isnum as _isnum
from mockclaude.engine.schema_rules import may_match as _may_match
from mockclaude.engine.schema_rules import merge as _merge
from mockclaude.engine.schema_rules import normalize as _norm
from mockclaude.engine.schema_rules import num_ok as _num_ok
from mockclaude.engine.schema_rules import resolve as _resolve
from mockclaude.engine.schema_rules import types_of as _types
from mockclaude.engine.schema_rules import without as _without

__all__ = ["generate_instance"]

_SOFT_DEPTH = 6  # deeper: only required properties, minimum array sizes, non-recursive branches
_HARD_DEPTH = 24  # deeper: trivial values (recursive or pathological schemas)
_BUDGET, _HARD_BUDGET = 2_000, 20_000  # values generated before going minimal / trivial
_MAX_ITEMS, _MAX_LEN = 50, 4_096
_TRIVIAL = dict(object={}, array=[], string="", integer=0, number=0, boolean=False)
_INFER = (
    ("object", "properties required additionalProperties patternProperties minProperties maxProperties"),
    ("array", "items prefixItems minItems maxItems contains uniqueItems"),
    ("string", "minLength maxLength pattern format"),
    ("number", "minimum maximum exclusiveMinimum exclusiveMaximum multipleOf"),
)


def generate_instance(schema: object, rng: random.Random, *, hint: str = "") -> Any:
    """A JSON-compatible value valid against ``schema``, drawn from ``rng`` only.

    ``hint`` is the name the value sits under (a property name); it steers strings and numbers towards
    plausible content ("location" -> "San Francisco, CA"). Never raises for a well-typed schema; terminates.
    """
    return _gen(schema, _Ctx(schema, rng), hint, 0)


# --- generation ------------------------------------------------------------------------------------------


def _gen(schema: object, ctx: _Ctx, hint: str, depth: int) -> Any:
    ctx.count += 1
    minimal = depth > _SOFT_DEPTH or ctx.count > _BUDGET
    s = _norm(schema, ctx, minimal)
    if s is False:
        return None  # nothing is valid
    s = s if isinstance(s, dict) else {}
    branches = _list(s.get("oneOf"))
    if branches and depth <= _HARD_DEPTH:
        start = ctx.rng.randrange(len(branches))
        order = branches[start:] + branches[:start]
        found: list[Any] = []
        for branch in sorted(order, key=_has_ref)[:3] if minimal else order[:3]:
            v = _gen(_merge(_without(s, "oneOf"), _resolve(branch, ctx)), ctx, hint, depth + 1)
            if sum(_may_match(b, v, ctx) for b in branches) == 1:
                return v  # matches exactly one branch
            found.append(v)
        return found[0]
    for _ in range(4):
        v = _plain(s, ctx, hint, depth, minimal)
        if "not" not in s or not _may_match(s["not"], v, ctx):
            break
    return v


def _plain(s: dict[str, Any], ctx: _Ctx, hint: str, depth: int, minimal: bool) -> Any:
    rng = ctx.rng
    if "const" in s:
        return copy.deepcopy(s["const"])
    if _list(s.get("enum")):
        rest = _without(s, "enum")
        return copy.deepcopy(rng.choice([e for e in s["enum"] if _may_match(rest, e, ctx)] or s["enum"]))
    types = [t for t in _types(s.get("type")) if t in _TYPES]
    types = types or [next((k for k, words in _INFER if any(w in s for w in words.split())), "string")]
    banned = _types(_dict(s.get("not")).get("type"))
    allowed = [t for t in [*types, *_TYPES] if not _is_type_in(t, banned)]
    types = [t for t in types if t in allowed] or allowed[:1] or types
    kind = "null" if minimal and "null" in types else rng.choice([t for t in types if t != "null"] or types)
    if kind == "null":
        return None
    if depth > _HARD_DEPTH or ctx.count > _HARD_BUDGET:
        return copy.deepcopy(_TRIVIAL[kind])
    if kind in ("object", "array"):
        return (_object if kind == "object" else _array)(s, ctx, hint, depth, minimal)
    if kind == "string":
        return _string(s, ctx, hint)
    return rng.random() < 0.5 if kind == "boolean" else _number(s, rng, hint, kind == "integer")


def _object(s: dict[str, Any], ctx: _Ctx, hint: str, depth: int, minimal: bool) -> dict[str, Any]:
    props = {k: v for k, v in _dict(s.get("properties")).items() if isinstance(k, str)}
    required = [r for r in _list(s.get("required")) if isinstance(r, str)]
    pats = [(p, rx, x) for p, x in _dict(s.get("patternProperties")).items() if (rx := _compile(p))]
    extra = s.get("additionalProperties", s.get("unevaluatedProperties", True))
    banned = _list(_dict(s.get("not")).get("required")) + [
        n for n in props if _resolve(props[n], ctx) is False
    ]
    names = [
        n for n in props if n in required or (not minimal and n not in banned and ctx.rng.random() < 0.5)
    ]
    names += [n for n in required if n not in names]
    optional, deps = [n for n in names if n not in required], _dict(s.get("dependentRequired"))
    while len(names) > _int(s.get("maxProperties"), len(names)) and optional:
        names.remove(optional.pop())
    for n in list(names):  # dependentRequired: a present name pulls in its dependents
        names += [d for d in _list(deps.get(n)) if isinstance(d, str) and d not in names]
    least = min(_int(s.get("minProperties")), _MAX_ITEMS)
    names += [n for n in props if n not in names and n not in banned][: max(0, least - len(names))]

    def schema_for(name: str) -> object:
        matched = [x for _, rx, x in pats if rx.search(name, ctx.budget)]
        return functools.reduce(_merge, [props[name], *matched] if name in props else matched or [extra])

    out = {n: _gen(schema_for(n), ctx, n, depth + 1) for n in names}
    for n in [n for n in out if n not in required and not _may_match(schema_for(n), out[n], ctx)]:
        del out[n]  # an optional property we failed to satisfy is better left out
    for i in range(least + 10 if pats or extra is not False else 0):  # extra names for minProperties
        if len(out) >= least:
            break
        key_schema = _merge({"pattern": pats[i % len(pats)][0]} if pats else {}, s.get("propertyNames", True))
        key = _gen(key_schema, ctx, "key", depth + 1)
        if isinstance(key, str) and key not in out:
            out[key] = _gen(schema_for(key), ctx, hint, depth + 1)
    return out


def _array(s: dict[str, Any], ctx: _Ctx, hint: str, depth: int, minimal: bool) -> list[Any]:
    prefix, rest = _list(s.get("prefixItems")), s.get("items", True)
    if isinstance(rest, list):  # the pre-2020 tuple form
        prefix, rest = rest, s.get("additionalItems", True)
    lo = max(0, min(_int(s.get("minItems")), _MAX_ITEMS))
    hi = max(lo, min(_int(s.get("maxItems"), _MAX_ITEMS), len(prefix) if rest is False else _MAX_ITEMS))
    contains, unique = s.get("contains"), s.get("uniqueItems") is True
    need = 0 if contains is None else min(max(_int(s.get("minContains"), 1), 0), hi)
    top = lo if minimal else max(lo, min(hi, 3))
    n = min(max(ctx.rng.randint(lo if minimal else min(max(lo, 1), top), top), need), hi)
    out: list[Any] = []
    seen: set[str] = set()
    for i in range(n):
        sub = prefix[i] if i < len(prefix) else rest
        if i >= len(prefix) and need > 0:
            sub, need = _merge(sub, contains), need - 1
        for _ in range(8 if unique else 1):
            v = _gen(sub, ctx, hint, depth + 1)
            if _key(v) not in seen:
                break
        if (unique and _key(v) in seen) or (len(out) >= lo and not _may_match(sub, v, ctx)):
            break
        seen.add(_key(v))
        out.append(v)
    return out


def _number(s: dict[str, Any], rng: random.Random, hint: str, integer: bool) -> int | float:
    lows = [s[k] for k in ("minimum", "exclusiveMinimum") if _isnum(s.get(k))]
    highs = [s[k] for k in ("maximum", "exclusiveMaximum") if _isnum(s.get(k))]
    a, b = _lookup(_NUMS, hint) or (0, 100)  # a plausible window, moved to fit the bounds
    if lows and a < max(lows):
        a, b = max(lows), b if b > max(lows) else max(lows) + b - a
    if highs and b > min(highs):
        a, b = a if a < min(highs) else max([min(highs) - b + a, *lows]), min(highs)
    m = s["multipleOf"] if _isnum(s.get("multipleOf")) and s["multipleOf"] > 0 else None
    try:
        if m is None and not integer:
            x = round(rng.uniform(a, b), 2)
            x += 0.25 if float(x).is_integer() else 0  # non-integral where possible: oneOf [integer, number]
            cands: list[Any] = [x, x - 0.25, a / 2 + b / 2, a, b, a - 1, b + 1]
        else:
            step: Any = int(m) if integer and m is not None and float(m).is_integer() else m or 1
            if integer and not isinstance(step, int):
                step = Fraction(repr(m)).numerator  # the integer multiples of p/q are the multiples of p
            kmin, kmax = math.ceil(a / step), math.floor(b / step)
            ks = [rng.randint(kmin, kmax) for _ in range(8)] if kmin <= kmax else []
            ks += [kmin, kmin + 1, kmax, kmax - 1, *range(kmin - 3, kmin), *range(kmax + 1, kmax + 4)]
            cands = [k * step for k in ks] + (
                [] if integer else [float(Fraction(repr(step)) * k) for k in ks]
            )
        neg = _dict(s.get("not"))
        avoid = {_key(x) for x in [*_list(neg.get("enum")), *([neg["const"]] if "const" in neg else [])]}
        good = [c for c in cands if _isnum(c) and _num_ok(c, s)]
        c = next((c for c in good if _key(c) not in avoid), next(iter(good), a))
        return int(c) if integer else c
    except (OverflowError, ValueError, ZeroDivisionError):
        return 0


# --- strings ---------------------------------------------------------------------------------------------


def _string(s: dict[str, Any], ctx: _Ctx, hint: str) -> str:
    rng = ctx.rng
    lo = max(0, min(_int(s.get("minLength")), _MAX_LEN))
    hi = _int(s.get("maxLength"), 10**9)
    pat = _compile(s.get("pattern"))

    def fits(x: str) -> bool:
        return lo <= len(x) <= hi

    def ok(x: str) -> bool:
        return fits(x) and (pat is None or pat.search(x, ctx.budget) is True)

    make = _FORMATS.get(s["format"]) if isinstance(s.get("format"), str) else None
    cands = [make(rng) for _ in range(3)] if make else [_hinted(hint, rng), " ".join(rng.sample(_WORDS, 2))]
    found = [c for c in cands if ok(c)]
    tree = _parse(pat.pattern) if pat and not found else None
    for attempt, node in enumerate([tree] * 48 if tree else []):
        x = _Emitter(rng, attempt % 4, lo).emit(node)
        if ok(x) or (
            fits(x) and pat is not None and _found(pat, x, ctx)
        ):  # undecided in time (saferegex): the tree's shape wins
            return x
        if pat and _found(pat, x, ctx):  # right shape, wrong length: pad or trim as a fallback
            found += [x + "x" * (lo - len(x)), "x" * (lo - len(x)) + x, x[:hi], x[len(x) - hi :], x]
    if found:
        return next((c for c in found if ok(c)), found[-1])
    for c in cands:  # fit to the length bounds, padding with words
        while len(c) < lo:
            c += " " + rng.choice(_WORDS)
        if ok(c[: max(hi, 0)]):
            return c[: max(hi, 0)]
    return c[: max(hi, 0)]
