"""Tool definitions: custom tools and the versioned Anthropic/server tools."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from mockclaude.model.wire._base import (
    CacheControl,
    Caller_,
    CitationsConfig,
    _tool_tag,
    _Wire,
)

# --------------------------------------------------------------------------------------------------
# Tools


class InputSchema(BaseModel):
    """A tool's JSON schema: ``type`` must be ``"object"``; anything else the schema says is kept as given."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    type: Literal["object"]
    properties: dict[str, Any] | None = None
    required: list[str] | None = None


class _ToolCommon(_Wire):
    allowed_callers: list[Caller_] | None = None
    cache_control: CacheControl | None = None
    defer_loading: bool | None = None
    strict: bool | None = None
    input_examples: list[dict[str, Any]] | None = None


class CustomTool(_ToolCommon):
    type: Literal["custom"] | None = None
    # ⚠ unconfirmed: {1,128} observed in 2026 probes, {1,64} in 2025 (api-spec §1.2).
    name: str = Field(pattern=r"^[a-zA-Z0-9_-]{1,128}$")
    description: str | None = None
    input_schema: InputSchema
    eager_input_streaming: bool | None = None


class BashTool(_ToolCommon):
    type: Literal["bash_20250124", "bash_20241022"]
    name: Literal["bash"]


class CodeExecutionTool(_ToolCommon):
    type: Literal[
        "code_execution_20250522",
        "code_execution_20250825",
        "code_execution_20260120",
        "code_execution_20260521",
    ]
    name: Literal["code_execution"]


class MemoryTool(_ToolCommon):
    type: Literal["memory_20250818"]
    name: Literal["memory"]


class TextEditorTool(_ToolCommon):
    type: Literal["text_editor_20250124", "text_editor_20241022"]
    name: Literal["str_replace_editor"]


class TextEditor2Tool(_ToolCommon):
    type: Literal["text_editor_20250429", "text_editor_20250728"]
    name: Literal["str_replace_based_edit_tool"]
    max_characters: int | None = None


class UserLocation(_Wire):
    type: Literal["approximate"]
    city: str | None = None
    country: str | None = None
    region: str | None = None
    timezone: str | None = None


class WebSearchTool(_ToolCommon):
    type: Literal["web_search_20250305", "web_search_20260209", "web_search_20260318"]
    name: Literal["web_search"]
    allowed_domains: list[str] | None = None
    blocked_domains: list[str] | None = None
    max_uses: int | None = None
    user_location: UserLocation | None = None
    response_inclusion: Literal["full", "excluded"] | None = None


class WebFetchTool(_ToolCommon):
    type: Literal["web_fetch_20250910", "web_fetch_20260209", "web_fetch_20260309", "web_fetch_20260318"]
    name: Literal["web_fetch"]
    allowed_domains: list[str] | None = None
    blocked_domains: list[str] | None = None
    citations: CitationsConfig | None = None
    max_content_tokens: int | None = None
    max_uses: int | None = None
    url_sources: dict[str, Any] | None = None
    use_cache: bool | None = None
    response_inclusion: Literal["full", "excluded"] | None = None


class ToolSearchTool(_ToolCommon):
    type: Literal[
        "tool_search_tool_bm25_20251119",
        "tool_search_tool_bm25",
        "tool_search_tool_regex_20251119",
        "tool_search_tool_regex",
    ]
    name: Literal["tool_search_tool_bm25", "tool_search_tool_regex"]


class ComputerTool(_ToolCommon):
    type: Literal["computer_20241022", "computer_20250124", "computer_20251124"]
    name: Literal["computer"]
    display_width_px: int
    display_height_px: int
    display_number: int | None = None
    enable_zoom: bool | None = None


class BrowserToolset(_Wire):
    type: Literal["browser_toolset_20260801"]
    cache_control: CacheControl | None = None
    configs: dict[str, Any] | None = None


class ComputerToolset(_Wire):
    type: Literal["computer_toolset_20260801"]
    cache_control: CacheControl | None = None
    configs: dict[str, Any] | None = None


class AdvisorTool(_ToolCommon):
    type: Literal["advisor_20260301"]
    name: Literal["advisor"]
    model: str
    caching: CacheControl | None = None
    max_tokens: int | None = None
    max_uses: int | None = None


class MCPToolset(_Wire):
    type: Literal["mcp_toolset"]
    mcp_server_name: str
    cache_control: CacheControl | None = None
    configs: dict[str, Any] | None = None
    default_config: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None


Tool: TypeAlias = Annotated[
    Annotated[CustomTool, Tag("custom")]
    | Annotated[BashTool, Tag("bash_20250124")]
    | Annotated[BashTool, Tag("bash_20241022")]
    | Annotated[CodeExecutionTool, Tag("code_execution_20250522")]
    | Annotated[CodeExecutionTool, Tag("code_execution_20250825")]
    | Annotated[CodeExecutionTool, Tag("code_execution_20260120")]
    | Annotated[CodeExecutionTool, Tag("code_execution_20260521")]
    | Annotated[BrowserToolset, Tag("browser_toolset_20260801")]
    | Annotated[ComputerTool, Tag("computer_20241022")]
    | Annotated[MemoryTool, Tag("memory_20250818")]
    | Annotated[ComputerTool, Tag("computer_20250124")]
    | Annotated[TextEditorTool, Tag("text_editor_20241022")]
    | Annotated[ComputerTool, Tag("computer_20251124")]
    | Annotated[ComputerToolset, Tag("computer_toolset_20260801")]
    | Annotated[TextEditorTool, Tag("text_editor_20250124")]
    | Annotated[TextEditor2Tool, Tag("text_editor_20250429")]
    | Annotated[TextEditor2Tool, Tag("text_editor_20250728")]
    | Annotated[WebSearchTool, Tag("web_search_20250305")]
    | Annotated[WebFetchTool, Tag("web_fetch_20250910")]
    | Annotated[WebSearchTool, Tag("web_search_20260209")]
    | Annotated[WebFetchTool, Tag("web_fetch_20260209")]
    | Annotated[WebFetchTool, Tag("web_fetch_20260309")]
    | Annotated[WebSearchTool, Tag("web_search_20260318")]
    | Annotated[WebFetchTool, Tag("web_fetch_20260318")]
    | Annotated[AdvisorTool, Tag("advisor_20260301")]
    | Annotated[ToolSearchTool, Tag("tool_search_tool_bm25_20251119")]
    | Annotated[ToolSearchTool, Tag("tool_search_tool_bm25")]
    | Annotated[ToolSearchTool, Tag("tool_search_tool_regex_20251119")]
    | Annotated[ToolSearchTool, Tag("tool_search_tool_regex")]
    | Annotated[MCPToolset, Tag("mcp_toolset")],
    Discriminator(_tool_tag),
]

AnyTool: TypeAlias = (
    CustomTool
    | BashTool
    | CodeExecutionTool
    | BrowserToolset
    | ComputerTool
    | MemoryTool
    | ComputerToolset
    | TextEditorTool
    | TextEditor2Tool
    | WebSearchTool
    | WebFetchTool
    | AdvisorTool
    | ToolSearchTool
    | MCPToolset
)
"""The plain union of tool classes, for annotations downstream."""
