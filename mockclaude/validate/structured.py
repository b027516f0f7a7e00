"""Structured outputs take a subset of JSON Schema: the 400s for ``output_config.format`` and ``strict`` tools.

What the docs list (platform.claude.com, build-with-claude/structured-outputs, "JSON Schema limitations"):
supported are the basic types, ``enum`` of primitives, ``const``, ``anyOf``, ``allOf``, local ``$ref`` /
``$defs`` / ``definitions``, ``default``, ``required``, ``additionalProperties: false``, the string formats in
``FORMATS`` and ``minItems`` of 0 or 1. Not supported: recursive schemas, complex types in enums, external
``$ref``, numerical constraints, string length constraints, array constraints beyond ``minItems`` 0/1,
``additionalProperties`` other than false, and in ``pattern`` backreferences, lookaround and word boundaries.

The texts in ``TEXTS`` are the API's own, quoted from 400 bodies captured in public repositories (third-party
captures, 2025-11 to 2026-10), except the ones marked ⚠. Their paths: ``output_config.format.schema: ``
(``output_format.schema: `` for the deprecated beta parameter) and ``tools.N.custom: `` for a strict tool.
The grammar limits (union-typed and optional parameters, strict tools) count over the whole request and apply
to Messages only: a third-party probe found that count_tokens checks a schema's shape, not those limits.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.wire import CountTokensParams, CustomTool, MessageCreateParams

__all__ = ["FORMATS", "TEXTS", "check_schemas", "grammar_counts", "schema_problem"]

Params = MessageCreateParams | CountTokensParams

FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
MAX_UNION_PARAMS = 16
MAX_OPTIONAL_PARAMS = 24
MAX_STRICT_TOOLS = 20

TEXTS: dict[str, str] = {
    "closed": "For 'object' type, 'additionalProperties' must be explicitly set to false",
    "open": "For 'object' type, 'additionalProperties: {value}' is not supported. "
    "Please set 'additionalProperties' to false",
    "property": "For '{type}' type, property '{names}' is not supported",
    "properties": "For '{type}' type, properties {names} are not supported",
    "min_items": "For 'array' type, 'minItems' values other than 0 or 1 are not supported (got: {values})",
    "items_list": "Invalid schema: Array types must be specified with a single object schema for 'items'",
    "combinator": "Schema type '{name}' is not supported",  # seen for oneOf; ⚠ unconfirmed for not / if
    "type_missing": "Invalid schema: Schema type is missing",
    "enum_type": "Invalid schema: Enum value {value} does not match declared type '{type}'",
    "circular": "Invalid schema: Circular reference detected in schema definitions: {path}. "
    "Self-referencing or mutually-referencing definitions are not supported.",
    "unions": "Schemas contains too many parameters with union types ({n} parameters with type arrays or "
    "anyOf). This causes exponential compilation cost. Reduce the number of nullable or union-typed "
    f"parameters (limit: {MAX_UNION_PARAMS} parameters with unions).",
    "optional": "Schemas contains too many optional parameters ({n}), which would make grammar compilation "
    f"inefficient. Reduce the number of optional parameters in your tool schemas (limit: {MAX_OPTIONAL_PARAMS}).",
    "strict_tools": "Too many strict tools ({n}). The maximum number of strict tools supported is "
    f"{MAX_STRICT_TOOLS}. Try reducing the number of tools marked as strict.",
    # ⚠ unconfirmed: no captured text; worded like the confirmed neighbours above.
    "enum_complex": "Invalid schema: Enum values must be strings, numbers, booleans, or null",
    "external_ref": "Invalid schema: External $ref '{ref}' is not supported. Only local references are allowed",
    "dangling_ref": "Invalid schema: $ref '{ref}' could not be resolved",
    "format": "For 'string' type, format '{format}' is not supported",
    "regex": "For 'string' type, pattern '{pattern}' is not supported: backreferences, lookaround assertions "
    "and word boundaries are not supported",
}

_NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
# Keywords each type rejects. Confirmed by captured texts: the numeric ones, minLength / maxLength, maxItems;
# ⚠ the other array and object keywords by the docs' "array constraints beyond minItems" and by analogy.
_UNSUPPORTED: dict[str, tuple[str, ...]] = {
    "integer": _NUMERIC,
    "number": _NUMERIC,
    "string": ("minLength", "maxLength"),
    "array": ("maxItems", "uniqueItems", "contains", "minContains", "maxContains", "prefixItems"),
    "object": ("patternProperties", "propertyNames", "minProperties", "maxProperties", "dependentRequired"),
}
_COMBINATORS = ("oneOf", "not", "if")
_TYPED = ("type", "enum", "const", "anyOf", "allOf", "$ref")
_DEFS = ("$defs", "definitions")
_MAX_DEPTH = 64  # deeper subschemas are not checked (the walk must end on any input)


# --- the shape of one schema -----------------------------------------------------------------------------


def schema_problem(schema: Any) -> str | None:
    """The first thing in ``schema`` structured outputs reject, as the API words it, or ``None``.

    ⚠ unconfirmed: which problem the API names first when there are several. Here: a reference cycle, then
    the first problem of a depth-first walk in document order; unsupported keywords are reported together
    per type over the whole schema (``properties maximum, minimum``), as are bad ``minItems`` values.
    """
    cycle = _cycle(schema)
    if cycle is not None:
        return TEXTS["circular"].format(path=" -> ".join(cycle))
    issues: list[tuple[str, ...]] = []
    _walk(schema, schema, issues, 0)
    if not issues:
        return None
    first = issues[0]
    if first[0] == "keyword":
        names = sorted({i[2] for i in issues if i[0] == "keyword" and i[1] == first[1]})
        quoted = names[0] if len(names) == 1 else ", ".join(names)
        return TEXTS["property" if len(names) == 1 else "properties"].format(type=first[1], names=quoted)
    if first[0] == "min_items":
        values = sorted({int(i[1]) for i in issues if i[0] == "min_items"})
        return TEXTS["min_items"].format(values=values)
    return first[1]


def _walk(node: Any, root: Any, issues: list[tuple[str, ...]], depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if not isinstance(node, dict):
        issues.append(("text", TEXTS["type_missing"]))
        return
    ref = node.get("$ref")
    if ref is not None:
        if not isinstance(ref, str) or not ref.startswith("#"):
            issues.append(("text", TEXTS["external_ref"].format(ref=ref)))
        elif _pointer(root, ref) is None:
            issues.append(("text", TEXTS["dangling_ref"].format(ref=ref)))
    for name in _COMBINATORS:
        if name in node:
            issues.append(("text", TEXTS["combinator"].format(name=name)))
    if not any(key in node for key in (*_TYPED, *_COMBINATORS)):
        issues.append(("text", TEXTS["type_missing"]))
    declared = node.get("type")
    types = [declared] if isinstance(declared, str) else [t for t in declared or [] if isinstance(t, str)]
    if isinstance(node.get("enum"), list):
        _enum(node["enum"], declared, types, issues)
    for kind in types:
        _typed(node, kind, issues)
    for key, value in node.items():  # children in document order
        if key in ("properties", *_DEFS) and isinstance(value, dict):
            for child in value.values():
                _walk(child, root, issues, depth + 1)
        elif key == "items" and isinstance(value, dict):
            _walk(value, root, issues, depth + 1)
        elif key in ("anyOf", "allOf") and isinstance(value, list):
            for child in value:
                _walk(child, root, issues, depth + 1)


def _enum(values: list[Any], declared: Any, types: list[str], issues: list[tuple[str, ...]]) -> None:
    if any(isinstance(v, dict | list) for v in values):
        issues.append(("text", TEXTS["enum_complex"]))
    elif isinstance(declared, list) and values:
        # Captured: a type array beside an enum is refused even when every value matches one of its types.
        issues.append(("text", TEXTS["enum_type"].format(value=repr(values[0]), type=repr(declared))))
    elif types:
        bad = next((v for v in values if not _is(v, types[0])), _OK)
        if bad is not _OK:  # ⚠ unconfirmed: the text for a scalar type (the captured one names a type array)
            issues.append(("text", TEXTS["enum_type"].format(value=repr(bad), type=types[0])))


_OK = object()


def _is(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    expected = {"string": str, "boolean": bool, "null": type(None), "object": dict, "array": list}.get(kind)
    return expected is None or isinstance(value, expected)


def _typed(node: dict[str, Any], kind: str, issues: list[tuple[str, ...]]) -> None:
    if kind == "object":
        extra = node.get("additionalProperties", _OK)
        if extra is _OK:
            issues.append(("text", TEXTS["closed"]))
        elif extra is not False:
            shown = "object" if isinstance(extra, dict) else str(extra).lower()
            issues.append(("text", TEXTS["open"].format(value=shown)))
    elif kind == "array":
        if isinstance(node.get("items"), list):
            issues.append(("text", TEXTS["items_list"]))
        low = node.get("minItems")
        if isinstance(low, int) and not isinstance(low, bool) and low not in (0, 1):
            issues.append(("min_items", str(low)))
    elif kind == "string":
        fmt = node.get("format")
        if isinstance(fmt, str) and fmt not in FORMATS:
            issues.append(("text", TEXTS["format"].format(format=fmt)))
        pattern = node.get("pattern")
        if isinstance(pattern, str) and _unsupported_regex(pattern):
            issues.append(("text", TEXTS["regex"].format(pattern=pattern)))
    issues.extend(("keyword", kind, name) for name in _UNSUPPORTED.get(kind, ()) if name in node)


def _unsupported_regex(pattern: str) -> bool:
    """Backreferences (``\\1``, ``\\k<name>``), lookaround (``(?=``, ``(?!``, ``(?<=``, ``(?<!``), ``\\b``/``\\B``."""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            if pattern[i + 1] in "bBk123456789":
                return True
            i += 2
            continue
        if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            return True
        i += 1
    return False


# --- references ------------------------------------------------------------------------------------------


def _pointer(root: Any, ref: str) -> Any:
    """The subschema a local ``$ref`` names, or ``None`` when it names nothing."""
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return None  # "#name" anchors are not followed
    node = root
    for raw in ref[2:].split("/"):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _target(ref: str) -> str:
    """The definition a local ``$ref`` points into (``#/$defs/A/properties/b`` -> ``A``); ``#`` for the root."""
    parts = ref[2:].split("/") if ref.startswith("#/") else []
    return unquote(parts[1]) if len(parts) >= 2 and parts[0] in _DEFS else "#"


def _refs(node: Any, out: list[str], depth: int = 0, *, top: bool = False) -> list[str]:
    """The definitions ``node`` refers to, in document order (a root's own ``$defs`` left out)."""
    if depth > _MAX_DEPTH:
        return out
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            out.append(_target(node["$ref"]))
        for key, value in node.items():
            if not (top and key in _DEFS):
                _refs(value, out, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _refs(value, out, depth + 1)
    return out


def _cycle(root: Any) -> list[str] | None:
    """A reference cycle among the definitions (``["A", "B", "A"]``), or ``None``.

    ⚠ unconfirmed: how a cycle through the root itself (``$ref: "#"``) is named; here as ``#``.
    """
    if not isinstance(root, dict):
        return None
    graph: dict[str, list[str]] = {}
    for key in _DEFS:
        defs = root.get(key)
        if isinstance(defs, dict):
            graph.update({str(name): _refs(sub, []) for name, sub in defs.items()})
    graph["#"] = _refs(root, [], top=True)
    done: set[str] = set()
    for start in [*[n for n in graph if n != "#"], "#"]:  # depth-first, without recursion (long chains)
        path, todo = [start], [iter(graph[start])]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                done.add(path.pop())
                todo.pop()
            elif nxt in path:
                return [*path[path.index(nxt) :], nxt]
            elif nxt in graph and nxt not in done:
                path.append(nxt)
                todo.append(iter(graph[nxt]))
    return None


# --- the request -----------------------------------------------------------------------------------------


def grammar_counts(schema: Any) -> tuple[int, int]:
    """``(union-typed parameters, optional parameters)`` of one schema, as the grammar limits count them.

    Union-typed: subschemas with ``anyOf`` or a type array; optional: properties not in their object's
    ``required``. Both are counted through ``properties``, ``items``, ``anyOf`` and ``allOf``, not through
    ``$ref`` (a third-party probe: 20 nullable fields behind a ``$ref`` passed). ⚠ unconfirmed for the
    optional count, which the probes describe only as "across the whole tree including array items".
    """
    unions = optional = 0
    stack: list[tuple[Any, int]] = [(schema, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict) or depth > _MAX_DEPTH:
            continue
        declared = node.get("type")
        if isinstance(node.get("anyOf"), list) or (isinstance(declared, list) and len(declared) > 1):
            unions += 1
        props = node.get("properties")
        if isinstance(props, dict):
            listed = node.get("required")
            required = {r for r in listed if isinstance(r, str)} if isinstance(listed, list) else set()
            optional += sum(name not in required for name in props)
            stack += [(child, depth + 1) for child in props.values()]
        if isinstance(node.get("items"), dict):
            stack.append((node["items"], depth + 1))
        for key in ("anyOf", "allOf"):
            if isinstance(node.get(key), list):
                stack += [(child, depth + 1) for child in node[key]]
    return unions, optional


def check_schemas(params: Params) -> None:
    """Raise the API's 400 for a structured-output schema (format or strict tool) it would not compile."""
    tools = params.tools or []
    strict = [(i, t) for i, t in enumerate(tools) if isinstance(t, CustomTool) and t.strict]
    generating = isinstance(params, MessageCreateParams)
    if generating and len(strict) > MAX_STRICT_TOOLS:
        raise InvalidRequestError(TEXTS["strict_tools"].format(n=len(strict)))
    schemas: list[tuple[str, Any]] = [
        (f"tools.{i}.custom", tool.input_schema.model_dump(mode="json", exclude_unset=True))
        for i, tool in strict
    ]
    config = params.output_config
    if config is not None and config.format is not None:
        schemas.append(("output_config.format.schema", config.format.schema_))
    if params.output_format is not None:
        schemas.append(("output_format.schema", params.output_format.schema_))
    for path, schema in schemas:
        problem = schema_problem(schema)
        if problem is not None:
            raise InvalidRequestError(f"{path}: {problem}")
    if generating and schemas:
        counts = [grammar_counts(schema) for _, schema in schemas]
        unions, optional = sum(c[0] for c in counts), sum(c[1] for c in counts)
        if unions > MAX_UNION_PARAMS:
            raise InvalidRequestError(TEXTS["unions"].format(n=unions))
        if optional > MAX_OPTIONAL_PARAMS:
            raise InvalidRequestError(TEXTS["optional"].format(n=optional))
