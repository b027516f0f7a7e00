"""The Files API room: file state and its rules (``service``, ``store``, ``rules``), the ``file_id`` check of
Messages requests (``refs``), and every error text (``texts``). No HTTP: ``server/files.py`` is its edge."""

from __future__ import annotations

from mockclaude.files.refs import FileReferences, file_sources
from mockclaude.files.service import UPLOAD_BODY_BYTES, Files, metadata
from mockclaude.files.store import FileRecord, FileStore, MemoryFileStore

__all__ = [
    "UPLOAD_BODY_BYTES",
    "FileRecord",
    "FileReferences",
    "FileStore",
    "Files",
    "MemoryFileStore",
    "file_sources",
    "metadata",
]
