"""Reading a JSON text cut short, as the SDKs' stream accumulators read a tool call's ``input_json_delta`` pieces.

A ``max_tokens`` cut inside a tool call leaves the streamed ``partial_json`` unfinished (api-spec §8.5). The
Python SDK parses the pieces with ``jiter.from_json(buf, partial_mode=True)``; the non-streaming reply must hold
the same ``input`` (``create(...)`` equals ``stream(...).get_final_message()``), so :func:`parse_partial` gives
what jiter gives, without jiter at run time: an unfinished string, number or literal is left out with its key;
unfinished arrays and objects keep what is complete in them.

:func:`complete_members` is the cut the API streams by default: each parameter value is buffered until it is
complete, so a value ``max_tokens`` cuts short never reaches the stream.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["complete_members", "parse_partial"]

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
_WS = " \t\n\r"


class _Cut(Exception):
    """The text ended inside a value that yields nothing (a string, number or literal)."""


class _Reader:
    """A recursive-descent reader that stops at the end of the text instead of failing."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.cut = False  # set when the text ended inside a value (even one that still yields something)

    def _skip(self) -> bool:
        """Skip whitespace; whether any text is left (when none is, the value being read was cut)."""
        while self.pos < len(self.text) and self.text[self.pos] in _WS:
            self.pos += 1
        if self.pos < len(self.text):
            return True
        self.cut = True
        return False

    def value(self) -> Any:
        if not self._skip():
            raise _Cut
        ch = self.text[self.pos]
        if ch == "{":
            return self._object()
        if ch == "[":
            return self._array()
        if ch == '"':
            return self._string()
        return self._scalar()

    def _object(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        self.pos += 1
        while True:
            if not self._skip():
                return out
            ch = self.text[self.pos]
            if ch == "}":
                self.pos += 1
                return out
            if ch == ",":
                self.pos += 1
                continue
            try:
                key = self._string()
                if not self._skip():
                    return out
                if self.text[self.pos] != ":":
                    raise ValueError(f"expected ':' at {self.pos}")
                self.pos += 1
                out[key] = self.value()
            except _Cut:
                return out  # the member was cut short: left out

    def _array(self) -> list[Any]:
        out: list[Any] = []
        self.pos += 1
        while True:
            if not self._skip():
                return out
            ch = self.text[self.pos]
            if ch == "]":
                self.pos += 1
                return out
            if ch == ",":
                self.pos += 1
                continue
            try:
                out.append(self.value())
            except _Cut:
                return out

    def _string(self) -> str:
        text, start = self.text, self.pos
        if text[start] != '"':
            raise ValueError(f"expected a string at {start}")
        i = start + 1
        while i < len(text):
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                self.pos = i + 1
                decoded: str = json.loads(text[start : i + 1])
                return decoded
            i += 1
        self.cut = True
        raise _Cut

    def _scalar(self) -> Any:
        text, start = self.text, self.pos
        end = start
        while end < len(text) and text[end] not in _WS + ",]}":
            end += 1
        token = text[start:end]
        self.pos = end
        self.cut = self.cut or (end == len(text) and token not in _LITERALS)  # "12" may go on as "123"
        if token in _LITERALS:
            return _LITERALS[token]
        if _NUMBER.fullmatch(token):
            return float(token) if any(c in token for c in ".eE") else int(token)
        if end == len(text) and any(name.startswith(token) for name in _LITERALS):
            raise _Cut  # "tru" at the end
        if end == len(text) and (_NUMBER.fullmatch(token + "0") or _NUMBER.fullmatch(token + "1")):
            raise _Cut  # "-", "1.", "1e", "1e+" at the end
        raise ValueError(f"not JSON at {start}: {token[:20]!r}")


def parse_partial(text: str) -> Any:
    """The value of a JSON text that may be cut short (``jiter``'s ``partial_mode=True``); ``{}`` for ``""``.

    Raises ``ValueError`` for text that is not a prefix of JSON.
    """
    if not text.strip():
        return {}
    try:
        return _Reader(text).value()
    except _Cut:
        return {}


def complete_members(text: str) -> str:
    """The longest prefix of a cut JSON object that ends right after a complete top-level member's value (no
    trailing comma), or ``""`` when no member is complete. A complete object comes back whole.

    A number ending the text counts as cut (``12`` may be the start of ``123``).
    """
    reader = _Reader(text)
    if not reader._skip() or text[reader.pos] != "{":
        return ""
    reader.pos += 1
    kept = ""
    while reader._skip():
        ch = text[reader.pos]
        if ch == "}":
            return text
        if ch == ",":
            reader.pos += 1
            continue
        try:
            reader._string()
            if not reader._skip():
                break
            reader.pos += 1  # the colon
            reader.value()
        except _Cut:
            break
        if reader.cut:
            break
        kept = text[: reader.pos]
    return kept
