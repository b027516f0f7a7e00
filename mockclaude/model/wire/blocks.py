"""Content blocks of the GA surface (user and assistant turns, replayed response blocks)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BeforeValidator, Discriminator, Field, Tag

from mockclaude.model.wire._base import (
    CacheControl,
    Caller,
    Citation,
    CitationsConfig,
    _str_or_none_to_blocks,
    _str_to_blocks,
    _tag,
    _Wire,
)

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
