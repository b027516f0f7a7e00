"""What a generated reply does: answer in text, call client tools (several in parallel), or run a server tool.

Server tools (web search, web fetch, code execution) are chosen here by the words of the question; everything
else is decided by the behaviour rules of ``engine/behave`` (intent from the conversation: a command runs in the
shell tool, a path is read, a URL fetched; after tool results the next step, else a text answer that reports
them). ``tool_choice`` ``tool`` / ``any`` force a call; ``none`` never calls.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from mockclaude.engine import servertools as S
from mockclaude.engine.behave import Behaviour, Call, Conversation, decide
from mockclaude.engine.behave.intent import question_text
from mockclaude.engine.behave.tools import Tool
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
    """The decision: client tool calls (``calls``), one server tool, or neither (a text answer, ``behaviour``)."""

    behaviour: Behaviour
    server: ServerTool | None = None
    forced: bool = False

    @property
    def calls(self) -> list[Call]:
        """The client tool calls to make (empty for a text answer or a server tool)."""
        return self.behaviour.calls if self.server is None else []

    @property
    def rule(self) -> str:
        """The id of the rule that decided (for the journal)."""
        return f"server.{self.server.kind}" if self.server is not None else self.behaviour.rule


def client_tools(view: RequestView) -> list[Tool]:
    """``(name, input_schema, description)`` of the tools the client runs itself, in request order."""
    out: list[Tool] = []
    for tool in view.tools:
        if isinstance(tool, wire.CustomTool):
            schema = tool.input_schema.model_dump(mode="json", exclude_none=True)
            out.append((tool.name, schema, tool.description or ""))
        elif getattr(tool, "name", None) in _FIXED_SCHEMAS:
            out.append((tool.name, _FIXED_SCHEMAS[tool.name], ""))
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


def _conversation(view: RequestView, clients: list[Tool], always: bool) -> Conversation:
    choice = view.params.tool_choice
    asked = question(view)
    instruction_at = next(
        (
            i
            for i in range(len(view.messages) - 1, -1, -1)
            if view.messages[i].role == "user"
            and not any(isinstance(b, wire.ToolResultBlock) for b in view.messages[i].content)
            and any(isinstance(b, wire.TextBlock) for b in view.messages[i].content)
        ),
        None,
    )
    instruction = "" if instruction_at is None else _texts_of(view.messages[instruction_at])
    if asked is None:
        asked_text = None
    elif instruction_at is not None and asked is view.messages[instruction_at]:
        asked_text = instruction  # the usual case: the question is the instruction, read once
    else:
        asked_text = _texts_of(asked)
    calls_since = (
        0
        if instruction_at is None
        else sum(
            1
            for m in view.messages[instruction_at + 1 :]
            if m.role == "assistant" and any(isinstance(b, wire.ToolUseBlock) for b in m.content)
        )
    )
    uses = view.previous_tool_uses

    def texts() -> list[str]:  # read only when a call needs the working directory
        return [view.system_text or "", *(text for _, text in view.message_texts)]

    return Conversation(
        tools=clients,
        tool_choice=choice.type if choice is not None else "auto",
        forced_name=choice.name if isinstance(choice, wire.ToolChoiceTool) else None,
        parallel=not getattr(choice, "disable_parallel_tool_use", None),
        question=asked_text,
        instruction=instruction,
        calls_since=calls_since,
        texts=texts,
        previous_calls=[(u.name, dict(u.input)) for u in uses],
        results=[(r.tool_use_id, r.name, r.content, r.is_error) for r in view.tool_results],
        previous_inputs={u.id: dict(u.input) for u in uses},
        always=always,
    )


def _texts_of(message: wire.MessageParam) -> str:
    return question_text([b.text for b in message.content if isinstance(b, wire.TextBlock)])


def choose(view: RequestView, rng: random.Random, *, always: bool = False) -> Action:
    """The action of a generated reply: a server tool, client tool calls, or a text answer."""
    choice = view.params.tool_choice
    kind = choice.type if choice is not None else "auto"
    clients, servers = client_tools(view), server_tools(view)
    conv = _conversation(view, clients, always)
    if kind != "none" and servers:
        if isinstance(choice, wire.ToolChoiceTool):
            server = next((s for s in servers if s.kind == choice.name), None)
            if server is not None:
                return Action(decide(conv, rng), server=server, forced=True)
        elif conv.question is not None:
            server = _server_for(conv.question, servers)
            if server is not None:
                return Action(decide(conv, rng), server=server, forced=kind == "any")
            if not clients and (kind == "any" or always):
                preferred = next((s for s in servers if s.kind == "web_search"), servers[0])
                return Action(decide(conv, rng), server=preferred, forced=kind == "any")
    behaviour = decide(conv, rng)
    return Action(behaviour, forced=behaviour.forced)


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
