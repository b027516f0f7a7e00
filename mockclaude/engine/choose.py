"""What a generated reply does: answer in text, call client tools (several in parallel), or run a server tool.

The rules make agent loops end: ``tool_choice`` ``tool`` / ``any`` force a call; ``auto`` calls when the
conversation ends on a user question and answers in text once the last turn holds tool results; ``none`` never
calls. Which tools: those whose name words appear in the question (``get_weather`` for "weather in Paris"),
all of them in one reply unless ``disable_parallel_tool_use``; else one deterministic pick.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from mockclaude.engine import servertools as S
from mockclaude.engine.view import RequestView
from mockclaude.model import wire

REDACTED_THINKING_TRIGGER = "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_46C9A13E193C177646C7398A98432ECCCE4C1253D5E2D82641AC0E52CC2876CB"
"""The documented test prompt that makes the real API answer with ``redacted_thinking`` (api-spec §7.4)."""
REFUSAL_TRIGGER = (
    "ANTHROPIC_MAGIC_STRING_TRIGGER_REFUSAL_1FAEFB6177B4672DEE07F9D3AFC62588CCD2631EDCF22E8CCC1FB35B501C9C86"
)
"""The documented test prompt for streaming refusals (docs: "Streaming refusals"): ``stop_reason: refusal``."""
PAUSE_TURN_TRIGGER = "MOCKCLAUDE_TRIGGER_PAUSE_TURN"
"""mockclaude's own trigger: a server-tool turn runs past the iteration limit and stops with ``pause_turn``."""

MAX_PARALLEL_CALLS = 3

# Anthropic-defined client tools have fixed input shapes (api-spec §1.2); a generated call uses these schemas.
_FIXED_SCHEMAS: dict[str, dict[str, Any]] = {
    "bash": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]},
    "str_replace_editor": {
        "type": "object",
        "properties": {"command": {"enum": ["view"]}, "path": {"type": "string"}},
        "required": ["command", "path"],
    },
    "memory": {
        "type": "object",
        "properties": {"command": {"enum": ["view"]}, "path": {"const": "/memories"}},
        "required": ["command", "path"],
    },
}
_FIXED_SCHEMAS["str_replace_based_edit_tool"] = _FIXED_SCHEMAS["str_replace_editor"]

_SEARCH_WORDS = re.compile(
    r"\b(search|latest|news|today|current|recent|look up|find out|who won|price of)\b", re.I
)
_CODE_WORDS = re.compile(r"\b(calculate|compute|run|python|code|execute|plot|script|mean|average)\b", re.I)
_FETCH_WORDS = re.compile(r"https?://|\b(fetch|this page|this url|this article)\b", re.I)


@dataclass(frozen=True, slots=True)
class ServerTool:
    """An offered server tool: its kind (web_search / web_fetch / code_execution) and definition."""

    kind: str
    definition: Any

    @property
    def max_uses(self) -> int | None:
        """``max_uses`` of web search / fetch (None: unlimited)."""
        value = getattr(self.definition, "max_uses", None)
        return value if isinstance(value, int) else None

    @property
    def citations(self) -> bool:
        """Whether a web fetch tool has citations enabled."""
        cfg = getattr(self.definition, "citations", None)
        return bool(cfg is not None and cfg.enabled)

    @property
    def use_name(self) -> str:
        """The ``server_tool_use`` name this tool runs under."""
        if self.kind == "code_execution":
            return S.code_tool_name(self.definition.type)
        return self.kind


@dataclass(slots=True)
class Action:
    """The decision: client tool calls (``calls``), one server tool, or neither (a text answer)."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (name, input_schema)
    forced: bool = False
    server: ServerTool | None = None


def client_tools(view: RequestView) -> list[tuple[str, dict[str, Any]]]:
    """``(name, input_schema)`` of the tools the client runs itself, in request order."""
    out: list[tuple[str, dict[str, Any]]] = []
    for tool in view.tools:
        if isinstance(tool, wire.CustomTool):
            out.append((tool.name, tool.input_schema.model_dump(mode="json", exclude_none=True)))
        elif getattr(tool, "name", None) in _FIXED_SCHEMAS:
            out.append((tool.name, _FIXED_SCHEMAS[tool.name]))
    return out


def server_tools(view: RequestView) -> list[ServerTool]:
    """The offered server tools the generator knows how to run."""
    out: list[ServerTool] = []
    for tool in view.tools:
        if isinstance(tool, wire.WebSearchTool):
            out.append(ServerTool("web_search", tool))
        elif isinstance(tool, wire.WebFetchTool):
            out.append(ServerTool("web_fetch", tool))
        elif isinstance(tool, wire.CodeExecutionTool):
            out.append(ServerTool("code_execution", tool))
    return out


def question(view: RequestView) -> wire.MessageParam | None:
    """The message being answered when it is a user question: the last non-``system`` message, when it is a
    user message without tool results (Claude Code appends a ``role: system`` message after the prompt)."""
    for message in reversed(view.messages):
        if message.role == "system":
            continue
        if message.role != "user" or any(isinstance(b, wire.ToolResultBlock) for b in message.content):
            return None
        return message
    return None


def _server_for(text: str, offered: list[ServerTool]) -> ServerTool | None:
    by_kind = {s.kind: s for s in offered}
    if "web_fetch" in by_kind and _FETCH_WORDS.search(text):
        return by_kind["web_fetch"]
    if "code_execution" in by_kind and (_CODE_WORDS.search(text) or S.arithmetic_in(text)):
        return by_kind["code_execution"]
    if "web_search" in by_kind and _SEARCH_WORDS.search(text):
        return by_kind["web_search"]
    return None


def _named_in(text: str, tools: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    lowered = text.lower()
    hits = []
    for name, schema in tools:
        parts = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)
        words = [w.lower() for w in parts if len(w) > 2 and w.lower() not in ("get", "set", "tool", "the")]
        if any(w in lowered for w in words):
            hits.append((name, schema))
    return hits


def choose(view: RequestView, rng: random.Random) -> Action | None:
    """The action of a generated reply, or ``None`` for a plain text answer."""
    choice = view.params.tool_choice
    kind = choice.type if choice is not None else "auto"
    clients, servers = client_tools(view), server_tools(view)
    if kind == "none" or not (clients or servers):
        return None
    parallel = not getattr(choice, "disable_parallel_tool_use", None)
    if isinstance(choice, wire.ToolChoiceTool):
        for name, schema in clients:
            if name == choice.name:
                return Action(calls=[(name, schema)], forced=True)
        server = next((s for s in servers if s.kind == choice.name), None)
        return Action(server=server, forced=True) if server is not None else None
    asked = question(view)
    if asked is None and kind != "any":
        return None  # answering tool results (or continuing a prefill): the loop ends with text
    text = (
        view.last_user_text
        if asked is None
        else "\n".join(b.text for b in asked.content if isinstance(b, wire.TextBlock))
    )
    server = _server_for(text, servers)
    if server is not None:
        return Action(server=server, forced=kind == "any")
    named = _named_in(text, clients)[: MAX_PARALLEL_CALLS if parallel else 1]
    if named:
        return Action(calls=named, forced=kind == "any")
    if clients:
        return Action(calls=[clients[rng.randrange(len(clients))]], forced=kind == "any")
    preferred = next((s for s in servers if s.kind == "web_search"), servers[0])
    return Action(server=preferred, forced=kind == "any")


def user_texts(view: RequestView) -> list[str]:
    """Every text block of every user message."""
    return [
        b.text for m in view.messages if m.role == "user" for b in m.content if isinstance(b, wire.TextBlock)
    ]


def triggered(view: RequestView, trigger: str) -> bool:
    """Whether a user message holds a trigger string."""
    return any(trigger in text for text in user_texts(view))


def paused_turn(view: RequestView) -> list[Any] | None:
    """The blocks of a trailing assistant turn that ends on a server-tool result (continuing ``pause_turn``)."""
    last = view.messages[-1]
    if last.role != "assistant" or not last.content:
        return None
    return list(last.content) if last.content[-1].type in S.RESULT_TYPES.values() else None
