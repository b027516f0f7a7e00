"""Credentials in request headers, and how every output shows them: cut to a short prefix.

The journal, reply templates (``{{ headers.x-api-key }}``) and matcher reasons (the strict-mode error, near
misses, ``assert_called``) all read headers through here, so no answer, journal entry or report carries a whole
key, token or cookie.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["SECRET_HEADERS", "is_secret", "redact", "redact_headers"]

SECRET_HEADERS = frozenset(
    {
        "x-api-key",
        "authorization",
        "proxy-authorization",
        "x-admin-token",
        "cookie",
        "set-cookie",
        "x-auth-token",
    }
)
"""Header names (lower-case) whose values are credentials."""
_KEEP = 6


def is_secret(name: str) -> bool:
    """Whether the header ``name`` carries a credential."""
    return name.lower() in SECRET_HEADERS


def redact(value: str) -> str:
    """A credential cut to a short prefix: ``sk-ant-api03-…`` -> ``sk-ant…``; ``Bearer`` prefixes survive."""
    scheme, _, token = value.partition(" ")
    if token and scheme.lower() in ("bearer", "basic"):
        return f"{scheme} {redact(token)}"
    keep = min(_KEEP, len(value) // 2)
    return value[:keep] + "…"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers with lower-cased names and every credential redacted."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        out[key] = redact(value) if key in SECRET_HEADERS else value
    return out
