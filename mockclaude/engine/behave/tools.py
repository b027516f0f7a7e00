"""Which offered tool does a step, and its input: built from the step's values where a property fits.

A role (shell, read, write, edit, fetch, search) is found by the tool's name first (Claude Code's ``Bash``,
``Read``, ``Write``, ``Edit``, ``WebFetch``, ``WebSearch``; Anthropic's ``bash`` and text-editor tools; common
``read_file`` / ``run_command`` spellings), then by its description and properties ("Executes a shell command"
with a ``command`` property). The input holds the properties the step fills and the required ones (generated from
their schema), never optional properties the step says nothing about: a generated ``run_in_background: true`` or
``offset: 900`` would change what the tool does.
"""

from __future__ import annotations

import posixpath
import random
import re
from collections.abc import Callable
from typing import Any

from mockclaude.engine.behave.intent import Step

Tool = tuple[str, dict[str, Any], str]  # (name, input_schema, description)

_ROLE_OF_RULE = {
    "command": "shell",
    "list": "shell",
    "read": "read",
    "write": "write",
    "edit": "edit",
    "fetch": "fetch",
    "search": "search",
}
_NAMES: dict[str, tuple[str, ...]] = {
    "shell": (
        "bash",
        "shell",
        "run_command",
        "execute_command",
        "run_shell_command",
        "terminal",
        "exec",
        "sh",
    ),
    "read": ("read", "read_file", "view_file", "cat", "open_file", "get_file"),
    "write": ("write", "write_file", "create_file", "save_file"),
    "edit": ("edit", "edit_file", "replace_in_file", "str_replace"),
    "fetch": ("webfetch", "web_fetch", "fetch", "fetch_url", "http_get", "get_url", "browse"),
    "search": ("websearch", "web_search", "search", "search_web", "internet_search"),
}
_EDITOR_TOOLS = ("str_replace_based_edit_tool", "str_replace_editor")
_DESCRIPTIONS: dict[str, re.Pattern[str]] = {
    "shell": re.compile(
        r"\b(?:shell|bash|terminal)\b|\bexecutes?\s+(?:a\s+)?command|\bruns?\s+(?:a\s+)?command", re.I
    ),
    "read": re.compile(r"\breads?\s+(?:a\s+|the\s+)?(?:file|contents)", re.I),
    "write": re.compile(r"\b(?:writes?|creates?)\s+(?:a\s+|the\s+)?file", re.I),
    "edit": re.compile(r"\b(?:edits?|modif(?:y|ies))\s+(?:a\s+|the\s+)?file|string\s+replacement", re.I),
    "fetch": re.compile(r"\bfetch(?:es)?\b.*\b(?:url|web|page)|\b(?:url|web\s*page)\b.*\bfetch", re.I),
    "search": re.compile(r"\bsearch(?:es)?\s+(?:the\s+)?(?:web|internet|online)", re.I),
}
# Property names, lower-cased without "_" / "-", per value of a step.
_FILLS: dict[str, tuple[str, ...]] = {
    "command": ("command", "cmd", "commandline", "shellcommand", "script"),
    "path": ("filepath", "path", "filename", "file", "notebookpath", "target", "absolutepath"),
    "content": ("content", "contents", "text", "filetext", "body", "data"),
    "old": ("oldstring", "oldstr", "old", "oldtext", "search", "find"),
    "new": ("newstring", "newstr", "new", "newtext", "replacement", "replace"),
    "url": ("url", "uri", "link", "href", "address"),
    "query": ("query", "q", "searchquery", "search", "term", "terms", "keywords", "question", "pattern"),
}
# A property whose name says nothing ("p", "arg") may say it in its description ("The file path to read").
_DESCRIBED: dict[str, re.Pattern[str]] = {
    "command": re.compile(r"\b(?:shell\s+)?command\b", re.I),
    "path": re.compile(r"\b(?:file\s*path|path|file\s*name)\b", re.I),
    "url": re.compile(r"\b(?:url|uri|web\s+address)\b", re.I),
    "query": re.compile(r"\b(?:query|search\s+terms?|keywords?)\b", re.I),
    "content": re.compile(r"\b(?:content|contents|text\s+to\s+write)\b", re.I),
}
_EDITOR_COMMAND = {"read": "view", "write": "create", "edit": "str_replace"}


def role_of(step: Step) -> str | None:
    """The tool role a step needs (``None`` for a step that names its tool)."""
    return _ROLE_OF_RULE.get(step.rule)


def _key(name: str) -> str:
    return re.sub(r"[_\-\s]", "", name.lower())


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def find_tool(role: str, tools: list[Tool]) -> Tool | None:
    """The offered tool that plays ``role``: by name, then the text editor, then by description and schema."""
    wanted = {_key(n) for n in _NAMES[role]}
    for tool in tools:
        if _key(tool[0]) in wanted:
            return tool
    if role in _EDITOR_COMMAND:
        for tool in tools:
            if tool[0] in _EDITOR_TOOLS:
                return tool
    value = {
        "shell": "command",
        "read": "path",
        "write": "path",
        "edit": "path",
        "fetch": "url",
        "search": "query",
    }[role]
    for name, schema, description in tools:
        fits = any(_key(p) in _FILLS[value] for p in _properties(schema))
        if fits and _DESCRIPTIONS[role].search(f"{name} {description}"):
            return name, schema, description
    return None


def absolute(path: str, cwd: str | None) -> str:
    """``path`` made absolute against the client's working directory, when it states one."""
    if path.startswith(("/", "~")) or cwd is None:
        return path
    return posixpath.normpath(posixpath.join(cwd, path))


def _fits(prop: Any, value: str) -> bool:
    if not isinstance(prop, dict):
        return True  # an unconstrained property takes any value
    kind = prop.get("type", "string")
    if kind != "string" and not (isinstance(kind, list) and "string" in kind):
        return False
    if "enum" in prop:
        return value in prop["enum"]
    if "const" in prop:
        return bool(value == prop["const"])
    low, high = prop.get("minLength", 0), prop.get("maxLength")
    if (isinstance(low, int) and len(value) < low) or (isinstance(high, int) and len(value) > high):
        return False
    pattern = prop.get("pattern")
    return not isinstance(pattern, str) or _search(pattern, value)


def _search(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def build_input(
    step: Step,
    tool: Tool,
    rng: random.Random,
    *,
    cwd: str | None,
    question: str,
    generate: Callable[[object, random.Random, str], Any],
) -> dict[str, Any]:
    """The input for ``tool`` doing ``step``: step values by property name, required rest generated."""
    name, schema, _ = tool
    props = _properties(schema)
    values: dict[str, str | None] = {
        "command": step.command,
        "path": absolute(step.path, cwd) if step.path else None,
        "content": step.content,
        "old": step.old,
        "new": step.new,
        "url": step.url,
        "query": step.query,
    }
    out: dict[str, Any] = {}
    used: set[str] = set()
    for prop, spec in props.items():
        key = _key(prop)
        if prop == "command" and name in _EDITOR_TOOLS:
            out[prop] = _EDITOR_COMMAND.get(step.rule, "view")
            continue
        if key == "prompt" and step.rule == "fetch":
            out[prop] = question
            continue
        for field, names in _FILLS.items():
            value = values[field]
            if value is not None and key in names and _fits(spec, value):
                out[prop] = value
                used.add(field)
                break
    for prop, spec in props.items():  # then by description, each value at most once ("c": "The command")
        described = spec.get("description") if isinstance(spec, dict) else None
        if prop in out or not isinstance(described, str):
            continue
        for field, pattern in _DESCRIBED.items():
            value = values[field]
            if field not in used and value is not None and pattern.search(described) and _fits(spec, value):
                out[prop] = value
                used.add(field)
                break
    if name in _EDITOR_TOOLS and step.rule == "write" and "file_text" in props:
        out.setdefault("file_text", step.content or "")
    required = schema.get("required")
    for prop in required if isinstance(required, list) else []:
        if prop not in out and prop in props:
            out[prop] = generate(props[prop], rng, prop)
    return out
