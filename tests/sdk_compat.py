"""What the official Python SDK raises for a transport failure, by release line.

The fault tests assert what a client sees, and on purpose that changed in anthropic 2.17.0 (CHANGELOG §2.17.0,
"mid-stream connection drops raise APIConnectionError"; ``_streaming.py::iter_response_bytes``): a connection that
breaks part-way through a body, or a read that times out after the headers, used to surface as the transport's own
exception (httpx2's ``RemoteProtocolError`` / ``ReadTimeout``, which is no ``anthropic.APIError``) and is now wrapped
in ``anthropic.APIConnectionError`` / ``anthropic.APITimeoutError``. Neither line re-sends such a stream. Keeping
the table here lets the tests hold for the locked SDK and for every 2.x the ranges in pyproject.toml admit.
"""

from __future__ import annotations

import anthropic
import httpx2

SDK_VERSION: tuple[int, ...] = tuple(
    int(part) for part in anthropic.__version__.split(".")[:3] if part.isdigit()
)

#: 2.17.0 wraps a failed body read in the SDK's own errors.
WRAPS_BODY_ERRORS = SDK_VERSION >= (2, 17)

#: A connection dropped after the headers, while the body (an SSE stream or a JSON body) is read.
BODY_DROP_ERROR: type[Exception] = (
    anthropic.APIConnectionError if WRAPS_BODY_ERRORS else httpx2.RemoteProtocolError
)

#: The client's read timeout tripping after the headers (a stalled stream).
BODY_TIMEOUT_ERROR: type[Exception] = anthropic.APITimeoutError if WRAPS_BODY_ERRORS else httpx2.ReadTimeout
