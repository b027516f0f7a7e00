"""Every message the Files API answers with, in one place, each with its source or a ⚠ where it is a guess.

Sources: DOCS https://platform.claude.com/docs/en/build-with-claude/files ("Error handling", fetched 2026-08):
the statuses of the common errors and the 404 body ``File `file_011C…` not found.``; the SDK 2.17 error classes
(``_error_classes.py``): ``400 file_not_downloadable``, ``404 file_expired``, ``400 storage_quota_exceeded``,
with their ``error.details.error_code``. The other wordings are not captured anywhere public: they were chosen to
read like the confirmed ones, and are easy to change here.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "bad_cursor",
    "block_type_mismatch",
    "expired",
    "expired_details",
    "expires_range",
    "filename_forbidden",
    "filename_length",
    "ids_exclusive",
    "ids_too_many",
    "missing_file",
    "not_downloadable",
    "not_downloadable_details",
    "not_found",
    "not_integer",
    "quota_details",
    "quota_exceeded",
    "too_large",
]


def not_found(file_id: str) -> str:
    """404 ``not_found_error``: an unknown, deleted or other organization's file (DOCS files.md, verbatim)."""
    return f"File `{file_id}` not found."


def not_downloadable(file_id: str) -> str:
    """400 ``file_not_downloadable`` on ``GET /v1/files/{id}/content`` for an uploaded file.

    ⚠ unconfirmed wording; DOCS: "Files you upload have "downloadable": false and cannot be downloaded. Only files
    created by skills or the code execution tool can be downloaded".
    """
    return (
        f"File `{file_id}` cannot be downloaded: only files created by skills or the code execution tool "
        "can be downloaded."
    )


def not_downloadable_details() -> dict[str, Any]:
    """``error.details`` of the 400 above (SDK 2.17 ``FileNotDownloadableErrorDetails``)."""
    return {"error_code": "file_not_downloadable"}


def expired(file_id: str) -> str:
    """404 ``file_expired``: the file's ``expires_at`` has passed. ⚠ unconfirmed wording (SDK docstring: "The
    file's `expires_at` has passed, so its content is no longer available.")."""
    return f"File `{file_id}` has expired: its content is no longer available."


def expired_details() -> dict[str, Any]:
    """``error.details`` of the 404 above (SDK 2.17 ``FileExpiredErrorDetails``)."""
    return {"error_code": "file_expired"}


def missing_file() -> str:
    """400: an upload without a ``file`` part. ⚠ unconfirmed (pydantic's text for a missing form field)."""
    return "file: Field required"


def too_large(limit: int) -> str:
    """413 ``request_too_large``: the file is over 500 MB (DOCS "File too large (413)"). ⚠ unconfirmed wording."""
    return f"File exceeds the maximum allowed size of {limit // (1024 * 1024)} MB."


def quota_exceeded() -> str:
    """400 ``storage_quota_exceeded`` (SDK 2.17; DOCS "Storage limit exceeded (400)"). ⚠ unconfirmed wording,
    from the SDK docstring: "The organization's file storage quota is exhausted. Delete files to free up space,
    then retry the upload."."""
    return (
        "Your organization's file storage quota is exhausted. Delete files to free up space, "
        "then retry the upload."
    )


def quota_details() -> dict[str, Any]:
    """``error.details`` of the 400 above."""
    return {"error_code": "storage_quota_exceeded"}


def filename_length(limit: int) -> str:
    """400: a file name over the limit (DOCS: "length requirements (1-255 characters)"). ⚠ wording."""
    return f"filename: String should have at most {limit} characters"


def filename_forbidden(char: str) -> str:
    """400: a file name with a forbidden character (DOCS: ``<``, ``>``, ``:``, ``"``, ``|``, ``?``, ``*``,
    ``\\``, ``/`` or Unicode characters 0-31). ⚠ wording."""
    shown = char if char.isprintable() else f"U+{ord(char):04X}"
    return f"filename: Invalid filename: contains the forbidden character {shown!r}"


def not_integer(name: str) -> str:
    """400: a form field that should be an integer (pydantic's text)."""
    return f"{name}: Input should be a valid integer, unable to parse string as an integer"


def expires_range(low: int, high: int, value: int) -> str:
    """400: ``expires_in_seconds`` outside 3600..7776000 (SDK 2.17 docstring gives the range; pydantic's text)."""
    if value < low:
        return f"expires_in_seconds: Input should be greater than or equal to {low}"
    return f"expires_in_seconds: Input should be less than or equal to {high}"


def ids_exclusive() -> str:
    """400: ``ids`` with ``page`` or ``limit`` (SDK 2.17: "Mutually exclusive with `page` and `limit`"). ⚠."""
    return "ids: cannot be combined with `page` or `limit`"


def ids_too_many(limit: int) -> str:
    """400: more than 100 distinct ``ids`` (SDK 2.17: "At most 100 entries (after de-duplication)"). ⚠."""
    return f"ids: List should have at most {limit} items after validation"


def bad_cursor(name: str, value: str) -> str:
    """400: a ``page`` / ``after_id`` / ``before_id`` this mock never handed out. ⚠ unconfirmed."""
    return f"{name}: Invalid page cursor: {value}"


def block_type_mismatch(path: str, file_id: str, mime_type: str, block: str) -> str:
    """400 in Messages: a file whose type its block cannot take (DOCS "Invalid file type (400): The file type
    doesn't match the content block type (for example, using an image file in a document block)"). ⚠ wording."""
    return (
        f"{path}.source: File `{file_id}` has MIME type `{mime_type}`, which is not supported "
        f"in a `{block}` block."
    )
