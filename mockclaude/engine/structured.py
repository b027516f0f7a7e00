"""JSON outputs: the generated answer to a request with ``output_config.format`` is JSON valid against its schema.

What a real reply holds (docs, build-with-claude/structured-outputs): one ``text`` block whose text is the JSON,
``stop_reason: end_turn``; a ``max_tokens`` cut leaves the JSON cut mid-way with ``stop_reason: max_tokens``.
The value comes from ``schema_gen.generate_instance`` (seeded, so the same request gives the same bytes), after
two touches that make it read like Claude's:

- constraints the SDK moved into a description (``transform_schema`` turns ``Field(ge=1, le=10)`` into the
  text ``{minimum: 1, maximum: 10}``, which the model reads) are honoured, so ``messages.parse`` validates;
- strings are filled from the user's words where a property name fits (``city`` <- "Paris" in "weather in
  Paris", ``email`` <- an address in the prompt, an enum member the prompt names), like a real extraction.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from mockclaude.engine.grounding import named_place
from mockclaude.engine.plan import PlanBlock
from mockclaude.engine.schema_rules import Ctx, may_match, resolve
from mockclaude.model import wire
from mockclaude.tokenize.encoding import TokenCounter

__all__ = ["JSON_STYLE", "answer", "described_bounds", "fill_from_text", "output_schema"]

# The docs' example reply holds compact JSON with the keys in the schema's property order:
# {"name":"John Smith","email":"john@example.com","plan_interest":"Enterprise","demo_requested":true}.
# ⚠ unconfirmed: that non-ASCII characters are written as they are (a model writes characters, not escapes).
JSON_STYLE: dict[str, Any] = {"separators": (",", ":"), "ensure_ascii": False}


def output_schema(params: Any) -> dict[str, Any] | None:
    """The JSON schema a generated answer must follow, or ``None``.

    ``output_config.format`` (or the deprecated beta ``output_format``) asks for JSON; a ``tool_choice`` that
    forces a tool (``any`` / ``tool``) still gets its tool call.
    """
    if not isinstance(params, wire.MessageCreateParams):
        return None
    choice = params.tool_choice
    if choice is not None and choice.type in ("any", "tool"):
        return None
    fmt = params.output_config.format if params.output_config is not None else None
    fmt = fmt if fmt is not None else params.output_format
    return fmt.schema_ if fmt is not None else None


def answer(schema: dict[str, Any], rng: random.Random, user_text: str, counter: TokenCounter) -> PlanBlock:
    """The planned text block: JSON valid against ``schema``, drawn from ``rng`` and grounded in ``user_text``."""
    from mockclaude.engine.schema_gen import generate_instance  # loaded on first use, like tool calls

    bounded = described_bounds(schema)
    value = fill_from_text(generate_instance(bounded, rng), bounded, user_text)
    text = json.dumps(value, **JSON_STYLE)
    return PlanBlock("text", text=text, tokens=counter.count(text))


# --- constraints the SDK moved into descriptions ---------------------------------------------------------

# transform_schema appends what the API does not take as "\n\n{key: value, key: value}" (str() of each value).
_MOVED = re.compile(r"(?:\A|\n\n)\{(?P<body>[^\n]*)\}\Z")
_KEY = re.compile(r"(?:\A|, )([A-Za-z_$][\w$]*): ")
_NUMBERS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems")


def _moved(description: str) -> dict[str, Any]:
    match = _MOVED.search(description)
    if match is None:
        return {}
    body = match.group("body")
    starts = list(_KEY.finditer(body))
    out: dict[str, Any] = {}
    for i, key in enumerate(starts):
        raw = body[key.end() : starts[i + 1].start() if i + 1 < len(starts) else len(body)]
        name = key.group(1)
        try:
            if name in _NUMBERS:
                out[name] = float(raw) if any(c in raw for c in ".eE") else int(raw)
            elif name in _COUNTS:
                out[name] = int(raw)
        except ValueError:
            continue
        if name == "uniqueItems" and raw in ("True", "False"):
            out[name] = raw == "True"
        elif name in ("pattern", "format"):
            out[name] = raw
    return out


def described_bounds(schema: Any) -> Any:
    """``schema`` with the constraints the SDK wrote into descriptions put back as keywords (where absent)."""

    def walk(node: Any, depth: int) -> Any:
        if depth > 64:
            return node
        if isinstance(node, list):
            return [walk(x, depth + 1) for x in node]
        if not isinstance(node, dict):
            return node
        out = {k: walk(v, depth + 1) if k not in ("enum", "const", "default") else v for k, v in node.items()}
        description = node.get("description")
        if isinstance(description, str):
            out.update({k: v for k, v in _moved(description).items() if k not in out})
        return out

    return walk(schema, 0)  # new dicts down to the depth limit; nothing of ``schema`` is changed


# --- strings from the user's words -----------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://[^\s<>()\"']+[^\s<>()\"'.,;:!?]")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# "John Smith (john@example.com)": the capitalised name written next to an address.
_NAMED = re.compile(r"([A-Z][a-z'-]+(?: [A-Z][a-z'-]+)+)\s*[(<]\s*[\w.+-]+@")
_PLACE_WORDS = frozenset({"city", "location", "place", "town", "destination"})
_URL_WORDS = frozenset({"url", "uri", "link", "website", "homepage", "href"})
_NOT_PEOPLE = frozenset({"file", "user", "host", "domain", "product", "company", "project", "tool", "model"})


def _words(key: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", key)]


def _fact(key: str, schema: dict[str, Any], text: str) -> str | None:
    """The string of ``text`` a property called ``key`` asks for, if the text has one."""
    words = _words(key)
    if not words:
        return None
    last, fmt = words[-1], schema.get("format")
    found: re.Match[str] | None = None
    if fmt == "email" or "email" in words:
        found = _EMAIL.search(text)
    elif fmt == "uri" or last in _URL_WORDS:
        found = _URL.search(text)
    elif fmt == "date":
        found = _DATE.search(text)
    elif fmt is None and last in _PLACE_WORDS:
        return named_place(text)
    elif fmt is None and ((last == "name" and words[0] not in _NOT_PEOPLE) or words == ["author"]):
        found = _NAMED.search(text)
        return found.group(1) if found else None
    return found.group(0) if found else None


def _mentioned(options: list[Any], text: str) -> Any:
    """The enum member ``text`` names first (whole words, any case), if any; members under three characters
    ("a", "no") are too common in prose to count as named."""
    hits = []
    for option in options:
        if isinstance(option, str) and len(option.strip()) >= 3:
            match = re.search(rf"(?<!\w){re.escape(option)}(?!\w)", text, re.IGNORECASE)
            if match:
                hits.append((match.start(), option))
    return min(hits, key=lambda hit: hit[0])[1] if hits else None


def fill_from_text(value: Any, schema: Any, text: str) -> Any:
    """``value`` with string properties taken from ``text`` where their name fits; stays valid for ``schema``.

    Only a replacement the schema still accepts is made (checked with ``schema_rules.may_match``), so a
    ``maxLength``, ``pattern`` or ``enum`` keeps the generated value.
    """
    if not text:
        return value
    ctx = Ctx(schema, random.Random(0))  # resolving $ref only: nothing is drawn

    def branch(sub: Any, current: Any) -> Any:
        sub = resolve(sub, ctx)
        if isinstance(sub, dict) and isinstance(sub.get("anyOf"), list):
            fits = [b for b in (resolve(x, ctx) for x in sub["anyOf"]) if may_match(b, current, ctx)]
            return fits[0] if fits else sub
        return sub

    def walk(current: Any, sub: Any, depth: int) -> Any:
        sub = branch(sub, current)
        if depth > 32 or not isinstance(sub, dict):
            return current
        if isinstance(current, list):
            return [walk(item, sub.get("items", {}), depth + 1) for item in current]
        if not isinstance(current, dict):
            return current
        found = sub.get("properties")
        props: dict[str, Any] = found if isinstance(found, dict) else {}
        out = {}
        for key, item in current.items():
            prop = branch(props.get(key, {}), item)
            new = walk(item, prop, depth + 1)
            if isinstance(item, str) and isinstance(prop, dict):
                options = prop.get("enum")
                candidate = _mentioned(options, text) if isinstance(options, list) else _fact(key, prop, text)
                if candidate is not None and may_match(prop, candidate, ctx):
                    new = candidate
            out[key] = new
        return out

    return walk(value, schema, 0)
