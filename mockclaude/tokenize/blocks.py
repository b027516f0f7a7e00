"""What one content block or tool definition costs, before the model's token ratio and image limits.

A :class:`Cost` is model independent (text tokens from the base tokenizer, plus the pixel sizes of the images
the block carries), so :class:`mockclaude.tokenize.accounting.InputAccountant` memoises it by the block's
content digest and applies each model's ratio and vision limits on top.

Constants without a public source are estimates of the wrappers Claude's prompt format puts around a block;
they are marked as such. The calibrated ones are checked against the documented ``count_tokens`` examples in
``tests/test_usage.py``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from mockclaude.model import wire
from mockclaude.model.media import decoded_base64_size, image_size
from mockclaude.tokenize.media import PDF_TEXT_TOKENS_PER_PAGE, image_dims_from_base64, pdf_facts, unknown_pdf

__all__ = ["Cost", "FileContents", "block_cost", "tool_cost"]

# Estimates (no public figure): the call / result wrappers of the prompt format around tool blocks, and the
# title/context wrapper of a document or search result.
TOOL_USE_FRAMING = 6
TOOL_RESULT_FRAMING = 4
DOCUMENT_FRAMING = 4
# ⚠ unconfirmed: redacted thinking is encrypted thinking text; ~4 bytes of it per token of the original.
REDACTED_BYTES_PER_TOKEN = 4
# Anthropic-defined tools whose definition the docs price as a fixed number of input tokens; the schema is the
# API's own, so the request's few fields are not counted on top. DOCS tool pages: bash 245, text editor 700,
# computer use 735 (Claude 4 tool definition). Other such tools count their JSON definition (⚠ estimate).
FIXED_TOOL_TOKENS = {
    "bash": 245,
    "str_replace_editor": 700,
    "str_replace_based_edit_tool": 700,
    "computer": 735,
}

Counter = Callable[[str], int]
FileContents = Callable[[str], tuple[str, bytes] | None]
"""``file_id`` -> ``(mime_type, bytes)`` of a file the request may use (the caller's organization), else None."""
Size = tuple[int, int] | None  # pixel size of an image; None when the request carries no bytes


@dataclass(frozen=True, slots=True)
class Cost:
    """Tokens of a block before the model's ratio, and the images (pixel sizes) it carries."""

    text: int = 0
    images: tuple[Size, ...] = ()

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.text + other.text, self.images + other.images)


_ZERO = Cost()


def _json(value: Any) -> str:
    """Compact JSON in the order the client sent (what a prompt template would embed)."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        value = dump(mode="json", exclude_none=True, by_alias=True, exclude={"cache_control"})
    return orjson.dumps(value).decode()


def _sum(blocks: Sequence[Any], count: Counter, files: FileContents | None) -> Cost:
    total = _ZERO
    for block in blocks:
        total = total + block_cost(block, count, files)
    return total


def _file(source: Any, files: FileContents | None) -> tuple[str, bytes] | None:
    """The bytes behind a ``file`` source, when the Files API holds them (else the no-bytes defaults apply)."""
    if files is None or not isinstance(source, wire.FileSource):
        return None
    return files(source.file_id)


def _document(block: wire.DocumentBlock, count: Counter, files: FileContents | None) -> Cost:
    source = block.source
    head = DOCUMENT_FRAMING + count(block.title or "") + count(block.context or "")
    if isinstance(source, wire.PlainTextSource):
        return Cost(head + count(source.data))
    if isinstance(source, wire.ContentBlockSource):
        return Cost(head) + _sum(source.content, count, files)
    if isinstance(source, wire.Base64PDFSource):
        facts = pdf_facts(_b64decode(source.data))
        return Cost(head + count(facts.text), facts.page_pixels)
    stored = _file(source, files)
    if stored is not None:  # a Files API file: counted by its real content, as its base64 twin would be
        mime_type, data = stored
        if mime_type == "text/plain":
            return Cost(head + count(data.decode("utf-8", errors="replace")))
        facts = pdf_facts(data)
        return Cost(head + count(facts.text), facts.page_pixels)
    facts = unknown_pdf()  # url (or a file unknown here): no bytes (documented default, tokenize/media.py)
    return Cost(head + PDF_TEXT_TOKENS_PER_PAGE * len(facts.page_pixels), facts.page_pixels)


def _b64decode(data: str) -> bytes:
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        return b""


def _image(block: wire.ImageBlock, files: FileContents | None) -> Cost:
    source = block.source
    if isinstance(source, wire.Base64ImageSource):
        return Cost(0, (image_dims_from_base64(source.data),))
    stored = _file(source, files)
    if stored is not None:
        size = image_size(stored[1][: 64 * 1024]) or image_size(stored[1])  # JPEG: the frame may sit late
        return Cost(0, (size if size is not None and min(size) > 0 else None,))
    return Cost(0, (None,))


def _tool_result(content: Sequence[Any] | None, count: Counter, files: FileContents | None) -> Cost:
    return Cost(TOOL_RESULT_FRAMING) + _sum(content or (), count, files)


def _web_search_result(block: wire.WebSearchToolResultBlock, count: Counter) -> Cost:
    content = block.content
    if not isinstance(content, list):
        return Cost(TOOL_RESULT_FRAMING + count(content.error_code))
    tokens = TOOL_RESULT_FRAMING
    for result in content:
        # ⚠ the encrypted page content decrypts to the page text the model read: about 4 bytes a token.
        encrypted = decoded_base64_size(result.encrypted_content) // REDACTED_BYTES_PER_TOKEN
        tokens += count(result.title) + count(result.url) + count(result.page_age or "") + encrypted
    return Cost(tokens)


def block_cost(block: Any, count: Counter, files: FileContents | None = None) -> Cost:
    """The cost of one content block (any type a request may carry); ``files`` reads ``file`` sources."""
    if isinstance(block, wire.TextBlock):
        # Citations on replayed text are pointers into documents already in the prompt: not counted (§11).
        return Cost(count(block.text))
    if isinstance(block, wire.ImageBlock):
        return _image(block, files)
    if isinstance(block, wire.ThinkingBlock):
        return Cost(count(block.thinking))  # the signature is not model input
    if isinstance(block, wire.RedactedThinkingBlock):
        return Cost(decoded_base64_size(block.data) // REDACTED_BYTES_PER_TOKEN)
    if isinstance(block, wire.ToolUseBlock | wire.ServerToolUseBlock | wire.MCPToolUseBlock):
        return Cost(TOOL_USE_FRAMING + count(block.name) + count(orjson.dumps(block.input).decode()))
    if isinstance(block, wire.ToolResultBlock | wire.MCPToolResultBlock):
        return _tool_result(block.content, count, files)
    if isinstance(block, wire.DocumentBlock):
        return _document(block, count, files)
    if isinstance(block, wire.SearchResultBlock):
        head = DOCUMENT_FRAMING + count(block.source) + count(block.title)
        return Cost(head) + _sum(block.content, count, files)
    if isinstance(block, wire.WebSearchToolResultBlock):
        return _web_search_result(block, count)
    if isinstance(block, wire.WebFetchToolResultBlock):
        content = block.content
        if isinstance(content, wire.WebFetchResult):
            return Cost(TOOL_RESULT_FRAMING + count(content.url)) + _document(content.content, count, files)
        return Cost(TOOL_RESULT_FRAMING + count(_json(content)))
    if isinstance(block, wire.ToolReferenceBlock):
        return Cost(count(block.tool_name))
    # Code execution results, container uploads, compaction and the other beta blocks: their JSON, which
    # carries what the model reads (stdout, stderr, file ids, summaries).
    return Cost(count(_json(block)))


def tool_cost(tool: Any, count: Counter) -> int:
    """Tokens of one tool definition, before the model's ratio.

    A custom tool costs its name, description and compact ``input_schema`` JSON: with the tool-use system
    prompt of §11 (346 tokens) that gives the documented 403 (±1 %) for the docs' ``get_weather`` example.
    """
    if isinstance(tool, wire.CustomTool):
        tokens = count(tool.name) + count(tool.description or "") + count(_json(tool.input_schema))
        if tool.input_examples:
            tokens += count(orjson.dumps(tool.input_examples).decode())
        return tokens
    fixed = FIXED_TOOL_TOKENS.get(getattr(tool, "name", ""))
    if fixed is not None:
        return fixed
    return count(_json(tool))
