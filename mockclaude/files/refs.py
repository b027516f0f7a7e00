"""``file_id`` sources in Messages requests: each must name a usable file its block can take.

``image`` and ``document`` blocks may carry ``{"type": "file", "file_id": …}`` (nested ones too: inside tool
results and content documents). Before a request is counted, every such id is looked up in the caller's
organization: unknown, deleted or another key's → 404 ``File `…` not found.``; expired → 404 ``file_expired``;
a type its block does not take (an image in a ``document`` block, a PDF in an ``image`` block, a CSV anywhere)
→ 400 (DOCS files.md "Error handling"). The same check runs for every item of a Message Batch, when processed.

⚠ unconfirmed / not modelled: ``container_upload`` blocks name files too; the mock does not check them (their
file goes to the code execution container, which the mock does not run).
"""

from __future__ import annotations

from collections.abc import Iterator

from mockclaude.files import rules, texts
from mockclaude.files.service import Files
from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.request import ValidatedRequest
from mockclaude.model.wire import DocumentBlock, FileSource, ImageBlock
from mockclaude.validate.blocks import walk_message_blocks

__all__ = ["FileReferences", "file_sources"]


def file_sources(req: ValidatedRequest) -> Iterator[tuple[str, str, str]]:
    """``(path, block type, file_id)`` of every file source in the request's messages, in prefix order."""
    for path, _, block, _ in walk_message_blocks(req.params.messages):
        if isinstance(block, ImageBlock | DocumentBlock) and isinstance(block.source, FileSource):
            yield path, block.type, block.source.file_id


class FileReferences:
    """The check the pipeline's front half runs on every request (memoised ones too: files come and go)."""

    def __init__(self, files: Files) -> None:
        self.files = files

    def __call__(self, req: ValidatedRequest, body: bytes) -> None:
        """Raise the request's first file error, if any; nothing when it names no file."""
        if b"file_id" not in body:  # the common case costs one byte search
            return
        for path, block_type, file_id in file_sources(req):
            record = self.files.usable(req.api_key, file_id)
            allowed = rules.IMAGE_TYPES if block_type == "image" else rules.DOCUMENT_TYPES
            if record.mime_type not in allowed:
                raise InvalidRequestError(
                    texts.block_type_mismatch(path, file_id, record.mime_type, block_type)
                )
