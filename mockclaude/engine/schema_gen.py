"""Values for ``tool_use.input`` that validate against a tool's ``input_schema`` (JSON Schema 2020-12).

``generate_instance`` is a pure function of the schema and the ``random.Random`` it is handed: it draws from
that rng only, so the same schema and rng state give the same value. Odd schemas never raise; where a schema
can't be satisfied (contradictions, regex features the pattern generator lacks) the closest value is returned.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import random
import re
from fractions import Fraction
from typing import Any, TypeGuard
from urllib.parse import unquote

from mockclaude.engine.hints import FORMATS as _FORMATS
from mockclaude.engine.hints import NUMS as _NUMS
from mockclaude.engine.hints import WORDS as _WORDS
from mockclaude.engine.hints import hinted as _hinted
from mockclaude.engine.hints import lookup as _lookup
from mockclaude.engine.regex_gen import Emitter as _Emitter
from mockclaude.engine.regex_gen import parse as _parse

_SOFT_DEPTH = 6  # deeper: only required properties, minimum array sizes, non-recursive branches
_HARD_DEPTH = 24  # deeper: trivial values (recursive or pathological schemas)
_BUDGET, _HARD_BUDGET = 2_000, 20_000  # values generated before going minimal / trivial
_MAX_ITEMS, _MAX_LEN = 50, 4_096
_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")
_PY_TYPES = dict(string=str, object=dict, array=list, boolean=bool, null=type(None))
_TRIVIAL = dict(object={}, array=[], string="", integer=0, number=0, boolean=False)
_MIN_KEYS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_MAX_KEYS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_SUB_KEYS = ("items", "additionalProperties", "unevaluatedProperties", "contains", "propertyNames")
_INFER = (
    ("object", "properties required additionalProperties patternProperties minProperties maxProperties"),
    ("array", "items prefixItems minItems maxItems contains uniqueItems"),
    ("string", "minLength maxLength pattern format"),
    ("number", "minimum maximum exclusiveMinimum exclusiveMaximum multipleOf"),
)


class _Ctx:
    def __init__(self, root: object, rng: random.Random) -> None:
        self.root, self.rng, self.count = root, rng, 0


def generate_instance(schema: object, rng: random.Random, *, hint: str = "") -> Any:
    """A JSON-compatible value valid against ``schema``, drawn from ``rng`` only.

    ``hint`` is the name the value sits under (a property name); it steers strings and numbers towards
    plausible content ("location" -> "San Francisco, CA"). Never raises for a well-typed schema; terminates.
    """
    return _gen(schema, _Ctx(schema, rng), hint, 0)


# --- helpers ---------------------------------------------------------------------------------------------


def _isnum(x: object) -> TypeGuard[int | float]:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _int(x: object, default: int = 0) -> int:
    return int(x) if isinstance(x, int | float) and _isnum(x) else default


def _list(x: object) -> list[Any]:
    return x if isinstance(x, list) else []


def _dict(x: object) -> dict[Any, Any]:
    return x if isinstance(x, dict) else {}


def _types(x: object) -> list[str]:
    return [x] if isinstance(x, str) else [t for t in _list(x) if isinstance(t, str)]


def _without(s: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in s.items() if k not in keys}


def _key(v: Any) -> str:
    """JSON Schema equality as a string: 1 == 1.0, but true != 1."""

    def canon(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: canon(y) for k, y in x.items()}
        return [canon(y) for y in x] if isinstance(x, list) else int(x) if _isnum(x) and x == int(x) else x

    try:
        return json.dumps(canon(v), sort_keys=True, default=repr)
    except (TypeError, ValueError, RecursionError):
        return repr(v)


def _compile(pattern: object) -> re.Pattern[str] | None:
    try:  # re caches compiled patterns itself
        return re.compile(pattern) if isinstance(pattern, str) else None
    except (re.error, RecursionError, OverflowError):
        return None


# --- schema plumbing: $ref, allOf merging, combinators ---------------------------------------------------


def _resolve(s: object, ctx: _Ctx) -> object:
    """Follow ``$ref`` (merged with its siblings, as 2020-12 applies both); missing targets mean ``true``."""
    for _ in range(16):
        if not (isinstance(s, dict) and isinstance(s.get("$ref"), str)):
            return s
        ref, node = s["$ref"], ctx.root
        for raw in ref[2:].split("/") if ref.startswith("#/") else [] if ref == "#" else [None]:
            part = None if raw is None else unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:  # remote refs, $anchor names and dangling pointers are not followed
                node = True
                break
        s = _merge(node, _without(s, "$ref"))
    return _without(s, "$ref") if isinstance(s, dict) else s


def _merge(a: object, b: object, depth: int = 0) -> object:
    """A schema close to ``allOf: [a, b]``; what can't merge is deferred into ``allOf`` or, rarely, lost."""
    if a is False or b is False or not isinstance(b, dict) or depth > 16:
        return False if a is False or b is False else a
    if not isinstance(a, dict):
        return b
    out = dict(a)
    if "if" in a and "if" in b:
        out["allOf"] = [*_list(out.get("allOf")), {k: b[k] for k in ("if", "then", "else") if k in b}]
        b = _without(b, "if", "then", "else")
    for k, v in b.items():
        o = out.get(k)
        if k not in out:
            out[k] = v
        elif k in ("properties", "patternProperties", "$defs", "definitions") and isinstance(o, dict):
            out[k] = {**o, **{n: _merge(o[n], x, depth + 1) if n in o else x for n, x in _dict(v).items()}}
        elif k == "required" and isinstance(o, list) and isinstance(v, list):
            out[k] = o + [x for x in v if x not in o]
        elif k == "type" and _types(o) and _types(v):
            both = (_types(o), _types(v))
            out[k] = [
                t for t in dict.fromkeys([*both[0], *both[1]]) if all(_is_type_in(t, ts) for ts in both)
            ]
        elif k in _MIN_KEYS + _MAX_KEYS and _isnum(o) and _isnum(v):
            out[k] = max(o, v) if k in _MIN_KEYS else min(o, v)
        elif k == "enum" and isinstance(o, list) and isinstance(v, list):
            out[k] = [x for x in o if any(_key(x) == _key(y) for y in v)] or o
        elif k in _SUB_KEYS:
            out[k] = _merge(o, v, depth + 1)
        elif k == "allOf" and isinstance(o, list) and isinstance(v, list):
            out[k] = o + v
        elif k in ("$ref", "anyOf", "oneOf", "not"):
            out["allOf"] = [*_list(out.get("allOf")), {k: v}]
        # Other clashes (const, pattern, format, multipleOf): the first schema wins.
    return out


def _has_ref(x: object, depth: int = 0) -> bool:
    if isinstance(x, dict):
        return depth > 8 or "$ref" in x or any(_has_ref(v, depth + 1) for v in x.values())
    return isinstance(x, list) and (depth > 8 or any(_has_ref(v, depth + 1) for v in x))


def _norm(schema: object, ctx: _Ctx, minimal: bool) -> object:
    """Resolve ``$ref``, fold ``allOf``, pick an ``anyOf`` branch and an ``if`` outcome (not oneOf/not)."""
    s = schema
    for _ in range(16):
        s = _resolve(s, ctx)
        if not isinstance(s, dict):
            return s
        if isinstance(s.get("allOf"), list):
            merged: object = _without(s, "allOf")
            for part in s["allOf"]:
                merged = _merge(merged, _resolve(part, ctx))
            s = merged
        elif _list(s.get("anyOf")):
            # Never false; prefer non-null branches, or non-recursive ones once minimal (so recursion ends).
            cands = [b for b in s["anyOf"] if b is not False] or s["anyOf"]
            if minimal:
                cands = [b for b in cands if not _has_ref(b)] or cands
            else:
                cands = [b for b in cands if not (isinstance(b, dict) and b.get("type") == "null")] or cands
            s = _merge(_without(s, "anyOf"), _resolve(ctx.rng.choice(cands), ctx))
        elif "if" in s:  # satisfying if+then is valid whatever else says; with no then, satisfying else is
            then = _merge(s["if"], s["then"]) if "then" in s else s.get("else", True)
            s = _merge(_without(s, "if", "then", "else"), then)
        else:
            return s
    return _without(s, "$ref", "allOf", "anyOf") if isinstance(s, dict) else s


# --- a coarse validator: enough to pick enum values and keep oneOf / not honest -------------------------


def _is_type_in(t: str, types: list[str]) -> bool:
    return t in types or (t == "integer" and "number" in types)


def _is_type(v: object, t: str) -> bool:
    if t == "integer":
        return _isnum(v) and (isinstance(v, int) or (isinstance(v, float) and v.is_integer()))
    return _isnum(v) if t == "number" else isinstance(v, _PY_TYPES.get(t, object))


def _num_ok(v: Any, s: dict[str, Any]) -> bool:
    lo, hi, elo, ehi, m = (
        s.get(k) for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
    )
    lo_x, hi_x = elo is True, ehi is True  # draft-04 boolean exclusives
    if (_isnum(lo) and (v < lo or (lo_x and v == lo))) or (_isnum(hi) and (v > hi or (hi_x and v == hi))):
        return False
    if (_isnum(elo) and v <= elo) or (_isnum(ehi) and v >= ehi):
        return False
    try:  # jsonschema's own arithmetic, so float steps agree with it
        return not _isnum(m) or m <= 0 or (int(v / m) == v / m if isinstance(m, float) else not v % m)
    except (OverflowError, ValueError, ZeroDivisionError):
        return False


def _may_match(schema: object, v: Any, ctx: _Ctx, depth: int = 0) -> bool:
    """Whether ``v`` looks valid against ``schema``; unknown keywords count as satisfied."""
    s = _resolve(schema, ctx)
    if not isinstance(s, dict) or depth > 12:
        return s is not False
    types = [t for t in _types(s.get("type")) if t in _TYPES]
    if (types and not any(_is_type(v, t) for t in types)) or ("const" in s and _key(s["const"]) != _key(v)):
        return False
    if isinstance(s.get("enum"), list) and all(_key(e) != _key(v) for e in s["enum"]):
        return False
    sized = v if isinstance(v, str | list) else None
    lo, hi = ("minLength", "maxLength") if isinstance(v, str) else ("minItems", "maxItems")
    if sized is not None and not _int(s.get(lo), 0) <= len(sized) <= _int(s.get(hi), len(sized)):
        return False
    pattern = _compile(s.get("pattern"))
    if (isinstance(v, str) and pattern and not pattern.search(v)) or (_isnum(v) and not _num_ok(v, s)):
        return False
    if isinstance(v, dict):
        props, pats = _dict(s.get("properties")), [_compile(p) for p in _dict(s.get("patternProperties"))]
        closed = s.get("additionalProperties") is False
        if any(isinstance(r, str) and r not in v for r in _list(s.get("required"))):
            return False
        for k, x in v.items():
            known = k in props or any(p and p.search(k) for p in pats)
            if (k in props and not _may_match(props[k], x, ctx, depth + 1)) or (not known and closed):
                return False
    if not all(_may_match(s.get("items", True), x, ctx, depth + 1) for x in _list(v)):
        return False
    if not all(_may_match(x, v, ctx, depth + 1) for x in _list(s.get("allOf"))):
        return False
    for key in ("anyOf", "oneOf"):  # oneOf coarsely as anyOf
        if _list(s.get(key)) and not any(_may_match(x, v, ctx, depth + 1) for x in s[key]):
            return False
    return not ("not" in s and _may_match(s["not"], v, ctx, depth + 1))


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
        return _string(s, rng, hint)
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
        matched = [x for _, rx, x in pats if rx.search(name)]
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


def _string(s: dict[str, Any], rng: random.Random, hint: str) -> str:
    lo = max(0, min(_int(s.get("minLength")), _MAX_LEN))
    hi = _int(s.get("maxLength"), 10**9)
    pat = _compile(s.get("pattern"))

    def ok(x: str) -> bool:
        return lo <= len(x) <= hi and (pat is None or pat.search(x) is not None)

    make = _FORMATS.get(s["format"]) if isinstance(s.get("format"), str) else None
    cands = [make(rng) for _ in range(3)] if make else [_hinted(hint, rng), " ".join(rng.sample(_WORDS, 2))]
    found = [c for c in cands if ok(c)]
    tree = _parse(pat.pattern) if pat and not found else None
    for attempt, node in enumerate([tree] * 48 if tree else []):
        x = _Emitter(rng, attempt % 4, lo).emit(node)
        if ok(x):
            return x
        if pat and pat.search(x):  # right shape, wrong length: pad or trim as a fallback
            found += [x + "x" * (lo - len(x)), "x" * (lo - len(x)) + x, x[:hi], x[len(x) - hi :], x]
    if found:
        return next((c for c in found if ok(c)), found[-1])
    for c in cands:  # fit to the length bounds, padding with words
        while len(c) < lo:
            c += " " + rng.choice(_WORDS)
        if ok(c[: max(hi, 0)]):
            return c[: max(hi, 0)]
    return c[: max(hi, 0)]
