"""Raw HTTP for tests that must send what no SDK sends (old header styles, malformed JSON, oversize bodies)."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Response:
    """Status, lower-cased headers and body of one exchange."""

    status: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self) -> Any:
        return json.loads(self.content)


DEFAULT_HEADERS = {
    "x-api-key": "sk-test",
    "anthropic-version": "2023-06-01",
    "content-type": "application/json",
}


def request(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    default_headers: bool = True,
    timeout: float = 30.0,
) -> Response:
    """One request on a fresh connection; ``json_body`` is serialised, ``body`` sent as is."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    all_headers = dict(DEFAULT_HEADERS) if default_headers else {}
    all_headers.update(headers or {})
    payload = json.dumps(json_body).encode() if json_body is not None else body
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, path or "/", body=payload, headers=all_headers)
        resp = conn.getresponse()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def post(url: str, **kwargs: Any) -> Response:
    """``request("POST", ...)``."""
    return request("POST", url, **kwargs)
