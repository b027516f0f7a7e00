"""The Files API as a service: upload, list, retrieve, download, delete. No HTTP here.

Files belong to the organization of the API key that uploaded them (DOCS files.md: "scoped to the workspace of
the API key"); the mock treats every API key as its own organization, so another key's file is not found.
Ids derive from ``(seed, key, content, name, occurrence)``, so the same uploads in the same order give the same
ids in every run, and an id always names the same bytes (the token counter memoises by it).

Time comes from the injected clock: a file uploaded with ``expires_in_seconds`` expires when the mock's clock
passes ``expires_at``; its metadata stays listed, its content is gone (404 ``file_expired``).
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from mockclaude import ids
from mockclaude.clock import Clock, rfc3339
from mockclaude.files import rules, texts
from mockclaude.files.store import FileRecord, FileStore, MemoryFileStore
from mockclaude.model.errors import InvalidRequestError, NotFoundError, RequestTooLargeError
from mockclaude.model.multipart import parse_form
from mockclaude.model.paging import check_limit, cursor_page, page_token, token_position

__all__ = ["MAX_IDS", "UPLOAD_BODY_BYTES", "Files", "metadata"]

JSON = dict[str, Any]
MAX_IDS = 100  # SDK 2.17 files.list(ids=...): "At most 100 entries (after de-duplication)"
# The multipart envelope around a 500 MB file: headers and boundaries. Bodies over this are refused unread.
UPLOAD_BODY_BYTES = rules.MAX_FILE_BYTES + 64 * 1024


def metadata(record: FileRecord) -> JSON:
    """The ``FileMetadata`` object (key order of the DOCS upload example, then ``expires_at``)."""
    return {
        "id": record.id,
        "type": "file",
        "filename": record.filename,
        "mime_type": record.mime_type,
        "size_bytes": record.size_bytes,
        "created_at": rfc3339(record.created_at, micro=True),
        "downloadable": record.downloadable,
        "expires_at": rfc3339(record.expires_at, micro=True) if record.expires_at is not None else None,
    }


class Files:
    """Every file of one mock instance, per organization (API key), behind a :class:`FileStore`."""

    def __init__(
        self,
        seed: int,
        clock: Clock,
        store: FileStore | None = None,
        *,
        max_file_bytes: int = rules.MAX_FILE_BYTES,
        quota_bytes: int = rules.QUOTA_BYTES,
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.store: FileStore = store if store is not None else MemoryFileStore()
        self.max_file_bytes = max_file_bytes
        self.quota_bytes = quota_bytes  # per organization; lower it in a test to see the quota error
        self._occurrences: dict[str, int] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every file (ids start again from the first)."""
        with self._lock:
            self._occurrences.clear()
        self.store.clear()

    # -- creating -------------------------------------------------------------------------------------------
    def upload(self, scope: str, body: bytes, content_type: str | None) -> FileRecord:
        """``POST /v1/files``: the ``file`` part of a multipart body (and ``expires_in_seconds``), stored."""
        parts = parse_form(body, content_type)
        file_part = next((p for p in parts if p.name == "file"), None)
        if file_part is None:
            raise InvalidRequestError(texts.missing_file())
        expires_field = next((p for p in parts if p.name == "expires_in_seconds"), None)
        seconds = rules.expires_in(expires_field.text() if expires_field is not None else None)
        mime_type = rules.mime_type_of(file_part.content_type, file_part.filename, file_part.data)
        filename = rules.clean_filename(file_part.filename, mime_type)
        return self.add(
            scope, file_part.data, filename=filename, mime_type=mime_type, expires_in_seconds=seconds
        )

    def add(
        self,
        scope: str,
        data: bytes,
        *,
        filename: str,
        mime_type: str | None = None,
        downloadable: bool = False,
        expires_in_seconds: int | None = None,
    ) -> FileRecord:
        """Store ``data`` as a file of ``scope``: the size and quota rules, then a fresh id.

        Uploads are never downloadable; ``downloadable=True`` stands for a file a skill or the code execution
        tool created (``mock.add_file``, ``POST /_mock/files``), the only kind the API lets one download.
        """
        if len(data) > self.max_file_bytes:
            raise RequestTooLargeError(texts.too_large(self.max_file_bytes))
        used = sum(record.size_bytes for record in self.store.scan(scope))
        if used + len(data) > self.quota_bytes:
            raise InvalidRequestError(texts.quota_exceeded(), details=texts.quota_details())
        kind = mime_type or rules.mime_type_of(None, filename, data)
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        key = f"{scope}\x00{digest}\x00{filename}\x00{kind}"
        with self._lock:
            occurrence = self._occurrences.get(key, 0)
            self._occurrences[key] = occurrence + 1
        now = self.clock.now()
        record = FileRecord(
            id=ids.make_id("file", self.seed, scope, digest, filename, kind, occurrence),
            scope=scope,
            filename=filename,
            mime_type=kind,
            created_at=now,
            data=data,
            downloadable=downloadable,
            expires_at=now + expires_in_seconds if expires_in_seconds is not None else None,
        )
        return self.store.put(record)

    # -- reading --------------------------------------------------------------------------------------------
    def get(self, scope: str, file_id: str) -> FileRecord:
        """The file's record (expired ones too: their metadata stays), or 404."""
        record = self.store.get(scope, file_id)
        if record is None:
            raise NotFoundError(texts.not_found(file_id))
        return record

    def expired(self, record: FileRecord) -> bool:
        """Whether the file's ``expires_at`` has passed on the mock's clock."""
        return record.expires_at is not None and self.clock.now() >= record.expires_at

    def usable(self, scope: str, file_id: str) -> FileRecord:
        """A file whose content a request may use (Messages, downloads): 404 when unknown or expired."""
        record = self.get(scope, file_id)
        if self.expired(record):
            raise NotFoundError(texts.expired(file_id), details=texts.expired_details())
        return record

    def download(self, scope: str, file_id: str) -> FileRecord:
        """``GET /v1/files/{id}/content``: 400 ``file_not_downloadable`` for uploads (checked first ⚠)."""
        record = self.get(scope, file_id)
        if not record.downloadable:
            raise InvalidRequestError(
                texts.not_downloadable(file_id), details=texts.not_downloadable_details()
            )
        return self.usable(scope, file_id)

    def contents(self, scope: str, file_id: str) -> tuple[str, bytes] | None:
        """``(mime_type, bytes)`` of a live file, ``None`` otherwise: what the token counter reads."""
        record = self.store.get(scope, file_id)
        return None if record is None else (record.mime_type, record.data)

    def delete(self, scope: str, file_id: str) -> None:
        """``DELETE /v1/files/{id}``: forget it; 404 when there is no such file."""
        if not self.store.delete(scope, file_id):
            raise NotFoundError(texts.not_found(file_id))

    def page(
        self,
        scope: str,
        *,
        file_ids: list[str] | None = None,
        limit: int | None = None,
        page: str | None = None,
        after_id: str | None = None,
        before_id: str | None = None,
        legacy: bool = False,
    ) -> JSON:
        """``GET /v1/files``: newest first (⚠ unconfirmed order), ``limit`` (1-1000, default 20) per page.

        The GA page is ``{"data", "next_page"}``, paged with ``page`` tokens; ``ids`` restricts it to those files,
        silently leaving out the ones not found. With ``legacy`` (the request sent the old beta header
        ``files-api-2025-04-14``, SDK 2.17 CHANGELOG: "Requests that still send those headers on raw HTTP keep
        receiving the beta shapes") it is ``{"data", "has_more", "first_id", "last_id"}``, paged with
        ``after_id`` / ``before_id``.
        """
        records = list(reversed(self.store.scan(scope)))  # newest first
        if file_ids is not None:
            if page is not None or limit is not None:
                raise InvalidRequestError(texts.ids_exclusive())
            wanted = list(dict.fromkeys(file_ids))
            if len(wanted) > MAX_IDS:
                raise InvalidRequestError(texts.ids_too_many(MAX_IDS))
            chosen = set(wanted)
            return _page_json([r for r in records if r.id in chosen], has_more=False, legacy=legacy)
        size = check_limit(20 if limit is None else limit)
        by_id = {record.id: record.sequence for record in records}

        def at(name: str, cursor: str | None) -> int | None:
            if cursor is None:
                return None
            if cursor not in by_id:
                raise InvalidRequestError(texts.bad_cursor(name, cursor))
            return -by_id[cursor]

        after = at("after_id", after_id)
        if page is not None:
            position = token_position("f", page)
            if position is None:
                raise InvalidRequestError(texts.bad_cursor("page", page))
            after = -position
        chunk, has_more = cursor_page(
            records, lambda r: -r.sequence, after=after, before=at("before_id", before_id), limit=size
        )
        return _page_json(chunk, has_more=has_more, legacy=legacy)


def _page_json(chunk: list[FileRecord], *, has_more: bool, legacy: bool) -> JSON:
    data = [metadata(record) for record in chunk]
    if legacy:
        first, last = (chunk[0].id, chunk[-1].id) if chunk else (None, None)
        return {"data": data, "has_more": has_more, "first_id": first, "last_id": last}
    return {"data": data, "next_page": page_token("f", chunk[-1].sequence) if has_more and chunk else None}
