"""Header-level facts about images and PDFs, read without decoding whole files (layer 0: stdlib only).

The validator uses these for the limits the real API enforces on media (api-spec §1.4, §2.1): the decoded
size of a base64 payload, an image's pixel dimensions and real format, and a PDF's page count. Every
function is total: malformed input gives ``None`` / ``0``, never an exception.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct

__all__ = [
    "b64_prefix",
    "decoded_base64_size",
    "image_format",
    "image_size",
    "pdf_page_count",
]

_PNG_SIG = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) are not frames.
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_WS = re.compile(r"\s+")


def decoded_base64_size(b64: str) -> int:
    """Bytes that ``b64`` decodes to, computed from its length (whitespace and padding excluded)."""
    if "\n" in b64 or " " in b64 or "\r" in b64 or "\t" in b64:
        b64 = _WS.sub("", b64)
    n = len(b64)
    pad = 0
    if n and b64[-1] == "=":
        pad = 2 if n > 1 and b64[-2] == "=" else 1
    return max(0, (n * 3) // 4 - pad)


def b64_prefix(b64: str, nbytes: int) -> bytes:
    """The first ``nbytes`` (or fewer) decoded bytes of ``b64``; ``b""`` when it is not valid base64."""
    chars = -(-nbytes // 3) * 4
    head = b64[:chars]
    if len(head) < chars:
        head = head.rstrip()
        head += "=" * (-len(head) % 4)
    try:
        return base64.b64decode(head, validate=False)[:nbytes]
    except (binascii.Error, ValueError):
        return b""


def image_format(data: bytes) -> str | None:
    """The media type the bytes really are (``image/png`` …), or ``None`` when unrecognised."""
    if data.startswith(_PNG_SIG):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from a PNG, JPEG, GIF or WebP header; ``None`` if unknown or truncated."""
    try:
        kind = image_format(data)
        if kind == "image/png":
            if len(data) >= 24 and data[12:16] == b"IHDR":
                w, h = struct.unpack(">II", data[16:24])
                return int(w), int(h)
            return None
        if kind == "image/gif":
            if len(data) >= 10:
                w, h = struct.unpack("<HH", data[6:10])
                return int(w), int(h)
            return None
        if kind == "image/webp":
            return _webp_size(data)
        if kind == "image/jpeg":
            return _jpeg_size(data)
    except (struct.error, IndexError):
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        # 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height (2 scale bits each).
        if data[23:26] != b"\x9d\x01\x2a":
            return None
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        if data[20] != 0x2F:
            return None
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # stand-alone markers
            i += 2
            continue
        if marker == 0xD9:  # end of image before any frame
            return None
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _JPEG_SOF:
            if i + 9 > n:
                return None
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(w), int(h)
        if length < 2:
            return None
        i += 2 + length
    return None


_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", re.S)


def pdf_page_count(data: bytes) -> int:
    """Pages in a PDF, best effort: the ``/Type /Page`` objects, else the largest ``/Count`` of a
    ``/Pages`` node (files whose page tree sits in compressed object streams give 0)."""
    if not data.startswith(b"%PDF"):
        return 0
    pages = len(_PAGE.findall(data))
    if pages:
        return pages
    best = 0
    for m in _COUNT.finditer(data):
        best = max(best, int(m.group(1) or m.group(2) or 0))
    return best
