"""Redaction: what is taken out of a recording before anything touches the disk.

- Headers that carry credentials or identify the account (``x-api-key``, ``authorization``, cookies,
  ``anthropic-organization-id``...) keep their name and lose their value.
- Secrets seen at run time (the client's key, the upstream key, the organisation id the upstream answered with)
  are replaced wherever they appear: header values, request and response bodies, stream events. Bodies matter
  as much as headers: a 429 message names the organisation, a prompt may quote a key.
- Patterns: Anthropic key shapes and bearer tokens by default, plus the user's regular expressions; and JSON
  paths (``$.metadata.user_id``) whose whole value goes, in request and response bodies and event data alike.

Everything redacted reads ``[REDACTED]``; in a recorded request that matches any text (engine/canonical.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mockclaude.engine.canonical import REDACTED
from mockclaude.engine.jsonpath import Steps, parse_json_path, replaced

SECRET_HEADERS = frozenset(
    {
        "x-api-key",
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "anthropic-organization-id",
        "x-goog-api-key",
        "api-key",
    }
)
"""Header names whose values are never written."""
DEFAULT_PATTERNS = (
    r"sk-ant-[A-Za-z0-9_\-]{8,}",  # Anthropic API and admin keys
    r"(?i)\bbearer\s+[A-Za-z0-9._~+/\-]{8,}=*",  # a bearer token quoted anywhere
)
"""Patterns redacted in every recording."""
MIN_SECRET = 8
"""Literal secrets shorter than this are not searched for in bodies (a short test key would eat ordinary words);
they still never reach the disk through a header."""


class Redactor:
    """Applies the redaction rules to headers and JSON values. ``add_secret`` learns a value at run time."""

    def __init__(self, patterns: Iterable[str] = (), paths: Iterable[str] = ()) -> None:
        self.patterns = tuple(dict.fromkeys([*DEFAULT_PATTERNS, *patterns]))
        self._compiled = [re.compile(p) for p in self.patterns]
        self.paths = tuple(paths)
        self._steps: list[Steps] = []
        for path in self.paths:
            steps = parse_json_path(path)
            if steps is None:
                raise ValueError(f'not a JSON path: {path!r} (use $.key, [n], [*], ["key"])')
            self._steps.append(steps)
        self._secrets: set[str] = set()
        self._secret_re: re.Pattern[str] | None = None

    @property
    def user_patterns(self) -> tuple[str, ...]:
        """The patterns beyond the defaults (what a cassette's ``recording.redact`` keeps)."""
        return tuple(p for p in self.patterns if p not in DEFAULT_PATTERNS)

    def add_secret(self, value: str | None) -> None:
        """Redact this literal value from now on (keys, the organisation id); short values are ignored."""
        if value is None:
            return
        for part in {value.strip(), *_token(value)}:
            if len(part) >= MIN_SECRET and part not in self._secrets:
                self._secrets.add(part)
                self._secret_re = None

    def text(self, value: str) -> str:
        """``value`` with every secret and pattern replaced."""
        if self._secrets:
            if self._secret_re is None:
                alternatives = sorted(self._secrets, key=len, reverse=True)
                self._secret_re = re.compile("|".join(re.escape(s) for s in alternatives))
            value = self._secret_re.sub(REDACTED, value)
        for pattern in self._compiled:
            value = pattern.sub(REDACTED, value)
        return value

    def value(self, value: Any) -> Any:
        """A JSON value with every string redacted (mapping keys included)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def body(self, value: Any) -> Any:
        """A JSON body: the redacted paths replaced whole, then every string redacted."""
        for steps in self._steps:
            value = replaced(value, steps, REDACTED)
        return self.value(value)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Headers (names lower-cased): secret ones keep only their name, the others are redacted as text."""
        out: dict[str, str] = {}
        for name, value in headers.items():
            lower = name.lower()
            out[lower] = REDACTED if lower in SECRET_HEADERS else self.text(value)
        return out


def _token(value: str) -> list[str]:
    """The credential inside a header value: ``Bearer sk-…`` holds ``sk-…``."""
    parts = value.split()
    return [parts[-1]] if len(parts) == 2 and parts[0].lower() in ("bearer", "basic") else []
