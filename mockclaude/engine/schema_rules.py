"""Reading a JSON Schema for ``schema_gen``: ``$ref`` resolution, ``allOf`` merging, a coarse validator.

schema_gen is split along the line between understanding a schema and producing a value for it. This module
answers "what does this schema ask for?" (``normalize``: one plain subschema with references followed and
``allOf`` / ``anyOf`` / ``if`` folded away) and "does this value look valid?" (``may_match``), plus the small
coercions both sides use. It draws from the rng only to pick an ``anyOf`` branch; every choice about what to
produce stays in schema_gen. User patterns run under the call's time budget (``saferegex``): a search that
cannot be decided in time counts as satisfied.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any, TypeGuard
from urllib.parse import unquote

from mockclaude.engine.saferegex import Budget, UserPattern, user_pattern

TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")
_PY_TYPES = dict(string=str, object=dict, array=list, boolean=bool, null=type(None))
_MIN_KEYS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_MAX_KEYS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_SUB_KEYS = ("items", "additionalProperties", "unevaluatedProperties", "contains", "propertyNames")


class Ctx:
    """One ``generate_instance`` call: the root schema (``$ref`` targets), the rng, how many values so far and
    the time budget its regex searches share."""

    def __init__(self, root: object, rng: random.Random) -> None:
        self.root, self.rng, self.count = root, rng, 0
        self.budget = Budget()


# --- helpers ---------------------------------------------------------------------------------------------


def isnum(x: object) -> TypeGuard[int | float]:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def as_int(x: object, default: int = 0) -> int:
    return int(x) if isinstance(x, int | float) and isnum(x) else default


def as_list(x: object) -> list[Any]:
    return x if isinstance(x, list) else []


def as_dict(x: object) -> dict[Any, Any]:
    return x if isinstance(x, dict) else {}


def types_of(x: object) -> list[str]:
    return [x] if isinstance(x, str) else [t for t in as_list(x) if isinstance(t, str)]


def without(s: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in s.items() if k not in keys}


def canon(v: Any) -> str:
    """JSON Schema equality as a string: 1 == 1.0, but true != 1."""

    def fold(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: fold(y) for k, y in x.items()}
        return [fold(y) for y in x] if isinstance(x, list) else int(x) if isnum(x) and x == int(x) else x

    try:
        return json.dumps(fold(v), sort_keys=True, default=repr)
    except (TypeError, ValueError, RecursionError):
        return repr(v)


def compiled(pattern: object) -> UserPattern | None:
    """A schema ``pattern`` compiled for time-bounded searches (None when it is not a string or not a regex)."""
    return user_pattern(pattern) if isinstance(pattern, str) else None


def found(pattern: UserPattern, text: str, ctx: Ctx) -> bool:
    """Whether ``pattern`` occurs in ``text``, as far as the budget tells: undecided counts as found."""
    return pattern.search(text, ctx.budget) is not False


# --- schema plumbing: $ref, allOf merging, combinators ---------------------------------------------------


def resolve(s: object, ctx: Ctx) -> object:
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
        s = merge(node, without(s, "$ref"))
    return without(s, "$ref") if isinstance(s, dict) else s


def merge(a: object, b: object, depth: int = 0) -> object:
    """A schema close to ``allOf: [a, b]``; what can't merge is deferred into ``allOf`` or, rarely, lost."""
    if a is False or b is False or not isinstance(b, dict) or depth > 16:
        return False if a is False or b is False else a
    if not isinstance(a, dict):
        return b
    out = dict(a)
    if "if" in a and "if" in b:
        out["allOf"] = [*as_list(out.get("allOf")), {k: b[k] for k in ("if", "then", "else") if k in b}]
        b = without(b, "if", "then", "else")
    for k, v in b.items():
        o = out.get(k)
        if k not in out:
            out[k] = v
        elif k in ("properties", "patternProperties", "$defs", "definitions") and isinstance(o, dict):
            out[k] = {**o, **{n: merge(o[n], x, depth + 1) if n in o else x for n, x in as_dict(v).items()}}
        elif k == "required" and isinstance(o, list) and isinstance(v, list):
            out[k] = o + [x for x in v if x not in o]
        elif k == "type" and types_of(o) and types_of(v):
            both = (types_of(o), types_of(v))
            out[k] = [t for t in dict.fromkeys([*both[0], *both[1]]) if all(is_type_in(t, ts) for ts in both)]
        elif k in _MIN_KEYS + _MAX_KEYS and isnum(o) and isnum(v):
            out[k] = max(o, v) if k in _MIN_KEYS else min(o, v)
        elif k == "enum" and isinstance(o, list) and isinstance(v, list):
            out[k] = [x for x in o if any(canon(x) == canon(y) for y in v)] or o
        elif k in _SUB_KEYS:
            out[k] = merge(o, v, depth + 1)
        elif k == "allOf" and isinstance(o, list) and isinstance(v, list):
            out[k] = o + v
        elif k in ("$ref", "anyOf", "oneOf", "not"):
            out["allOf"] = [*as_list(out.get("allOf")), {k: v}]
        # Other clashes (const, pattern, format, multipleOf): the first schema wins.
    return out


def has_ref(x: object, depth: int = 0) -> bool:
    if isinstance(x, dict):
        return depth > 8 or "$ref" in x or any(has_ref(v, depth + 1) for v in x.values())
    return isinstance(x, list) and (depth > 8 or any(has_ref(v, depth + 1) for v in x))


def normalize(schema: object, ctx: Ctx, minimal: bool) -> object:
    """Resolve ``$ref``, fold ``allOf``, pick an ``anyOf`` branch and an ``if`` outcome (not oneOf/not)."""
    s = schema
    for _ in range(16):
        s = resolve(s, ctx)
        if not isinstance(s, dict):
            return s
        if isinstance(s.get("allOf"), list):
            merged: object = without(s, "allOf")
            for part in s["allOf"]:
                merged = merge(merged, resolve(part, ctx))
            s = merged
        elif as_list(s.get("anyOf")):
            # Never false; prefer non-null branches, or non-recursive ones once minimal (so recursion ends).
            cands = [b for b in s["anyOf"] if b is not False] or s["anyOf"]
            if minimal:
                cands = [b for b in cands if not has_ref(b)] or cands
            else:
                cands = [b for b in cands if not (isinstance(b, dict) and b.get("type") == "null")] or cands
            s = merge(without(s, "anyOf"), resolve(ctx.rng.choice(cands), ctx))
        elif "if" in s:  # satisfying if+then is valid whatever else says; with no then, satisfying else is
            then = merge(s["if"], s["then"]) if "then" in s else s.get("else", True)
            s = merge(without(s, "if", "then", "else"), then)
        else:
            return s
    return without(s, "$ref", "allOf", "anyOf") if isinstance(s, dict) else s


# --- a coarse validator: enough to pick enum values and keep oneOf / not honest -------------------------


def is_type_in(t: str, types: list[str]) -> bool:
    return t in types or (t == "integer" and "number" in types)


def is_type(v: object, t: str) -> bool:
    if t == "integer":
        return isnum(v) and (isinstance(v, int) or (isinstance(v, float) and v.is_integer()))
    return isnum(v) if t == "number" else isinstance(v, _PY_TYPES.get(t, object))


def num_ok(v: Any, s: dict[str, Any]) -> bool:
    lo, hi, elo, ehi, m = (
        s.get(k) for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
    )
    lo_x, hi_x = elo is True, ehi is True  # draft-04 boolean exclusives
    if (isnum(lo) and (v < lo or (lo_x and v == lo))) or (isnum(hi) and (v > hi or (hi_x and v == hi))):
        return False
    if (isnum(elo) and v <= elo) or (isnum(ehi) and v >= ehi):
        return False
    try:  # jsonschema's own arithmetic, so float steps agree with it
        return not isnum(m) or m <= 0 or (int(v / m) == v / m if isinstance(m, float) else not v % m)
    except (OverflowError, ValueError, ZeroDivisionError):
        return False


def may_match(schema: object, v: Any, ctx: Ctx, depth: int = 0) -> bool:
    """Whether ``v`` looks valid against ``schema``; unknown keywords count as satisfied."""
    s = resolve(schema, ctx)
    if not isinstance(s, dict) or depth > 12:
        return s is not False
    types = [t for t in types_of(s.get("type")) if t in TYPES]
    if (types and not any(is_type(v, t) for t in types)) or ("const" in s and canon(s["const"]) != canon(v)):
        return False
    if isinstance(s.get("enum"), list) and all(canon(e) != canon(v) for e in s["enum"]):
        return False
    sized = v if isinstance(v, str | list) else None
    lo, hi = ("minLength", "maxLength") if isinstance(v, str) else ("minItems", "maxItems")
    if sized is not None and not as_int(s.get(lo), 0) <= len(sized) <= as_int(s.get(hi), len(sized)):
        return False
    pattern = compiled(s.get("pattern"))
    if (isinstance(v, str) and pattern and not found(pattern, v, ctx)) or (isnum(v) and not num_ok(v, s)):
        return False
    if isinstance(v, dict):
        props, pats = as_dict(s.get("properties")), [compiled(p) for p in as_dict(s.get("patternProperties"))]
        closed = s.get("additionalProperties") is False
        if any(isinstance(r, str) and r not in v for r in as_list(s.get("required"))):
            return False
        for k, x in v.items():
            known = k in props or any(p and found(p, k, ctx) for p in pats)
            if (k in props and not may_match(props[k], x, ctx, depth + 1)) or (not known and closed):
                return False
    if not all(may_match(s.get("items", True), x, ctx, depth + 1) for x in as_list(v)):
        return False
    if not all(may_match(x, v, ctx, depth + 1) for x in as_list(s.get("allOf"))):
        return False
    for key in ("anyOf", "oneOf"):  # oneOf coarsely as anyOf
        if as_list(s.get(key)) and not any(may_match(x, v, ctx, depth + 1) for x in s[key]):
            return False
    return not ("not" in s and may_match(s["not"], v, ctx, depth + 1))
