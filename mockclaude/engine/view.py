"""What matchers and templates read from a request, computed lazily and at most once per request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson

from mockclaude.model import wire
from mockclaude.model.request import ValidatedRequest

ROUTES = {"messages": "POST /v1/messages", "count_tokens": "POST /v1/messages/count_tokens"}
"""The route of each kind of validated request, as a recording's ``route`` names it."""


@dataclass(frozen=True, slots=True)
class ToolResultView:
    """A ``tool_result`` of the last user turn, with the name of the tool it answers."""

    tool_use_id: str
    name: str | None  # the tool_use it answers, looked up in the previous assistant turn
    content: str  # its text parts joined with newlines
    is_error: bool

    def to_json(self) -> dict[str, Any]:
        """The template form."""
        return {
            "tool_use_id": self.tool_use_id,
            "name": self.name,
            "content": self.content,
            "is_error": self.is_error,
        }


def block_text(blocks: list[Any]) -> str:
    """The text parts of a content list, joined with newlines (tool_result content included)."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, wire.TextBlock):
            parts.append(block.text)
    return "\n".join(parts)


class RequestView:
    """A validated request as the engine reads it. Every property is computed on first use."""

    def __init__(self, req: ValidatedRequest) -> None:
        self.req = req
        self.params = req.params
        self.canonical: dict[object, Any] = {}  # the request matcher's canonical forms, per rules (a memo)

    @cached_property
    def model(self) -> str:
        """The model id as sent."""
        return self.params.model

    @cached_property
    def messages(self) -> list[wire.MessageParam]:
        """The conversation (consecutive same-role messages already merged by validation)."""
        return self.params.messages

    @cached_property
    def last_user(self) -> wire.MessageParam | None:
        """The last message with role ``user``."""
        for message in reversed(self.messages):
            if message.role == "user":
                return message
        return None

    @cached_property
    def last_user_text(self) -> str:
        """The text blocks of the last user message, joined with newlines ("" when it has none)."""
        return block_text(self.last_user.content) if self.last_user is not None else ""

    @cached_property
    def system_text(self) -> str | None:
        """The top-level ``system`` text (blocks joined with newlines), ``None`` when absent."""
        system = self.params.system
        return None if system is None else "\n".join(b.text for b in system)

    @cached_property
    def message_texts(self) -> list[tuple[str, str]]:
        """``(role, text)`` of every message."""
        return [(m.role, block_text(m.content)) for m in self.messages]

    @cached_property
    def turn(self) -> int:
        """Which reply of the conversation this is: assistant messages in the history, plus one."""
        return 1 + sum(1 for m in self.messages if m.role == "assistant")

    @cached_property
    def tools(self) -> list[Any]:
        """The tool definitions as sent."""
        return list(self.params.tools or [])

    @cached_property
    def tool_names(self) -> list[str]:
        """Names of every offered tool (client and server tools; toolsets have none)."""
        return [name for tool in self.tools if isinstance(name := getattr(tool, "name", None), str)]

    @cached_property
    def tool_choice(self) -> dict[str, Any] | None:
        """``tool_choice`` as sent, or ``None``."""
        choice = self.params.tool_choice
        return None if choice is None else choice.model_dump(mode="json", exclude_none=True)

    @cached_property
    def previous_tool_uses(self) -> list[wire.ToolUseBlock]:
        """The ``tool_use`` blocks of the assistant turn before the last user message."""
        messages = self.messages
        for i in range(len(messages) - 1, 0, -1):
            if messages[i].role == "user":
                prev = messages[i - 1]
                if prev.role != "assistant":
                    return []
                return [b for b in prev.content if isinstance(b, wire.ToolUseBlock)]
        return []

    @cached_property
    def tool_results(self) -> list[ToolResultView]:
        """The ``tool_result`` blocks of the last user message, in order."""
        if self.last_user is None:
            return []
        names = {use.id: use.name for use in self.previous_tool_uses}
        return [
            ToolResultView(b.tool_use_id, names.get(b.tool_use_id), block_text(b.content), bool(b.is_error))
            for b in self.last_user.content
            if isinstance(b, wire.ToolResultBlock)
        ]

    @cached_property
    def last_is_tool_result(self) -> bool:
        """Whether the conversation ends on a user turn holding tool results."""
        last = self.messages[-1]
        return last.role == "user" and any(isinstance(b, wire.ToolResultBlock) for b in last.content)

    @cached_property
    def thinking_mode(self) -> str:
        """The effective thinking mode (``disabled``, ``enabled``, ``adaptive``, ``between_tools``)."""
        return self.req.thinking.mode

    @cached_property
    def stream(self) -> bool:
        """Whether the request asked for SSE."""
        return bool(getattr(self.params, "stream", False))

    @cached_property
    def metadata(self) -> dict[str, Any]:
        """``metadata`` as sent (``{}`` when absent)."""
        meta = getattr(self.params, "metadata", None)
        return {} if meta is None else meta.model_dump(mode="json", exclude_none=True)

    @cached_property
    def route(self) -> str:
        """``POST /v1/messages`` (or the count_tokens route): what a stub's ``route`` is compared with."""
        return ROUTES[self.req.kind]

    @cached_property
    def raw(self) -> Any:
        """The body as the client sent it (parsed), for recordings; the normalised body when unknown."""
        if not self.req.body:
            return self.body
        try:
            return orjson.loads(self.req.body)
        except orjson.JSONDecodeError:
            return self.body

    @cached_property
    def body(self) -> dict[str, Any]:
        """The normalised request body as JSON (for ``json`` path matchers and ``request.*`` templates)."""
        dumped: dict[str, Any] = self.params.model_dump(mode="json", exclude_none=True, by_alias=True)
        return dumped
