"""A small template language for scripted text: ``{{ last_user_text }}``, ``{{ tool_result.content | upper }}``.

``{{ path | filter | … }}`` where ``path`` starts at one of ``ROOTS`` and continues with ``.name`` or ``[n]``.
Missing values render as an empty string. ``{{{{`` writes a literal ``{{``. In ``tool_use`` inputs, a string that
is exactly one expression keeps the value's JSON type (``"{{ tool_use.input.days }}"`` stays a number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from mockclaude.engine.issues import Issues
from mockclaude.engine.ops import MISSING, step_into
from mockclaude.engine.view import RequestView
from mockclaude.model.secrets import redact_headers

ROOTS: dict[str, str] = {
    "last_user_text": "text of the last user message",
    "system": "the system prompt text",
    "model": "the requested model",
    "turn": "assistant messages in the history, plus one",
    "message_count": "number of messages",
    "stream": "true when streaming",
    "thinking": "the thinking mode",
    "tool_result": "the first tool_result of the last user message: name, content, is_error, tool_use_id",
    "tool_results": "every tool_result of the last user message (tool_results[1].content)",
    "tool_use": "the last tool_use of the previous assistant message: id, name, input",
    "metadata": "the request metadata (metadata.user_id)",
    "headers": "request headers, lower-case names (headers.x-test-id)",
    "request": "the normalised request body (request.max_tokens, request.messages[0].role)",
    "n": "how many times this stub has matched, this request included (1, 2, …)",
    "stub": "the stub's name",
}
FILTERS = ("upper", "lower", "trim", "json", "length", "first_line")

_EXPR = re.compile(r"\{\{\{\{|\{\{(.*?)\}\}", re.S)
_PATH = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_-]+|\[-?\d+\])*)\s*$")
_STEP = re.compile(r"\.([A-Za-z0-9_-]+)|\[(-?\d+)\]")


@dataclass(frozen=True, slots=True)
class Expr:
    """One ``{{ … }}``: a root, its steps and filters."""

    root: str
    steps: tuple[str | int, ...]
    filters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled template: literal strings and expressions in order."""

    parts: tuple[str | Expr, ...]

    @property
    def constant(self) -> bool:
        """True when there is nothing to substitute."""
        return all(isinstance(p, str) for p in self.parts)


def compile_template(text: str, issues: Issues, path: str) -> Template | None:
    """Parse ``text``; unknown roots, filters or bad syntax go to ``issues``."""
    if "{{" not in text:
        return Template((text,))
    parts: list[str | Expr] = []
    pos = 0
    ok = True
    for m in _EXPR.finditer(text):
        parts.append(text[pos : m.start()])
        pos = m.end()
        if m.group(1) is None:  # "{{{{": a literal "{{"
            parts.append("{{")
            continue
        expr = _compile_expr(m.group(1), issues, path)
        if expr is None:
            ok = False
        else:
            parts.append(expr)
    parts.append(text[pos:])
    return Template(tuple(p for p in parts if p != "")) if ok else None


def _compile_expr(source: str, issues: Issues, path: str) -> Expr | None:
    head, *filters = [piece.strip() for piece in source.split("|")]
    m = _PATH.match(head)
    if m is None:
        issues.add(
            path, f"template {{{{{source}}}}}: expected a name like last_user_text or tool_result.content"
        )
        return None
    root, rest = m.group(1), m.group(2)
    if root not in ROOTS:
        issues.add(path, f"template {{{{{source}}}}}: unknown name {root!r}; known: {', '.join(ROOTS)}")
        return None
    bad = [f for f in filters if f not in FILTERS]
    if bad:
        issues.add(path, f"template {{{{{source}}}}}: unknown filter {bad[0]!r}; known: {', '.join(FILTERS)}")
        return None
    steps: list[str | int] = []
    for step in _STEP.finditer(rest):
        steps.append(step.group(1) if step.group(1) is not None else int(step.group(2)))
    return Expr(root, tuple(steps), tuple(filters))


class Context:
    """The values templates read, computed on demand from the request."""

    def __init__(self, view: RequestView, n: int = 1, stub: str = "") -> None:
        self.view = view
        self.n = n
        self.stub = stub

    def root(self, name: str) -> Any:
        """The value of a root name (``MISSING`` when the request has none)."""
        view = self.view
        if name == "last_user_text":
            return view.last_user_text
        if name == "system":
            return MISSING if view.system_text is None else view.system_text
        if name == "tool_result":
            return view.tool_results[0].to_json() if view.tool_results else MISSING
        if name == "tool_results":
            return [r.to_json() for r in view.tool_results]
        if name == "tool_use":
            uses = view.previous_tool_uses
            return {"id": uses[-1].id, "name": uses[-1].name, "input": uses[-1].input} if uses else MISSING
        simple: dict[str, Any] = {
            "model": lambda: view.model,
            "turn": lambda: view.turn,
            "message_count": lambda: len(view.messages),
            "stream": lambda: view.stream,
            "thinking": lambda: view.thinking_mode,
            "metadata": lambda: view.metadata,
            "headers": lambda: redact_headers(view.req.headers),  # credentials cut short: never echoed
            "request": lambda: view.body,
            "n": lambda: self.n,
            "stub": lambda: self.stub,
        }
        return simple[name]()


def _walk(value: Any, steps: tuple[str | int, ...]) -> Any:
    for step in steps:
        value = step_into(value, step)
        if value is MISSING:
            break
    return value


def _to_text(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return orjson.dumps(value).decode()


def _evaluate(expr: Expr, ctx: Context) -> Any:
    value = _walk(ctx.root(expr.root), expr.steps)
    for name in expr.filters:
        if name == "json":
            value = orjson.dumps(None if value is MISSING else value).decode()
        elif name == "length":
            value = len(value) if isinstance(value, str | list | dict) else 0
        elif name == "upper":
            value = _to_text(value).upper()
        elif name == "lower":
            value = _to_text(value).lower()
        elif name == "trim":
            value = _to_text(value).strip()
        else:  # first_line
            value = _to_text(value).split("\n", 1)[0]
    return value


def render(template: Template, ctx: Context) -> str:
    """The template's text for this request."""
    return "".join(p if isinstance(p, str) else _to_text(_evaluate(p, ctx)) for p in template.parts)


def render_value(template: Template, ctx: Context) -> Any:
    """Like ``render``, but a template that is exactly one expression keeps its value's JSON type."""
    if len(template.parts) == 1 and isinstance(template.parts[0], Expr):
        value = _evaluate(template.parts[0], ctx)
        return None if value is MISSING else value
    return render(template, ctx)


def compile_strings(value: Any, issues: Issues, path: str) -> Any:
    """A JSON value with every string that holds ``{{`` replaced by its compiled ``Template``."""
    if isinstance(value, str):
        return compile_template(value, issues, path) if "{{" in value else value
    if isinstance(value, list):
        return [compile_strings(v, issues, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: compile_strings(v, issues, f"{path}.{k}") for k, v in value.items()}
    return value


def render_strings(value: Any, ctx: Context) -> Any:
    """The inverse of ``compile_strings`` for one request: templates rendered, everything else copied."""
    if isinstance(value, Template):
        return render_value(value, ctx)
    if isinstance(value, list):
        return [render_strings(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: render_strings(v, ctx) for k, v in value.items()}
    return value
