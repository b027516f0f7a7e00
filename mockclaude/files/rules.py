"""The upload rules of the Files API: file names, MIME types, sizes, expiry. Pure functions, no state.

Sources: SDK 2.17 ``types/file_upload_params.py`` ("Only the final path component of the part's `filename` is
kept; an absent or empty `filename` is replaced with `unnamed` plus the extension for the file's stored
`mime_type`, when known"; ``expires_in_seconds`` "between 3600 (one hour) and 7776000 (ninety days)"), DOCS
files.md (500 MB per file, 500 GB per organization, names of 1-255 characters without ``<>:"|?*\\/`` or
characters 0-31; the file types each content block takes).
"""

from __future__ import annotations

from mockclaude.files import texts
from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.media import image_format

__all__ = [
    "DOCUMENT_TYPES",
    "EXPIRES_MAX",
    "EXPIRES_MIN",
    "IMAGE_TYPES",
    "MAX_FILENAME",
    "MAX_FILE_BYTES",
    "QUOTA_BYTES",
    "clean_filename",
    "expires_in",
    "mime_type_of",
]

MAX_FILE_BYTES = 500 * 1024 * 1024  # DOCS "Maximum file size: 500 MB per file" (⚠ MB read as MiB)
QUOTA_BYTES = 500 * 1024**3  # DOCS "Total storage: 500 GB per organization" (2026-08; was 100 GB)
MAX_FILENAME = 255  # DOCS "length requirements (1-255 characters)"
EXPIRES_MIN, EXPIRES_MAX = 3600, 7_776_000  # SDK 2.17 docstring of expires_in_seconds
FORBIDDEN = frozenset('<>:"|?*\\/') | frozenset(chr(c) for c in range(32))
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})  # DOCS: `image` blocks
DOCUMENT_TYPES = frozenset({"application/pdf", "text/plain"})  # DOCS: `document` blocks
GENERIC = frozenset({"", "application/octet-stream", "binary/octet-stream"})

# ⚠ unconfirmed: how the API decides a file's stored type. The mock keeps the part's declared Content-Type, and
# for a generic or missing one reads the bytes (PDF and image signatures), then the name's extension, then
# calls valid UTF-8 without NUL bytes text/plain. This small table (not the host's mimetypes database, which
# differs between machines) maps the extensions.
EXTENSIONS: dict[str, str] = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".json": "application/json",
    ".html": "text/html",
    ".xml": "application/xml",
    ".py": "text/x-python",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".zip": "application/zip",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_SUFFIX_OF = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    **{mime: ext for ext, mime in EXTENSIONS.items() if ext not in (".jpeg",)},
}


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def mime_type_of(declared: str | None, filename: str | None, data: bytes) -> str:
    """The MIME type the file is stored with (see the table's comment for the order of the evidence)."""
    kind = (declared or "").split(";")[0].strip().lower()
    if kind not in GENERIC:
        return kind
    if data.startswith(b"%PDF"):
        return "application/pdf"
    sniffed = image_format(data[:64])
    if sniffed is not None:
        return sniffed
    by_name = EXTENSIONS.get(_extension(filename or ""))
    if by_name is not None:
        return by_name
    if b"\x00" not in data[:8192]:
        try:
            data[: 1024 * 1024].decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < 1024 * 1024 - 4:  # not just a character cut at the probe's end
                return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"


def clean_filename(raw: str | None, mime_type: str) -> str:
    """The name a file is stored under: the final path component, ``unnamed`` + extension when empty; a 400
    when it is too long or has a forbidden character."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        name = "unnamed" + _SUFFIX_OF.get(mime_type, "")
    if len(name) > MAX_FILENAME:
        raise InvalidRequestError(texts.filename_length(MAX_FILENAME))
    bad = next((ch for ch in name if ch in FORBIDDEN), None)
    if bad is not None:
        raise InvalidRequestError(texts.filename_forbidden(bad))
    return name


def expires_in(raw: str | None) -> int | None:
    """``expires_in_seconds`` from its form field: ``None`` when absent, else an integer in range or a 400."""
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidRequestError(texts.not_integer("expires_in_seconds")) from None
    if not EXPIRES_MIN <= value <= EXPIRES_MAX:
        raise InvalidRequestError(texts.expires_range(EXPIRES_MIN, EXPIRES_MAX, value))
    return value
