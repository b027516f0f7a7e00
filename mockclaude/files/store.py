"""Where the Files API keeps its files: a small store interface and its in-memory implementation.

The service (:mod:`mockclaude.files.service`) holds the rules; a store only keeps records, per scope (the
organization an API key belongs to: in the mock, the key itself), in creation order. A later store (Redis, for
several processes) implements the same five methods; nothing else in the mock keeps file state.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["FileRecord", "FileStore", "MemoryFileStore"]


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One stored file: its metadata and its bytes. Immutable, as a file is once uploaded (the API has no
    update: "Files cannot be modified or renamed after upload")."""

    id: str
    scope: str  # the organization (API key) that owns it
    filename: str
    mime_type: str
    created_at: float  # clock seconds
    data: bytes = field(repr=False)
    downloadable: bool = False  # only files created by skills or the code execution tool
    expires_at: float | None = None  # clock seconds; None: never
    sequence: int = 0  # creation order within the store (list order, cursors)

    @property
    def size_bytes(self) -> int:
        """The file's size in bytes."""
        return len(self.data)


class FileStore(Protocol):
    """What the Files service needs from its storage."""

    def put(self, record: FileRecord) -> FileRecord:
        """Keep ``record``; returns it with its ``sequence`` (creation order) set."""
        ...

    def get(self, scope: str, file_id: str) -> FileRecord | None:
        """The live file ``file_id`` of ``scope``, or ``None`` (unknown, deleted, or another scope's)."""
        ...

    def delete(self, scope: str, file_id: str) -> bool:
        """Forget a file; ``False`` when ``scope`` has no such file."""
        ...

    def scan(self, scope: str) -> list[FileRecord]:
        """Every live file of ``scope``, oldest first."""
        ...

    def clear(self) -> None:
        """Forget every file of every scope."""
        ...


class MemoryFileStore:
    """:class:`FileStore` in this process's memory (the default): a dict per scope, insertion ordered."""

    def __init__(self) -> None:
        self._scopes: dict[str, dict[str, FileRecord]] = {}
        self._sequence = 0
        self._lock = threading.Lock()

    def put(self, record: FileRecord) -> FileRecord:
        """Keep ``record`` under its scope; the store numbers it."""
        with self._lock:
            self._sequence += 1
            stored = dataclasses.replace(record, sequence=self._sequence)
            self._scopes.setdefault(record.scope, {})[record.id] = stored
        return stored

    def get(self, scope: str, file_id: str) -> FileRecord | None:
        """The file, if ``scope`` holds it."""
        with self._lock:
            return self._scopes.get(scope, {}).get(file_id)

    def delete(self, scope: str, file_id: str) -> bool:
        """Forget the file; ``False`` when it is not there."""
        with self._lock:
            return self._scopes.get(scope, {}).pop(file_id, None) is not None

    def scan(self, scope: str) -> list[FileRecord]:
        """The scope's files, oldest first."""
        with self._lock:
            return list(self._scopes.get(scope, {}).values())

    def clear(self) -> None:
        """Forget everything (numbering starts again)."""
        with self._lock:
            self._scopes.clear()
            self._sequence = 0
