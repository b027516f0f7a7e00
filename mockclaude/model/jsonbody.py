"""Parsing JSON with a bound on nesting: every request body, script file and tool-call argument string.

Standard library and orjson only (layer 0), so the validator, the journal and the script reader share it.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["MAX_JSON_DEPTH", "loads"]

MAX_JSON_DEPTH = 200
"""The deepest nesting of arrays and objects a request body may have. orjson parses 1,024 levels but serialises
only 254, so a body nested deeper than that (tool input, a schema, content) made every later answer that shows
it (the reply, ``GET /_mock/journal``) a 500; 200 leaves room for the envelopes the mock wraps bodies in and for
the recursive readers of tool input. ⚠ unconfirmed: the real API's limit (orjson's own is 1,024, and its text
past that is the one this mirrors: "depth limit exceeded: line 1 column N (char N-1)")."""
_PAD = 1024 - MAX_JSON_DEPTH  # orjson's own depth limit, minus ours: the levels a padded parse adds


def loads(body: bytes | str) -> Any:
    """``orjson.loads`` that also refuses a body nested deeper than :data:`MAX_JSON_DEPTH` (``JSONDecodeError``
    "depth limit exceeded", with the position in ``body``). A body with fewer brackets than the limit is parsed
    once as is; otherwise it is parsed once inside ``_PAD`` more arrays, so orjson's own depth check (C, no second
    walk) says whether it is too deep."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body  # orjson judges the bytes
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return orjson.loads(raw)
    try:
        data = orjson.loads(b"[" * _PAD + raw + b"]" * _PAD)
    except orjson.JSONDecodeError as exc:
        if "depth limit exceeded" not in str(exc):
            return orjson.loads(raw)  # another error: orjson's own text and position for the body as sent
        raise _shifted(exc, raw) from None
    for _ in range(_PAD):
        data = data[0]
    return data


def _shifted(exc: orjson.JSONDecodeError, raw: bytes) -> orjson.JSONDecodeError:
    """The depth error of a padded parse, its position moved back into the body as sent."""
    return orjson.JSONDecodeError(exc.msg, raw.decode("utf-8", "replace"), max(exc.pos - _PAD, 0))
