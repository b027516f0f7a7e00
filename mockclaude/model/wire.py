"""Pydantic models of the request bodies of ``POST /v1/messages`` and ``/v1/messages/count_tokens``.

The real API validates with pydantic, so modelling the body the same way gives its error texts for free
(``max_tokens: Field required``, ``messages.0.content.0.text.text: Input should be a valid string``).
Shapes follow the official SDK's ``types/`` and ``types/beta/`` (2.12.0): every parameter and block it can
send, including the response blocks ``Message.to_param()`` passes back verbatim (``citations: null``,
``caller``, ``toolset_name``, citation ``file_id``...).

Conventions that make error locations match the real ones:

* every model forbids unknown keys (``messages.65.content.1.tool_use.text: Extra inputs are not permitted``);
* unions of objects are tagged by ``type`` so locations carry the tag (``tools.0.custom.name``,
  ``thinking.enabled.budget_tokens``, ``system.1.cache_control.ephemeral.scope``). A tool without ``type``
  is a custom tool;
* ``content`` given as a string becomes a list of one text block while validating (``""`` becomes ``[]``),
  so later stages only ever see block lists. ``system`` likewise.

Layer 0: stdlib and pydantic only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag

__all__ = [
    "TAG_FUNCTIONS",
    "AdvisorTool",
    "AnyTool",
    "BashCodeExecutionToolResultBlock",
    "BashTool",
    "Block",
    "BrowserToolset",
    "CacheControl",
    "CodeExecutionTool",
    "CodeExecutionToolResultBlock",
    "CompactionBlock",
    "ComputerTool",
    "ComputerToolset",
    "ContainerUploadBlock",
    "ContentBlock",
    "CountTokensParams",
    "CustomTool",
    "DocumentBlock",
    "FallbackBlock",
    "ImageBlock",
    "InputSchema",
    "MCPToolListingBlock",
    "MCPToolResultBlock",
    "MCPToolUseBlock",
    "MCPToolset",
    "MemoryTool",
    "MessageCreateParams",
    "MessageParam",
    "Metadata",
    "OutputConfig",
    "RedactedThinkingBlock",
    "SearchResultBlock",
    "ServerToolUseBlock",
    "TextBlock",
    "TextEditorCodeExecutionToolResultBlock",
    "TextEditorTool",
    "ThinkingAdaptive",
    "ThinkingBetweenTools",
    "ThinkingBlock",
    "ThinkingConfig",
    "ThinkingDisabled",
    "ThinkingEnabled",
    "Tool",
    "ToolAdditionBlock",
    "ToolChoice",
    "ToolChoiceAny",
    "ToolChoiceAuto",
    "ToolChoiceNone",
    "ToolChoiceTool",
    "ToolRemovalBlock",
    "ToolResultBlock",
    "ToolSearchTool",
    "ToolSearchToolResultBlock",
    "ToolUseBlock",
    "WebFetchTool",
    "WebFetchToolResultBlock",
    "WebSearchTool",
    "WebSearchToolResultBlock",
]


class _Wire(BaseModel):
    """Base of every request model: unknown keys are errors, as on the real API."""

    model_config = ConfigDict(extra="forbid")


class _Loose(BaseModel):
    """Base for beta-only structures the mock accepts but does not act on: unknown keys are kept."""

    model_config = ConfigDict(extra="allow")


def _tag(v: Any) -> str | None:
    """Discriminator of block/object unions: the ``type`` key."""
    if isinstance(v, dict):
        t = v.get("type")
        return t if isinstance(t, str) else None
    t = getattr(v, "type", None)
    return t if isinstance(t, str) else None


def _tool_tag(v: Any) -> str | None:
    """Discriminator of ``tools``: ``type``, with a missing or null ``type`` meaning a custom tool."""
    if isinstance(v, dict):
        t = v.get("type")
        if t is None:
            return "custom"
        return t if isinstance(t, str) else None
    if isinstance(v, BaseModel):
        t = getattr(v, "type", None)
        return "custom" if t is None else t if isinstance(t, str) else None
    return None


TAG_FUNCTIONS = (_tag.__name__, _tool_tag.__name__)
"""Names pydantic prints in union-tag errors (``found using _tag()``); the validator shows ``'type'``."""


def _str_to_blocks(v: Any) -> Any:
    """``"hi"`` → ``[{"type": "text", "text": "hi"}]``; ``""`` → ``[]`` (an empty turn, no empty block)."""
    if isinstance(v, str):
        return [{"type": "text", "text": v}] if v else []
    return v


def _str_or_none_to_blocks(v: Any) -> Any:
    return [] if v is None else _str_to_blocks(v)


# --------------------------------------------------------------------------------------------------
# Small shared objects

Caller_ = Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]


class CacheControlEphemeral(_Wire):
    """``{"type": "ephemeral", "ttl"?: "5m" | "1h"}``; ``scope`` is sent by Claude Code (beta)."""

    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"] | None = None
    # ⚠ unconfirmed: the real API accepts `scope` only with beta prompt-caching-scope-2026-01-05
    # (without it: `system.1.cache_control.ephemeral.scope: Extra inputs are not permitted`). Accepted always.
    scope: str | None = None


CacheControl: TypeAlias = Annotated[Annotated[CacheControlEphemeral, Tag("ephemeral")], Discriminator(_tag)]


class CitationsConfig(_Wire):
    enabled: bool | None = None


class DirectCaller(_Wire):
    type: Literal["direct"]


class ServerToolCaller(_Wire):
    type: Literal["code_execution_20250825", "code_execution_20260120"]
    tool_id: str


Caller: TypeAlias = Annotated[
    Annotated[DirectCaller, Tag("direct")]
    | Annotated[ServerToolCaller, Tag("code_execution_20250825")]
    | Annotated[ServerToolCaller, Tag("code_execution_20260120")],
    Discriminator(_tag),
]


# --------------------------------------------------------------------------------------------------
# Citations (request shapes plus the response-only `file_id`)


class _CitationDocument(_Wire):
    cited_text: str
    document_index: int
    document_title: str | None = None
    file_id: str | None = None


class CitationCharLocation(_CitationDocument):
    type: Literal["char_location"]
    start_char_index: int
    end_char_index: int


class CitationPageLocation(_CitationDocument):
    type: Literal["page_location"]
    start_page_number: int
    end_page_number: int


class CitationContentBlockLocation(_CitationDocument):
    type: Literal["content_block_location"]
    start_block_index: int
    end_block_index: int


class CitationWebSearchResultLocation(_Wire):
    type: Literal["web_search_result_location"]
    cited_text: str
    encrypted_index: str
    title: str | None = None
    url: str


class CitationSearchResultLocation(_Wire):
    type: Literal["search_result_location"]
    cited_text: str
    search_result_index: int
    source: str
    start_block_index: int
    end_block_index: int
    title: str | None = None


Citation: TypeAlias = Annotated[
    Annotated[CitationCharLocation, Tag("char_location")]
    | Annotated[CitationPageLocation, Tag("page_location")]
    | Annotated[CitationContentBlockLocation, Tag("content_block_location")]
    | Annotated[CitationWebSearchResultLocation, Tag("web_search_result_location")]
    | Annotated[CitationSearchResultLocation, Tag("search_result_location")],
    Discriminator(_tag),
]


# --------------------------------------------------------------------------------------------------
# Content blocks


class TextBlock(_Wire):
    type: Literal["text"]
    text: str
    cache_control: CacheControl | None = None
    citations: list[Citation] | None = None


class Base64ImageSource(_Wire):
    type: Literal["base64"]
    media_type: Literal["image/jpeg", "image/png", "image/gif", "image/webp"]
    data: str


class URLSource(_Wire):
    type: Literal["url"]
    url: str


class FileSource(_Wire):
    type: Literal["file"]
    file_id: str


ImageSource: TypeAlias = Annotated[
    Annotated[Base64ImageSource, Tag("base64")]
    | Annotated[URLSource, Tag("url")]
    | Annotated[FileSource, Tag("file")],
    Discriminator(_tag),
]


class ImageTransformations(_Wire):
    oversized_image: Literal["downsize", "error"] | None = None


class ImageBlock(_Wire):
    type: Literal["image"]
    source: ImageSource
    cache_control: CacheControl | None = None
    transformations: ImageTransformations | None = None


class Base64PDFSource(_Wire):
    type: Literal["base64"]
    media_type: Literal["application/pdf"]
    data: str


class PlainTextSource(_Wire):
    type: Literal["text"]
    media_type: Literal["text/plain"]
    data: str


DocumentContentItem: TypeAlias = Annotated[
    Annotated[TextBlock, Tag("text")] | Annotated[ImageBlock, Tag("image")],
    Discriminator(_tag),
]


class ContentBlockSource(_Wire):
    type: Literal["content"]
    content: Annotated[list[DocumentContentItem], BeforeValidator(_str_to_blocks)]


DocumentSource: TypeAlias = Annotated[
    Annotated[Base64PDFSource, Tag("base64")]
    | Annotated[PlainTextSource, Tag("text")]
    | Annotated[ContentBlockSource, Tag("content")]
    | Annotated[URLSource, Tag("url")]
    | Annotated[FileSource, Tag("file")],
    Discriminator(_tag),
]


class DocumentBlock(_Wire):
    type: Literal["document"]
    source: DocumentSource
    cache_control: CacheControl | None = None
    citations: CitationsConfig | None = None
    context: str | None = None
    title: str | None = None


class SearchResultBlock(_Wire):
    type: Literal["search_result"]
    content: list[Annotated[Annotated[TextBlock, Tag("text")], Discriminator(_tag)]]
    source: str
    title: str
    cache_control: CacheControl | None = None
    citations: CitationsConfig | None = None


class ThinkingBlock(_Wire):
    """Sent back from an earlier response; cannot carry ``cache_control`` (Extra inputs are not permitted)."""

    type: Literal["thinking"]
    thinking: str
    signature: str


class RedactedThinkingBlock(_Wire):
    type: Literal["redacted_thinking"]
    data: str


class ToolUseBlock(_Wire):
    type: Literal["tool_use"]
    id: str
    name: str
    input: dict[str, Any]
    cache_control: CacheControl | None = None
    caller: Caller | None = None
    toolset_name: str | None = None


class ToolReferenceBlock(_Wire):
    type: Literal["tool_reference"]
    tool_name: str
    cache_control: CacheControl | None = None


class BrowserStateBlock(_Wire):
    type: Literal["browser_state"]
    tabs: list[dict[str, Any]]
    state_changes: list[dict[str, Any]] | None = None
    cache_control: CacheControl | None = None


ToolResultContentItem: TypeAlias = Annotated[
    Annotated[TextBlock, Tag("text")]
    | Annotated[ImageBlock, Tag("image")]
    | Annotated[SearchResultBlock, Tag("search_result")]
    | Annotated[DocumentBlock, Tag("document")]
    | Annotated[ToolReferenceBlock, Tag("tool_reference")]
    | Annotated[BrowserStateBlock, Tag("browser_state")],
    Discriminator(_tag),
]


class ToolResultBlock(_Wire):
    """``content`` is normalised to a block list (a string becomes one text block, absent/null ``[]``)."""

    type: Literal["tool_result"]
    tool_use_id: str
    content: Annotated[list[ToolResultContentItem], BeforeValidator(_str_or_none_to_blocks)] = Field(
        default_factory=list
    )
    is_error: bool | None = None
    cache_control: CacheControl | None = None
    toolset_name: str | None = None


ServerToolName_ = Literal[
    "advisor",
    "web_search",
    "web_fetch",
    "code_execution",
    "bash_code_execution",
    "text_editor_code_execution",
    "tool_search_tool_regex",
    "tool_search_tool_bm25",
]


class ServerToolUseBlock(_Wire):
    type: Literal["server_tool_use"]
    id: str
    name: ServerToolName_
    input: dict[str, Any]
    cache_control: CacheControl | None = None
    caller: Caller | None = None


class WebSearchResult(_Wire):
    type: Literal["web_search_result"]
    encrypted_content: str
    title: str
    url: str
    page_age: str | None = None


class ToolResultError(_Wire):
    """The ``*_tool_result_error`` objects of every server tool (their ``error_code`` kept open)."""

    type: str
    error_code: str
    error_message: str | None = None


class WebSearchToolResultBlock(_Wire):
    type: Literal["web_search_tool_result"]
    tool_use_id: str
    content: list[WebSearchResult] | ToolResultError
    cache_control: CacheControl | None = None
    caller: Caller | None = None


class WebFetchResult(_Wire):
    type: Literal["web_fetch_result"]
    url: str
    content: DocumentBlock
    retrieved_at: str | None = None


WebFetchContent: TypeAlias = Annotated[
    Annotated[WebFetchResult, Tag("web_fetch_result")]
    | Annotated[ToolResultError, Tag("web_fetch_tool_result_error")],
    Discriminator(_tag),
]


class WebFetchToolResultBlock(_Wire):
    type: Literal["web_fetch_tool_result"]
    tool_use_id: str
    content: WebFetchContent
    cache_control: CacheControl | None = None
    caller: Caller | None = None


class OutputFile(_Wire):
    type: Literal["code_execution_output", "bash_code_execution_output"]
    file_id: str


class CodeExecutionResult(_Wire):
    type: Literal["code_execution_result", "bash_code_execution_result"]
    content: list[OutputFile]
    return_code: int
    stderr: str
    stdout: str


class EncryptedCodeExecutionResult(_Wire):
    type: Literal["encrypted_code_execution_result"]
    content: list[OutputFile]
    encrypted_stdout: str
    return_code: int
    stderr: str


class CodeExecutionToolResultBlock(_Wire):
    type: Literal["code_execution_tool_result"]
    tool_use_id: str
    content: Annotated[
        Annotated[ToolResultError, Tag("code_execution_tool_result_error")]
        | Annotated[CodeExecutionResult, Tag("code_execution_result")]
        | Annotated[EncryptedCodeExecutionResult, Tag("encrypted_code_execution_result")],
        Discriminator(_tag),
    ]
    cache_control: CacheControl | None = None


class BashCodeExecutionToolResultBlock(_Wire):
    type: Literal["bash_code_execution_tool_result"]
    tool_use_id: str
    content: Annotated[
        Annotated[ToolResultError, Tag("bash_code_execution_tool_result_error")]
        | Annotated[CodeExecutionResult, Tag("bash_code_execution_result")],
        Discriminator(_tag),
    ]
    cache_control: CacheControl | None = None


class TextEditorViewResult(_Wire):
    type: Literal["text_editor_code_execution_view_result"]
    content: str
    file_type: Literal["text", "image", "pdf"]
    num_lines: int | None = None
    start_line: int | None = None
    total_lines: int | None = None


class TextEditorCreateResult(_Wire):
    type: Literal["text_editor_code_execution_create_result"]
    is_file_update: bool


class TextEditorStrReplaceResult(_Wire):
    type: Literal["text_editor_code_execution_str_replace_result"]
    lines: list[str] | None = None
    new_lines: int | None = None
    new_start: int | None = None
    old_lines: int | None = None
    old_start: int | None = None


class TextEditorCodeExecutionToolResultBlock(_Wire):
    type: Literal["text_editor_code_execution_tool_result"]
    tool_use_id: str
    content: Annotated[
        Annotated[ToolResultError, Tag("text_editor_code_execution_tool_result_error")]
        | Annotated[TextEditorViewResult, Tag("text_editor_code_execution_view_result")]
        | Annotated[TextEditorCreateResult, Tag("text_editor_code_execution_create_result")]
        | Annotated[TextEditorStrReplaceResult, Tag("text_editor_code_execution_str_replace_result")],
        Discriminator(_tag),
    ]
    cache_control: CacheControl | None = None


class ToolSearchResult(_Wire):
    type: Literal["tool_search_tool_search_result"]
    tool_references: list[ToolReferenceBlock]


class ToolSearchToolResultBlock(_Wire):
    type: Literal["tool_search_tool_result"]
    tool_use_id: str
    content: Annotated[
        Annotated[ToolResultError, Tag("tool_search_tool_result_error")]
        | Annotated[ToolSearchResult, Tag("tool_search_tool_search_result")],
        Discriminator(_tag),
    ]
    cache_control: CacheControl | None = None


class ContainerUploadBlock(_Wire):
    type: Literal["container_upload"]
    file_id: str
    cache_control: CacheControl | None = None


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


# --------------------------------------------------------------------------------------------------
# Tools


class InputSchema(BaseModel):
    """A tool's JSON schema: ``type`` must be ``"object"``; anything else the schema says is kept as given."""

    model_config = ConfigDict(extra="allow")

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
