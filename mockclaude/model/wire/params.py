"""Request-level options and the two request bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BeforeValidator, Discriminator, Field, Tag

from mockclaude.model.wire._base import (
    CacheControl,
    _Loose,
    _str_to_blocks,
    _tag,
    _Wire,
)
from mockclaude.model.wire.blocks_beta import (
    MessageParam,
    SystemTextBlock,
)
from mockclaude.model.wire.tools import (
    Tool,
)

# --------------------------------------------------------------------------------------------------
# Request-level options


class ThinkingEnabled(_Wire):
    type: Literal["enabled"]
    budget_tokens: int = Field(ge=1024)
    # "updates" is beta thinking-display-updates-2026-08-18.
    display: Literal["summarized", "omitted", "updates"] | None = None
    block_binding: dict[str, Any] | None = None


class ThinkingAdaptive(_Wire):
    type: Literal["adaptive"]
    display: Literal["summarized", "omitted", "updates"] | None = None
    block_binding: dict[str, Any] | None = None


class ThinkingDisabled(_Wire):
    type: Literal["disabled"]


class ThinkingBetweenTools(_Wire):
    type: Literal["between_tools"]


ThinkingConfig: TypeAlias = Annotated[
    Annotated[ThinkingEnabled, Tag("enabled")]
    | Annotated[ThinkingDisabled, Tag("disabled")]
    | Annotated[ThinkingBetweenTools, Tag("between_tools")]
    | Annotated[ThinkingAdaptive, Tag("adaptive")],
    Discriminator(_tag),
]


class ToolChoiceAuto(_Wire):
    type: Literal["auto"]
    disable_parallel_tool_use: bool | None = None


class ToolChoiceAny(_Wire):
    type: Literal["any"]
    disable_parallel_tool_use: bool | None = None


class ToolChoiceTool(_Wire):
    type: Literal["tool"]
    name: str
    disable_parallel_tool_use: bool | None = None


class ToolChoiceNone(_Wire):
    type: Literal["none"]


ToolChoice: TypeAlias = Annotated[
    Annotated[ToolChoiceAuto, Tag("auto")]
    | Annotated[ToolChoiceAny, Tag("any")]
    | Annotated[ToolChoiceTool, Tag("tool")]
    | Annotated[ToolChoiceNone, Tag("none")],
    Discriminator(_tag),
]


class JSONOutputFormat(_Wire):
    type: Literal["json_schema"]
    schema_: dict[str, Any] = Field(alias="schema")


class TaskBudget(_Wire):
    type: Literal["tokens"]
    total: int = Field(ge=20000)
    remaining: int | None = None


class OutputConfig(_Wire):
    effort: Literal["low", "medium", "high", "xhigh", "max"] | None = None
    format: JSONOutputFormat | None = None
    task_budget: TaskBudget | None = None  # beta task-budgets-2026-03-13


class Metadata(_Wire):
    """Only ``user_id`` (any string: Claude Code sends a JSON document as a string)."""

    user_id: str | None = None


class Skill(_Wire):
    skill_id: str
    type: Literal["anthropic", "custom"]
    version: str | None = None


class ContainerParams(_Wire):
    id: str | None = None
    skills: list[Skill] | None = None


class Diagnostics(_Wire):
    previous_message_id: str | None = None


class _LooseTyped(_Loose):
    """A beta object known only by its ``type``; every other key is kept as sent."""

    type: str


class ContextManagement(_Wire):
    """Beta context-management-2025-06-27; each edit (``clear_thinking_20251015`` …) kept as sent."""

    edits: list[_LooseTyped] | None = None


class MCPServer(_Loose):
    type: Literal["url"]
    name: str
    url: str


SystemParam: TypeAlias = Annotated[list[SystemTextBlock], BeforeValidator(_str_to_blocks)]


class _Head(_Wire):
    max_tokens: int = Field(ge=0)
    messages: list[MessageParam] = Field(max_length=100_000)
    model: str


class _HeadCountTokens(_Wire):
    messages: list[MessageParam] = Field(max_length=100_000)
    model: str


class _Shared(_Wire):
    """Fields both endpoints accept, alphabetical as in the SDK."""

    billing_policy: _LooseTyped | None = None  # beta
    cache_control: CacheControl | None = None
    compaction: _LooseTyped | None = None  # beta compact-2026-01-12
    context_management: ContextManagement | None = None  # beta context-management-2025-06-27
    mcp_servers: list[MCPServer] | None = None  # beta mcp-client-*
    output_config: OutputConfig | None = None
    output_format: JSONOutputFormat | None = None  # deprecated structured-outputs beta parameter
    speed: Literal["standard", "fast"] | None = None
    system: SystemParam | None = None
    # Sampling: not in the 2.x SDK signatures (extra_body), removed in API version 2026-10-21.
    temperature: float | None = Field(default=None, ge=0, le=1)
    thinking: ThinkingConfig | None = None
    tool_choice: ToolChoice | None = None
    tools: list[Tool] | None = None
    top_k: int | None = Field(default=None, ge=0)
    top_p: float | None = Field(default=None, ge=0, le=1)
    user_profile_id: str | None = None  # the SDK sends these two as headers; accepted in the body too
    workspace_id: str | None = None


class MessageCreateParams(_Shared, _Head):
    """Body of ``POST /v1/messages`` (GA and beta surfaces)."""

    container: ContainerParams | str | None = None
    diagnostics: Diagnostics | None = None
    fallback_credit_token: str | _Loose | None = None  # beta
    fallbacks: list[_Loose] | Literal["default"] | None = None  # beta server-side-fallback-*
    inference_geo: str | None = None
    metadata: Metadata | None = None
    service_tier: Literal["auto", "standard_only"] | None = None
    stop_sequences: list[str] | None = None
    stream: bool | None = None
    thread: _LooseTyped | None = None  # beta message-threads-2026-08-12


class CountTokensParams(_Shared, _HeadCountTokens):
    """Body of ``POST /v1/messages/count_tokens``: the Messages body minus generation-only fields."""


FIELDS_MESSAGES = frozenset(MessageCreateParams.model_fields)
FIELDS_COUNT_TOKENS = frozenset(CountTokensParams.model_fields)
SAMPLING_FIELDS = ("temperature", "top_p", "top_k")
