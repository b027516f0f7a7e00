"""``multipart/form-data`` bodies, parsed without a web framework (layer 0: stdlib only).

The Files and Skills uploads (``POST /v1/files``, ``POST /v1/skills``) are the only multipart requests of the API.
Parsing them here, rather than with aiohttp's reader at the edge, keeps the services drivable without a socket
and lets the same parser serve both rooms. A part is kept whole in memory: uploads are bounded by the route's
byte limit before they get here.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from mockclaude.model.errors import InvalidRequestError

__all__ = ["Part", "boundary_of", "parse_form"]

_PARAM = re.compile(r';\s*([A-Za-z0-9_*.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a form: its field ``name``, the ``filename`` it was sent with (``None``: a plain field),
    its declared ``Content-Type`` (``None`` when absent) and its bytes."""

    name: str
    data: bytes = field(repr=False)
    filename: str | None = None
    content_type: str | None = None

    def text(self) -> str:
        """The part's bytes as UTF-8 (a plain form field)."""
        return self.data.decode("utf-8", errors="replace")


def _params(header: str) -> tuple[str, dict[str, str]]:
    """``value; k=v; k2="v 2"`` -> ``("value", {"k": "v", "k2": "v 2"})`` (keys lower-cased, RFC 5987 decoded)."""
    value, _, rest = header.partition(";")
    params: dict[str, str] = {}
    for key, raw in _PARAM.findall(";" + rest):
        key = key.lower()
        raw = raw.strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        if key.endswith("*"):  # filename*=UTF-8''na%C3%AFve.txt wins over a plain filename
            charset, _, encoded = raw.partition("''")
            try:
                params[key[:-1]] = urllib.parse.unquote(encoded or raw, encoding=charset or "utf-8")
            except LookupError:
                params[key[:-1]] = urllib.parse.unquote(encoded or raw)
            continue
        params.setdefault(key, raw)
    return value.strip().lower(), params


def boundary_of(content_type: str | None) -> str | None:
    """The boundary of a ``multipart/form-data`` content type, ``None`` for any other type."""
    if not content_type:
        return None
    kind, params = _params(content_type)
    if kind != "multipart/form-data":
        return None
    return params.get("boundary") or None


def _headers(block: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in block.decode("utf-8", errors="replace").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip().lower()] = value.strip()
    return out


def parse_form(body: bytes, content_type: str | None) -> list[Part]:
    """Every part of a ``multipart/form-data`` body, in order; a 400 when the body is not one.

    ⚠ unconfirmed: the texts. A body that is not multipart (JSON, say) is refused as the API's form parser would
    refuse a missing field; the services name that field (``file: Field required``).
    """
    boundary = boundary_of(content_type)
    if boundary is None:
        raise InvalidRequestError("Invalid request: the body must be multipart/form-data")
    delimiter = b"--" + boundary.encode("latin-1", errors="replace")
    start = body.find(delimiter)
    if start < 0:
        raise InvalidRequestError("Invalid request: malformed multipart/form-data body")
    parts: list[Part] = []
    position = start + len(delimiter)
    while True:
        if body.startswith(b"--", position):  # the closing delimiter
            return parts
        head_start = body.find(b"\r\n", position)
        if head_start < 0:
            break
        head_end = body.find(b"\r\n\r\n", head_start)
        if head_end < 0:
            break
        headers = _headers(body[head_start + 2 : head_end])
        next_delimiter = body.find(b"\r\n" + delimiter, head_end + 4)
        if next_delimiter < 0:
            break
        data = body[head_end + 4 : next_delimiter]
        _, disposition = _params(headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is not None:
            parts.append(Part(name, data, disposition.get("filename"), headers.get("content-type")))
        position = next_delimiter + 2 + len(delimiter)
    # A body cut short (no closing delimiter): keep what arrived whole, as lenient form parsers do.
    if parts:
        return parts
    raise InvalidRequestError("Invalid request: malformed multipart/form-data body")
