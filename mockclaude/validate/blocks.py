"""Rules on individual blocks wherever they sit: cache_control marks, images, PDFs, thinking signatures.

Blocks are visited in prompt order (``tools`` → ``system`` → ``messages``, nested blocks after their
parent), the order the cache breakpoints are counted and ordered in (§6.2, §6.4).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from typing import Any

from mockclaude.ids import verify_thinking
from mockclaude.model.catalog import ModelSpec
from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.media import b64_prefix, decoded_base64_size, image_format, image_size, pdf_page_count
from mockclaude.model.request import Policy
from mockclaude.model.wire import (
    Base64ImageSource,
    Base64PDFSource,
    ContentBlockSource,
    CountTokensParams,
    DocumentBlock,
    ImageBlock,
    MCPToolResultBlock,
    MessageCreateParams,
    MessageParam,
    SearchResultBlock,
    ThinkingBlock,
    ToolResultBlock,
)

__all__ = ["check_blocks", "walk_message_blocks"]

MAX_CACHE_BREAKPOINTS = 4
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
MAX_IMAGE_SIDE_MANY = 2000  # when a request has more than MANY_IMAGES images
MANY_IMAGES = 20
LONG_CONTEXT = 1_000_000  # models with a 1M window take 600 images / PDF pages instead of 100

Params = MessageCreateParams | CountTokensParams


def _bad(message: str, details: dict[str, Any] | None = None) -> InvalidRequestError:
    return InvalidRequestError(message, details=details)


def _children(block: Any) -> Iterator[tuple[str, str, Any]]:
    """Nested blocks: (plain path suffix, tagged path suffix, block)."""
    if isinstance(block, ToolResultBlock | MCPToolResultBlock | SearchResultBlock):
        for k, item in enumerate(block.content):
            yield f".content.{k}", f".{block.type}.content.{k}", item
    elif isinstance(block, DocumentBlock) and isinstance(block.source, ContentBlockSource):
        for k, item in enumerate(block.source.content):
            yield f".source.content.{k}", f".document.source.content.{k}", item


def _walk(plain: str, tagged: str, block: Any) -> Iterator[tuple[str, str, Any]]:
    yield plain, tagged, block
    for p, t, child in _children(block):
        yield from _walk(plain + p, tagged + t, child)


def walk_message_blocks(messages: list[MessageParam]) -> Iterator[tuple[str, str, Any, str]]:
    """Every block of every message, nested ones included: ``(path, tagged path, block, role)``.

    ``path`` is ``messages.0.content.1.content.0`` (the form of ``error.details.paths``); ``tagged path``
    is the pydantic-style location ``messages.0.content.1.tool_result.content.0``.
    """
    for n, msg in enumerate(messages):
        for m, block in enumerate(msg.content):
            base = f"messages.{n}.content.{m}"
            for plain, tagged, b in _walk(base, base, block):
                yield plain, tagged, b, msg.role


def check_blocks(params: Params, spec: ModelSpec, policy: Policy) -> None:
    """Cache-control limits, image and PDF limits, then thinking signatures."""
    _check_cache_control(params)
    _check_media(params.messages, spec)
    if policy.verify_signatures:
        _check_signatures(params.messages, policy.seed, policy.known_signatures or {})


def _check_cache_control(params: Params) -> None:
    marks: list[tuple[str, str]] = []  # (path, ttl) in prompt order
    for i, tool in enumerate(params.tools or ()):
        if tool.cache_control is not None:
            marks.append((f"tools.{i}", tool.cache_control.ttl or "5m"))
    for j, sblock in enumerate(params.system or ()):
        if sblock.cache_control is not None:
            marks.append((f"system.{j}", sblock.cache_control.ttl or "5m"))
    for path, _, block, _ in walk_message_blocks(params.messages):
        cc = getattr(block, "cache_control", None)
        if cc is not None:
            marks.append((path, cc.ttl or "5m"))
    if params.cache_control is not None and _automatic_lands_on_new_block(params):
        # ⚠ unconfirmed (api-spec §13.7): the top-level ("automatic") cache_control counts as one more block
        # unless the block it lands on (the last cacheable one) is already marked.
        marks.append(("cache_control", params.cache_control.ttl or "5m"))
    if len(marks) > MAX_CACHE_BREAKPOINTS:
        raise _bad(
            f"A maximum of {MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {len(marks)}."
        )
    seen_5m = False
    for path, ttl in marks:
        if ttl == "5m":
            seen_5m = True
        elif seen_5m:
            # ⚠ unconfirmed text (docs: longer TTLs must come before shorter ones).
            raise _bad(
                f"{path}.cache_control: a ttl='1h' cache_control block must not come after a ttl='5m' one"
            )


def _automatic_lands_on_new_block(params: Params) -> bool:
    for msg in reversed(params.messages):
        for block in reversed(msg.content):
            if block.type in ("thinking", "redacted_thinking"):
                continue
            if block.type == "text" and not block.text:
                continue
            return getattr(block, "cache_control", None) is None
    for sblock in reversed(params.system or ()):
        return sblock.cache_control is None
    for tool in reversed(params.tools or ()):
        return tool.cache_control is None
    return False


def _check_media(messages: list[MessageParam], spec: ModelSpec) -> None:
    long_context = spec.context_window >= LONG_CONTEXT
    max_images = 600 if long_context else 100
    max_pages = 600 if long_context else 100
    images: list[tuple[str, str, ImageBlock]] = []
    pages = 0
    for path, tagged, block, _ in walk_message_blocks(messages):
        if isinstance(block, ImageBlock):
            images.append((path, tagged, block))
        elif isinstance(block, DocumentBlock) and isinstance(block.source, Base64PDFSource):
            pages += _pdf_pages(block.source.data, tagged)
            if pages > max_pages:
                # The real text matches /maximum of \d+ PDF pages/ (3P classifier); ⚠ the rest of it.
                where = f"{tagged}.document.source.base64.data"
                raise _bad(f"{where}: A maximum of {max_pages} PDF pages may be provided.")
    if len(images) > max_images:
        # ⚠ unconfirmed text; the limit is documented (100 images, 600 on 1M-context models).
        raise _bad(f"messages: A maximum of {max_images} images may be provided. Found {len(images)}.")
    limit = MAX_IMAGE_SIDE_MANY if len(images) > MANY_IMAGES else MAX_IMAGE_SIDE
    oversized: list[str] = []
    for path, tagged, image in images:
        source = image.source
        if not isinstance(source, Base64ImageSource):
            continue
        size = decoded_base64_size(source.data)
        if size > MAX_IMAGE_BYTES:
            raise _bad(
                f"{tagged}.image.source.base64: image exceeds 5 MB maximum: "
                f"{size} bytes > {MAX_IMAGE_BYTES} bytes"
            )
        head = b64_prefix(source.data, 64 * 1024)
        actual = image_format(head)
        if actual is not None and actual != source.media_type:
            # ⚠ unconfirmed wording (recalled from real responses).
            raise _bad(
                f"{tagged}.image.source.base64.data: The image was specified using the {source.media_type} "
                f"media type, but the image appears to be a {actual} image"
            )
        wants_error = image.transformations is not None and image.transformations.oversized_image == "error"
        if wants_error and actual is not None:
            dims = image_size(head)
            if dims is None and actual == "image/jpeg":
                dims = image_size(b64_prefix(source.data, size))  # the frame header sits after large EXIF
            if dims is not None and max(dims) > limit:
                oversized.append(path)
    if oversized:
        # The SDK (2.12) documents this error and its details; default `downsize` scales silently instead.
        # ⚠ unconfirmed message text.
        many = " for many-image requests" if limit == MAX_IMAGE_SIDE_MANY else ""
        raise _bad(
            f"{oversized[0]}: image dimensions exceed max allowed size{many}: {limit} pixels",
            details={
                "error_code": "image_dimensions_too_large",
                "max_side_length_pixels": limit,
                "paths": oversized,
            },
        )


def _pdf_pages(data: str, tagged: str) -> int:
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        raw = b""
    if not raw.startswith(b"%PDF"):
        # The real text contains "The PDF specified was not valid" (3P classifier); ⚠ location prefix.
        raise _bad(f"{tagged}.document.source.base64.data: The PDF specified was not valid.")
    return pdf_page_count(raw)


def _check_signatures(messages: list[MessageParam], seed: int, known: Mapping[str, str]) -> None:
    """Thinking blocks sent back must carry a signature this mock issued for their text, or one a recording
    holds for that same text (``known``: the upstream's own signatures, replayed verbatim).

    The engine signs the text it returns, so ``display: "omitted"`` blocks (empty ``thinking``) verify too.
    """
    for n, msg in enumerate(messages):
        if msg.role != "assistant":
            continue
        for m, block in enumerate(msg.content):
            if isinstance(block, ThinkingBlock):
                # compare_digest refuses non-ASCII strings, and no signature we issue has any.
                sig = block.signature
                if known.get(sig) == block.thinking:
                    continue
                if not sig.isascii() or not verify_thinking(seed, block.thinking, sig):
                    raise _bad(f"messages.{n}.content.{m}: Invalid `signature` in `thinking` block")
