"""The ``reply:`` vocabulary, compiled: content blocks, stop fields, usage overrides, headers, error, fault, latency.

``compile_reply`` checks a reply mapping against the closed vocabulary (``engine/vocabulary.py``; every problem
reported with its path) and returns a ``ReplySpec`` that ``replies.ScriptedBuilder`` turns into a ``Reply`` for
each request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockclaude.engine import servertools
from mockclaude.engine.issues import Issues, join
from mockclaude.engine.recorded import RecordedSpec, compile_recorded
from mockclaude.engine.templates import Template, compile_strings, compile_template
from mockclaude.engine.vocabulary import (
    BLOCK_KEYS,
    CITATION_KEYS,
    CITATION_OPTIONAL,
    ERROR_KEYS,
    ERROR_REPLY_KEYS,
    FAULT_KEYS,
    FAULT_KINDS,
    LATENCY_KEYS,
    REFUSAL_CATEGORIES,
    REPLY_KEYS,
    REQUIRED_BLOCK_KEYS,
    STOP_REASONS,
    USAGE_KEYS,
    USAGE_STRINGS,
)
from mockclaude.model.errors import ERROR_CLASSES, ApiError
from mockclaude.model.faults import Fault, Latency

__all__ = [
    "BLOCK_KEYS",
    "CITATION_KEYS",
    "CITATION_OPTIONAL",
    "ERROR_KEYS",
    "REFUSAL_CATEGORIES",
    "REPLY_KEYS",
    "REQUIRED_BLOCK_KEYS",
    "STOP_REASONS",
    "USAGE_KEYS",
    "BlockSpec",
    "ErrorSpec",
    "ReplySpec",
    "compile_reply",
]


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """A scripted API error: the class by type, an optional status override, message and headers."""

    cls: type[ApiError]
    message: Template | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """One scripted content block; string values that hold ``{{`` are compiled templates."""

    type: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReplySpec:
    """A compiled reply. ``blocks is None`` means: generate the content, then apply the other fields."""

    blocks: list[BlockSpec] | None = None
    stop_reason: str | None = None
    stop_sequence: str | None = None
    stop_details: dict[str, Any] | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    error: ErrorSpec | None = None
    fault: Fault | None = None
    latency: Latency | None = None
    model: str | None = None
    container: dict[str, Any] | None = None
    recorded: RecordedSpec | None = None  # a recorded answer, served as recorded (engine/recorded.py)


def _closed(value: Any, allowed: tuple[str, ...], what: str, issues: Issues, path: str) -> bool:
    if not isinstance(value, dict):
        issues.add(path, f"{what} takes a mapping with keys: {', '.join(allowed)}")
        return False
    ok = True
    for key in value:
        if key not in allowed:
            issues.add(join(path, str(key)), f"unknown key {key!r} in {what}; allowed: {', '.join(allowed)}")
            ok = False
    return ok


def _int(value: Any, issues: Issues, path: str, minimum: int = 0) -> bool:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        issues.add(path, f"expected an integer >= {minimum}")
        return False
    return True


def _str(value: Any, issues: Issues, path: str) -> bool:
    if not isinstance(value, str):
        issues.add(path, "expected a string")
        return False
    return True


def compile_reply(spec: Any, issues: Issues, path: str) -> ReplySpec | None:
    """Check one reply mapping and compile it; ``None`` (with issues) when it is invalid."""
    before = len(issues.items)
    if not _closed(spec, REPLY_KEYS, "a reply", issues, path):
        return None
    if "recorded" in spec:
        if len(spec) > 1:
            other = next(k for k in spec if k != "recorded")
            issues.add(join(path, other), "a recorded reply takes no other keys")
            return None
        recorded = compile_recorded(spec["recorded"], issues, join(path, "recorded"))
        return ReplySpec(recorded=recorded) if recorded is not None else None
    if "error" in spec:
        extra = [k for k in spec if k not in ERROR_REPLY_KEYS]
        if extra:
            issues.add(join(path, extra[0]), f"an error reply takes only: {', '.join(ERROR_REPLY_KEYS)}")
    if "content" in spec and "text" in spec:
        issues.add(
            join(path, "text"), "use either text (one text block) or content (a list of blocks), not both"
        )
    blocks = _blocks(spec, issues, path)
    headers = _headers(spec.get("headers", {}), issues, join(path, "headers"))
    error = _error(spec["error"], issues, join(path, "error")) if "error" in spec else None
    stop_reason = spec.get("stop_reason")
    if stop_reason is not None and stop_reason not in STOP_REASONS:
        issues.add(
            join(path, "stop_reason"),
            f"unknown stop_reason {stop_reason!r}; allowed: {', '.join(STOP_REASONS)}",
        )
    if "stop_sequence" in spec and spec["stop_sequence"] is not None:
        _str(spec["stop_sequence"], issues, join(path, "stop_sequence"))
    stop_details = (
        _stop_details(spec["stop_details"], issues, join(path, "stop_details"))
        if spec.get("stop_details") is not None
        else None
    )
    usage = _usage(spec.get("usage", {}), issues, join(path, "usage"))
    fault = (
        _dataclass(Fault, FAULT_KEYS, spec["fault"], issues, join(path, "fault")) if "fault" in spec else None
    )
    latency = (
        _dataclass(Latency, LATENCY_KEYS, spec["latency"], issues, join(path, "latency"))
        if "latency" in spec
        else None
    )
    if "model" in spec:
        _str(spec["model"], issues, join(path, "model"))
    if "container" in spec and spec["container"] is not None:
        _closed(
            spec["container"], ("id", "expires_at", "skills"), "container", issues, join(path, "container")
        )
    if len(issues.items) > before:
        return None
    return ReplySpec(
        blocks=blocks,
        stop_reason=stop_reason,
        stop_sequence=spec.get("stop_sequence"),
        stop_details=stop_details,
        usage=usage,
        headers=headers,
        error=error,
        fault=fault if isinstance(fault, Fault) else None,
        latency=latency if isinstance(latency, Latency) else None,
        model=spec.get("model"),
        container=spec.get("container"),
    )


def _blocks(spec: dict[str, Any], issues: Issues, path: str) -> list[BlockSpec] | None:
    if "text" in spec:
        if not _str(spec["text"], issues, join(path, "text")):
            return None
        template = compile_template(spec["text"], issues, join(path, "text"))
        return [BlockSpec("text", {"text": template})] if template is not None else None
    if "content" not in spec:
        return None
    content = spec["content"]
    where = join(path, "content")
    if isinstance(content, str):  # like the request side: a string is one text block
        template = compile_template(content, issues, where)
        return [BlockSpec("text", {"text": template})] if template is not None else None
    if not isinstance(content, list):
        issues.add(where, "content takes a list of content blocks (or a string)")
        return None
    out = [_block(item, issues, join(where, i)) for i, item in enumerate(content)]
    return [b for b in out if b is not None]


def _block(item: Any, issues: Issues, path: str) -> BlockSpec | None:
    kind = item.get("type") if isinstance(item, dict) else None
    if not isinstance(kind, str) or kind not in BLOCK_KEYS:  # a list or mapping is unhashable: no lookup
        issues.add(
            join(path, "type"), f"unknown content block type {kind!r}; allowed: {', '.join(BLOCK_KEYS)}"
        )
        return None
    if not _closed(item, BLOCK_KEYS[kind], f"a {kind} block", issues, path):
        return None
    missing = [k for k in REQUIRED_BLOCK_KEYS.get(kind, ()) if k not in item]
    for key in missing:
        issues.add(join(path, key), f"a {kind} block needs {key}")
    if missing:
        return None
    fields: dict[str, Any] = {}
    for key, value in item.items():
        if key == "type":
            continue
        where = join(path, key)
        if key in ("text", "thinking"):
            if _str(value, issues, where):
                fields[key] = compile_template(value, issues, where)
        elif key == "input":
            if isinstance(value, dict):
                fields[key] = compile_strings(value, issues, where)
            else:
                issues.add(where, "input takes a mapping (the tool's arguments)")
        elif key == "citations":
            fields[key] = _citations(value, issues, where)
        elif key == "name" and kind == "server_tool_use" and value not in servertools.SERVER_TOOL_NAMES:
            names = ", ".join(servertools.SERVER_TOOL_NAMES)
            issues.add(where, f"unknown server tool {value!r}; allowed: {names}")
        elif key == "result":
            fields[key] = _result(item.get("name", ""), value, issues, where)
        elif key in ("name", "id", "signature", "data", "file_id", "tool_use_id"):
            if _str(value, issues, where):
                fields[key] = value
        else:
            fields[key] = value
    return BlockSpec(kind, fields)


def _citations(value: Any, issues: Issues, path: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        issues.add(path, "citations takes a list of citation objects")
        return []
    out: list[dict[str, Any]] = []
    for i, cite in enumerate(value):
        where = join(path, i)
        kind = cite.get("type") if isinstance(cite, dict) else None
        if not isinstance(kind, str) or kind not in CITATION_KEYS:
            issues.add(
                join(where, "type"), f"unknown citation type {kind!r}; allowed: {', '.join(CITATION_KEYS)}"
            )
            continue
        keys = CITATION_KEYS[kind]
        if not _closed(cite, ("type", *keys), f"a {kind} citation", issues, where):
            continue
        missing = [k for k in keys if k not in cite and k not in CITATION_OPTIONAL]
        for key in missing:
            issues.add(join(where, key), f"a {kind} citation needs {key}")
        if not missing:
            out.append(dict(cite))
    return out


def _result(name: Any, value: Any, issues: Issues, path: str) -> Any:
    """A ``server_tool_use`` result: search hits, a fetched page, program output, or ``{error: code}``."""
    if isinstance(value, dict) and "error" in value:
        if _closed(value, ("error",), "an error result", issues, path):
            codes = servertools.ERROR_CODES.get(name, ())
            if value["error"] not in codes:
                issues.add(
                    join(path, "error"),
                    f"unknown {name} error code {value['error']!r}; allowed: {', '.join(codes)}",
                )
        return value
    if name == "web_search":
        if not isinstance(value, list):
            issues.add(path, "a web_search result is a list of {url, title, page_age?, encrypted_content?}")
            return value
        for i, hit in enumerate(value):
            where = join(path, i)
            if _closed(
                hit, ("url", "title", "page_age", "encrypted_content"), "a search result", issues, where
            ):
                for key in ("url", "title"):
                    if key not in hit:
                        issues.add(join(where, key), f"a search result needs {key}")
        return value
    if name == "web_fetch":
        _closed(value, ("url", "title", "text"), "a web_fetch result", issues, path)
        return value
    if name in ("code_execution", "bash_code_execution"):
        if _closed(
            value, ("stdout", "stderr", "return_code"), f"a {name} result", issues, path
        ) and not isinstance(value.get("return_code", 0), int):
            issues.add(join(path, "return_code"), "expected an integer")
        return value
    if not isinstance(value, dict):
        issues.add(path, f"a {name} result is the result block's content object")
    return value


def _headers(value: Any, issues: Issues, path: str) -> dict[str, str]:
    if not isinstance(value, dict):
        issues.add(path, "headers takes a mapping of header names to values")
        return {}
    out: dict[str, str] = {}
    for name, raw in value.items():
        if isinstance(raw, dict | list) or raw is None:
            issues.add(join(path, str(name)), "a header value is a string or a number")
        else:
            out[str(name)] = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
    return out


def _error(value: Any, issues: Issues, path: str) -> ErrorSpec | None:
    if isinstance(value, str):
        value = {"type": value}
    if not _closed(value, ERROR_KEYS, "error", issues, path):
        return None
    kind = value.get("type")
    cls = ERROR_CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        issues.add(join(path, "type"), f"unknown error type {kind!r}; allowed: {', '.join(ERROR_CLASSES)}")
        return None
    message = None
    if "message" in value and _str(value["message"], issues, join(path, "message")):
        message = compile_template(value["message"], issues, join(path, "message"))
    status = value.get("status")
    if status is not None and not (_int(status, issues, join(path, "status"), 100) and status <= 599):
        issues.add(join(path, "status"), "expected an HTTP status between 100 and 599")
    details = value.get("details")
    if details is not None and not isinstance(details, dict):
        issues.add(join(path, "details"), "details takes a mapping")
    headers = _headers(value.get("headers", {}), issues, join(path, "headers"))
    return ErrorSpec(cls, message, status, headers, details)


def _stop_details(value: Any, issues: Issues, path: str) -> dict[str, Any] | None:
    if not _closed(value, ("type", "category", "explanation"), "stop_details", issues, path):
        return None
    if value.get("type", "refusal") != "refusal":
        issues.add(join(path, "type"), "stop_details.type is 'refusal'")
    category = value.get("category")
    if category is not None and category not in REFUSAL_CATEGORIES:
        issues.add(
            join(path, "category"), f"unknown category {category!r}; allowed: {', '.join(REFUSAL_CATEGORIES)}"
        )
    return {"type": "refusal", "category": category, "explanation": value.get("explanation")}


def _usage(value: Any, issues: Issues, path: str) -> dict[str, Any]:
    if not _closed(value, tuple(USAGE_KEYS), "usage", issues, path):
        return {}
    for key, sub in value.items():
        where = join(path, key)
        if key in USAGE_STRINGS:
            if value[key] is not None:
                _str(sub, issues, where)
        elif USAGE_KEYS[key]:
            if _closed(sub, USAGE_KEYS[key], key, issues, where):
                for name, n in sub.items():
                    _int(n, issues, join(where, name))
        else:
            _int(sub, issues, where)
    return dict(value)


def _dataclass(cls: type[Any], keys: tuple[str, ...], value: Any, issues: Issues, path: str) -> Any:
    """``Fault(**value)`` / ``Latency(**value)``, with the dataclass fields as the closed vocabulary."""
    what = cls.__name__.lower()
    if not _closed(value, keys, what, issues, path):
        return None
    if cls is Fault and value.get("kind") not in FAULT_KINDS:
        issues.add(
            join(path, "kind"), f"unknown fault kind {value.get('kind')!r}; allowed: {', '.join(FAULT_KINDS)}"
        )
        return None
    try:
        return cls(**value)
    except (TypeError, ValueError) as exc:
        issues.add(path, f"invalid {what}: {exc}")
        return None
