"""Beta-only blocks, the content-block union, and the message turn."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BeforeValidator, Discriminator, Field, Tag

from mockclaude.model.wire._base import (
    CacheControl,
    _str_or_none_to_blocks,
    _str_to_blocks,
    _tag,
    _Wire,
)
from mockclaude.model.wire.blocks import (
    BashCodeExecutionToolResultBlock,
    CodeExecutionToolResultBlock,
    ContainerUploadBlock,
    DocumentBlock,
    ImageBlock,
    RedactedThinkingBlock,
    SearchResultBlock,
    ServerToolUseBlock,
    TextBlock,
    TextEditorCodeExecutionToolResultBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolSearchToolResultBlock,
    ToolUseBlock,
    WebFetchToolResultBlock,
    WebSearchToolResultBlock,
)

# Beta-only blocks (client.beta.messages / BetaMessage.to_param()): required keys typed, the rest kept.


class AdvisorToolResultBlock(_Wire):
    type: Literal["advisor_tool_result"]
    tool_use_id: str
    content: dict[str, Any]
    cache_control: CacheControl | None = None


class MCPToolUseBlock(_Wire):
    type: Literal["mcp_tool_use"]
    id: str
    name: str
    server_name: str
    input: dict[str, Any]
    cache_control: CacheControl | None = None


class MCPToolResultBlock(_Wire):
    type: Literal["mcp_tool_result"]
    tool_use_id: str
    content: Annotated[
        list[Annotated[Annotated[TextBlock, Tag("text")], Discriminator(_tag)]],
        BeforeValidator(_str_or_none_to_blocks),
    ] = Field(default_factory=list)
    is_error: bool | None = None
    cache_control: CacheControl | None = None


class CompactionBlock(_Wire):
    type: Literal["compaction"]
    content: str | None = None
    encrypted_content: str | None = None
    signature: str | None = None
    tool_changes: list[dict[str, Any]] | None = None
    cache_control: CacheControl | None = None


class ToolAdditionBlock(_Wire):
    type: Literal["tool_addition"]
    tool: dict[str, Any]
    cache_control: CacheControl | None = None


class ToolRemovalBlock(_Wire):
    type: Literal["tool_removal"]
    tool: dict[str, Any]
    cache_control: CacheControl | None = None


class MCPToolListingBlock(_Wire):
    type: Literal["mcp_tool_listing"]
    mcp_server_name: str
    tools: list[dict[str, Any]]
    cache_control: CacheControl | None = None


class FallbackBlock(_Wire):
    type: Literal["fallback"]
    from_: dict[str, Any] = Field(alias="from")
    to: dict[str, Any]
    trigger: Any = None


ContentBlock: TypeAlias = Annotated[
    Annotated[TextBlock, Tag("text")]
    | Annotated[ImageBlock, Tag("image")]
    | Annotated[DocumentBlock, Tag("document")]
    | Annotated[SearchResultBlock, Tag("search_result")]
    | Annotated[ThinkingBlock, Tag("thinking")]
    | Annotated[RedactedThinkingBlock, Tag("redacted_thinking")]
    | Annotated[ToolUseBlock, Tag("tool_use")]
    | Annotated[ToolResultBlock, Tag("tool_result")]
    | Annotated[ServerToolUseBlock, Tag("server_tool_use")]
    | Annotated[WebSearchToolResultBlock, Tag("web_search_tool_result")]
    | Annotated[WebFetchToolResultBlock, Tag("web_fetch_tool_result")]
    | Annotated[AdvisorToolResultBlock, Tag("advisor_tool_result")]
    | Annotated[CodeExecutionToolResultBlock, Tag("code_execution_tool_result")]
    | Annotated[BashCodeExecutionToolResultBlock, Tag("bash_code_execution_tool_result")]
    | Annotated[TextEditorCodeExecutionToolResultBlock, Tag("text_editor_code_execution_tool_result")]
    | Annotated[ToolSearchToolResultBlock, Tag("tool_search_tool_result")]
    | Annotated[MCPToolUseBlock, Tag("mcp_tool_use")]
    | Annotated[MCPToolResultBlock, Tag("mcp_tool_result")]
    | Annotated[ContainerUploadBlock, Tag("container_upload")]
    | Annotated[CompactionBlock, Tag("compaction")]
    | Annotated[ToolAdditionBlock, Tag("tool_addition")]
    | Annotated[ToolRemovalBlock, Tag("tool_removal")]
    | Annotated[MCPToolListingBlock, Tag("mcp_tool_listing")]
    | Annotated[FallbackBlock, Tag("fallback")],
    Discriminator(_tag),
]
"""Every block a request may carry, in either role (the role rules are semantic checks, not shapes)."""

Block: TypeAlias = (
    TextBlock
    | ImageBlock
    | DocumentBlock
    | SearchResultBlock
    | ThinkingBlock
    | RedactedThinkingBlock
    | ToolUseBlock
    | ToolResultBlock
    | ServerToolUseBlock
    | WebSearchToolResultBlock
    | WebFetchToolResultBlock
    | AdvisorToolResultBlock
    | CodeExecutionToolResultBlock
    | BashCodeExecutionToolResultBlock
    | TextEditorCodeExecutionToolResultBlock
    | ToolSearchToolResultBlock
    | MCPToolUseBlock
    | MCPToolResultBlock
    | ContainerUploadBlock
    | CompactionBlock
    | ToolAdditionBlock
    | ToolRemovalBlock
    | MCPToolListingBlock
    | FallbackBlock
)
"""The plain union of block classes, for annotations downstream."""

SystemTextBlock: TypeAlias = Annotated[Annotated[TextBlock, Tag("text")], Discriminator(_tag)]


class SystemMessageOutputConfig(_Wire):
    effort: Literal["low", "medium", "high", "xhigh", "max"] | None = None


class MessageParam(_Wire):
    """One turn. ``role: "system"`` is a mid-conversation system message (newest models, §1.3);
    ``clear_at`` and ``output_config`` belong to those (beta)."""

    role: Literal["user", "assistant", "system"]
    content: Annotated[list[ContentBlock], BeforeValidator(_str_to_blocks)]
    clear_at: Literal["next_user_message", "never"] | None = None
    output_config: SystemMessageOutputConfig | None = None
