"""The ``match:`` vocabulary: each key compiles to a matcher that returns why it failed (DESIGN.md rule 5).

A request matches a stub when every matcher passes. Failing matchers return reasons such as
``last_user_text: expected contains "weather", got "hello"``; the same reasons build the strict-mode error and
the near-miss report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockclaude.engine.canonical import DEFAULT_RULES, RequestRules, distance, first_difference
from mockclaude.engine.issues import Issues, join
from mockclaude.engine.jsonpath import parse_json_path, select
from mockclaude.engine.ops import MISSING, Op, check, compile_op, short
from mockclaude.engine.view import RequestView
from mockclaude.model.secrets import is_secret, redact

Check = Callable[[RequestView], list[str]]


@dataclass(frozen=True, slots=True)
class Matcher:
    """One compiled ``match:`` key. ``index`` is ``(key, value)`` when it is an exact-equality test; ``fast``
    answers the same question as ``check`` without building reasons (the matching hot path)."""

    key: str
    check: Check
    index: tuple[str, Any] | None = None
    fast: Callable[[RequestView], bool] | None = None
    needle: str | None = None  # a substring the tested text must hold (plain ``contains``), for prefiltering
    distance: Callable[[RequestView], int] | None = None  # how far a failing request is (ranks near misses)

    def test(self, view: RequestView) -> bool:
        """Whether ``view`` passes (``check`` returns no reason)."""
        return self.fast(view) if self.fast is not None else not self.check(view)


def _scalar(key: str, get: Callable[[RequestView], Any]) -> Callable[[Any, Issues, str], Matcher | None]:
    def build(spec: Any, issues: Issues, path: str) -> Matcher | None:
        op = compile_op(spec, issues, path)
        if op is None:
            return None
        reason_for: Check = lambda view: [r] if (r := check(op, get(view), key)) else []  # noqa: E731
        index = (key, op.equals) if op.equals is not MISSING and isinstance(op.equals, str) else None
        return Matcher(key, reason_for, index, lambda view: op.test(get(view)), op.needle)

    return build


def _fields(key: str, spec: Any, issues: Issues, path: str, allowed: dict[str, str]) -> dict[str, Any] | None:
    if not isinstance(spec, dict):
        issues.add(path, f"{key} takes a mapping with keys: {', '.join(allowed)}")
        return None
    ok = True
    for name in spec:
        if name not in allowed:
            issues.add(join(path, name), f"unknown key {name!r} in {key}; allowed: {', '.join(allowed)}")
            ok = False
    return spec if ok else None


def _bool(spec: Any, issues: Issues, path: str) -> bool | None:
    if not isinstance(spec, bool):
        issues.add(path, "expected true or false")
        return None
    return spec


def _any_message(spec: Any, issues: Issues, path: str) -> Matcher | None:
    # A bare op applies to the text of any message; {role, text} narrows by role.
    role_op: Op | None = None
    if isinstance(spec, dict) and ("text" in spec or "role" in spec):
        fields = _fields("any_message", spec, issues, path, {"role": "", "text": ""})
        if fields is None:
            return None
        role_op = compile_op(fields["role"], issues, join(path, "role")) if "role" in fields else None
        text_op = compile_op(fields.get("text", {"absent": False}), issues, join(path, "text"))
        if text_op is None or ("role" in fields and role_op is None):
            return None
    else:
        text_op = compile_op(spec, issues, path)
        if text_op is None:
            return None

    def reasons(view: RequestView) -> list[str]:
        for role, text in view.message_texts:
            if (role_op is None or role_op.test(role)) and text_op.test(text):
                return []
        who = f" with role {role_op.describe()}" if role_op else ""
        return [f"any_message: no message{who} whose text {text_op.describe()}"]

    return Matcher("any_message", reasons)


def _tools(spec: Any, issues: Issues, path: str) -> Matcher | None:
    fields = _fields("tools", spec, issues, path, {"present": "", "named": "", "count": ""})
    if fields is None:
        return None
    present = _bool(fields["present"], issues, join(path, "present")) if "present" in fields else None
    named_raw = fields.get("named", [])
    named = [named_raw] if isinstance(named_raw, str) else named_raw
    if not isinstance(named, list) or not all(isinstance(n, str) for n in named):
        issues.add(join(path, "named"), "named takes a tool name or a list of tool names")
        return None
    count = compile_op(fields["count"], issues, join(path, "count")) if "count" in fields else None
    if ("count" in fields and count is None) or ("present" in fields and present is None):
        return None

    def reasons(view: RequestView) -> list[str]:
        out: list[str] = []
        names = view.tool_names
        if present is not None and bool(view.tools) != present:
            out.append(f"tools: expected {'some' if present else 'no'} tools, got {len(view.tools)}")
        missing = [n for n in named if n not in names]
        if missing:
            out.append(f"tools: {', '.join(missing)} not offered (offered: {', '.join(names) or 'none'})")
        if count is not None and (r := check(count, len(view.tools), "tools.count")):
            out.append(r)
        return out

    return Matcher("tools", reasons)


def _tool_choice(spec: Any, issues: Issues, path: str) -> Matcher | None:
    if isinstance(spec, dict) and ("type" in spec or "name" in spec):
        fields = _fields("tool_choice", spec, issues, path, {"type": "", "name": ""})
        if fields is None:
            return None
        ops = {k: compile_op(v, issues, join(path, k)) for k, v in fields.items()}
    else:
        ops = {"type": compile_op(spec, issues, path)}
    if any(op is None for op in ops.values()):
        return None

    def reasons(view: RequestView) -> list[str]:
        choice = view.tool_choice or {}
        return [
            r
            for key, op in ops.items()
            if op is not None and (r := check(op, choice.get(key, MISSING), f"tool_choice.{key}"))
        ]

    return Matcher("tool_choice", reasons)


def _tool_result(spec: Any, issues: Issues, path: str) -> Matcher | None:
    allowed = {"present": "", "name": "", "content": "", "is_error": ""}
    fields = _fields("tool_result", spec, issues, path, allowed)
    if fields is None:
        return None
    present = _bool(fields["present"], issues, join(path, "present")) if "present" in fields else True
    is_error = _bool(fields["is_error"], issues, join(path, "is_error")) if "is_error" in fields else None
    ops = {k: compile_op(fields[k], issues, join(path, k)) for k in ("name", "content") if k in fields}
    if (
        present is None
        or any(op is None for op in ops.values())
        or ("is_error" in fields and is_error is None)
    ):
        return None

    def reasons(view: RequestView) -> list[str]:
        results = view.tool_results
        if not present:
            return [f"tool_result: expected none, got {len(results)}"] if results else []
        if not results:
            return ["tool_result: the last user message holds no tool_result"]
        best: list[str] = []
        for result in results:
            why = [
                r
                for key, op in ops.items()
                if op is not None and (r := check(op, getattr(result, key), f"tool_result.{key}"))
            ]
            if is_error is not None and result.is_error != is_error:
                why.append(f"tool_result.is_error: expected {is_error}, got {result.is_error}")
            if not why:
                return []
            best = best or why
        return best

    return Matcher("tool_result", reasons)


def _thinking(spec: Any, issues: Issues, path: str) -> Matcher | None:
    if isinstance(spec, bool):

        def reasons(view: RequestView) -> list[str]:
            on = view.thinking_mode in ("enabled", "adaptive")
            return (
                []
                if on == spec
                else [f"thinking: expected {'on' if spec else 'off'}, got {view.thinking_mode}"]
            )

        return Matcher("thinking", reasons)
    return _scalar("thinking", lambda v: v.thinking_mode)(spec, issues, path)


def _stream(spec: Any, issues: Issues, path: str) -> Matcher | None:
    wanted = _bool(spec, issues, path)
    if wanted is None:
        return None
    return Matcher(
        "stream", lambda v: [] if v.stream == wanted else [f"stream: expected {wanted}, got {v.stream}"]
    )


def _mapping_of_ops(key: str, lower_keys: bool, get: Callable[[RequestView], dict[str, Any]]) -> Any:
    def build(spec: Any, issues: Issues, path: str) -> Matcher | None:
        if not isinstance(spec, dict) or not spec:
            issues.add(path, f"{key} takes a mapping of names to values or operators")
            return None
        ops = {
            (k.lower() if lower_keys else k): compile_op(v, issues, join(path, k)) for k, v in spec.items()
        }
        if any(op is None for op in ops.values()):
            return None

        def reasons(view: RequestView) -> list[str]:
            data = get(view)
            out = []
            for name, op in ops.items():
                value = data.get(name, MISSING)
                if op is None or (r := check(op, value, f"{key}.{name}")) is None:
                    continue
                if key == "headers" and is_secret(
                    name
                ):  # neither the stub's value nor the caller's shown whole
                    got = short(redact(value)) if isinstance(value, str) else short(value)
                    r = f"{key}.{name}: expected another value (a credential, not shown), got {got}"
                out.append(r)
            return out

        return Matcher(key, reasons)

    return build


def _json(spec: Any, issues: Issues, path: str) -> Matcher | None:
    if not isinstance(spec, dict) or not spec:
        issues.add(
            path, 'json takes a mapping of JSON paths to values or operators, e.g. {"$.max_tokens": 1024}'
        )
        return None
    compiled: list[tuple[str, list[str | int], Op]] = []
    for json_path, value in spec.items():
        where = join(path, json_path)
        steps = parse_json_path(json_path) if isinstance(json_path, str) else None
        op = compile_op(value, issues, where)
        if steps is None:
            issues.add(where, f'not a JSON path: {json_path!r} (use $.key, [n], [*], ["key"])')
        elif op is not None:
            compiled.append((json_path, steps, op))
    if len(compiled) != len(spec):
        return None

    def reasons(view: RequestView) -> list[str]:
        out: list[str] = []
        for json_path, steps, op in compiled:
            found = select(view.body, steps)
            if not any(op.test(v) for v in found or [MISSING]):
                got = (
                    short(found[0]) if len(found) == 1 else "absent" if not found else f"{len(found)} values"
                )
                out.append(f"json {json_path}: expected {op.describe()}, got {got}")
        return out

    return Matcher("json", reasons)


_ROUTE = re.compile(r"^[A-Z]+ /\S*$")
DEFAULT_ROUTE = "POST /v1/messages"
"""The route of a stub that names none: stubs answer ``POST /v1/messages`` unless a recording says otherwise."""


def _route(spec: Any, issues: Issues, path: str) -> Matcher | None:
    # Which endpoint a recording answers. Only recordings of Messages requests are served by the engine; the
    # others (count_tokens, models, batches) by the recorder (server/recorder.py), which reads the same stubs.
    if not isinstance(spec, str) or not _ROUTE.match(spec):
        issues.add(path, 'route takes a method and a path, e.g. "POST /v1/messages/count_tokens"')
        return None
    return Matcher(
        "route", lambda v: [] if v.route == spec else [f"route: recorded for {spec}, got {v.route}"], None
    )


def request_matcher(
    spec: Any, issues: Issues, path: str, rules: RequestRules = DEFAULT_RULES
) -> Matcher | None:
    """``request:``: the request body, in canonical form, equals this recorded one (engine/canonical.py).

    The paths ``rules`` ignore are left out of both sides; the reason names the first difference.
    """
    if not isinstance(spec, dict):
        issues.add(path, "request takes the recorded request body (a mapping)")
        return None
    recorded = rules.canonical(spec)

    def live(view: RequestView) -> Any:
        memo = view.canonical
        if rules not in memo:
            memo[rules] = rules.canonical(view.raw)
        return memo[rules]

    def reasons(view: RequestView) -> list[str]:
        found = first_difference(recorded, live(view))
        return [] if found is None else [f"request: differs at {found}"]

    return Matcher("request", reasons, distance=lambda view: distance(recorded, live(view)))


BUILDERS: dict[str, Callable[[Any, Issues, str], Matcher | None]] = {
    "model": _scalar("model", lambda v: v.model),
    "system": _scalar("system", lambda v: MISSING if v.system_text is None else v.system_text),
    "last_user_text": _scalar("last_user_text", lambda v: v.last_user_text),
    "any_message": _any_message,
    "message_count": _scalar("message_count", lambda v: len(v.messages)),
    "turn": _scalar("turn", lambda v: v.turn),
    "tools": _tools,
    "tool_choice": _tool_choice,
    "tool_result": _tool_result,
    "thinking": _thinking,
    "stream": _stream,
    "metadata": _mapping_of_ops("metadata", False, lambda v: v.metadata),
    "headers": _mapping_of_ops("headers", True, lambda v: v.req.headers),
    "betas": _scalar("betas", lambda v: list(v.req.betas)),
    "json": _json,
    "route": _route,
    "request": request_matcher,
}
"""``match:`` key -> matcher builder. The keys are the closed vocabulary of ``match``."""

MATCH_KEYS = tuple(BUILDERS)
# Equality indexes, most selective first: a stub is indexed under the first of these it tests for equality.
INDEXED_KEYS = ("last_user_text", "model")


def compile_match(
    spec: Any, issues: Issues, path: str = "match", rules: RequestRules = DEFAULT_RULES
) -> list[Matcher] | None:
    """Compile a ``match:`` mapping into matchers (an empty or missing one matches every request).

    ``rules`` are the recording rules of the stub's file (which request paths ``request:`` ignores).
    """
    if spec is None:
        return []
    if not isinstance(spec, dict):
        issues.add(path, f"match takes a mapping with keys: {', '.join(MATCH_KEYS)}")
        return None
    out: list[Matcher] = []
    ok = True
    for key, value in spec.items():
        build = BUILDERS.get(key)
        where = join(path, key)
        if build is None:
            issues.add(where, f"unknown match key {key!r}; allowed: {', '.join(MATCH_KEYS)}")
            ok = False
            continue
        matcher = (
            request_matcher(value, issues, where, rules) if key == "request" else build(value, issues, where)
        )
        if matcher is None:
            ok = False
        else:
            out.append(matcher)
    return out if ok else None


def reasons(matchers: list[Matcher], view: RequestView, *, stop_early: bool = True) -> list[str]:
    """Why ``view`` fails ``matchers`` (empty: it matches). ``stop_early`` returns at the first failure."""
    out: list[str] = []
    for matcher in matchers:
        why = matcher.check(view)
        if why:
            out.extend(why)
            if stop_early:
                return out
    return out
