"""Server tools (web search, web fetch, code execution): fake but well-formed inputs, results and citations.

The real API runs these tools itself and returns, in one reply, a ``server_tool_use`` block followed by its
result block (api-spec §3.2), then text whose citations point into the results (§3.3). Everything here is drawn
from the ``random.Random`` instances it is handed, so the output is a pure function of their state.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import operator
import random
import re
from collections.abc import Callable
from typing import Any

from mockclaude.clock import rfc3339
from mockclaude.engine import prose

JSON = dict[str, Any]

SERVER_TOOL_NAMES = (
    "web_search",
    "web_fetch",
    "code_execution",
    "bash_code_execution",
    "text_editor_code_execution",
    "tool_search_tool_regex",
    "tool_search_tool_bm25",
)
"""Names a ``server_tool_use`` block may carry (SDK ``ServerToolUseBlock.name``)."""

RESULT_TYPES: dict[str, str] = {
    "web_search": "web_search_tool_result",
    "web_fetch": "web_fetch_tool_result",
    "code_execution": "code_execution_tool_result",
    "bash_code_execution": "bash_code_execution_tool_result",
    "text_editor_code_execution": "text_editor_code_execution_tool_result",
    "tool_search_tool_regex": "tool_search_tool_result",
    "tool_search_tool_bm25": "tool_search_tool_result",
}
"""The result block type that follows a ``server_tool_use`` of each name."""

ERROR_CODES: dict[str, tuple[str, ...]] = {
    "web_search": (
        "invalid_tool_input",
        "unavailable",
        "max_uses_exceeded",
        "too_many_requests",
        "query_too_long",
        "request_too_large",
    ),
    "web_fetch": (
        "invalid_tool_input",
        "url_too_long",
        "url_not_allowed",
        "url_not_in_prior_context",
        "url_not_accessible",
        "unsupported_content_type",
        "too_many_requests",
        "max_uses_exceeded",
        "unavailable",
        "content_too_large",
    ),
    "code_execution": ("invalid_tool_input", "unavailable", "too_many_requests", "execution_time_exceeded"),
    "bash_code_execution": (
        "invalid_tool_input",
        "unavailable",
        "too_many_requests",
        "execution_time_exceeded",
        "output_file_too_large",
    ),
    "text_editor_code_execution": (
        "invalid_tool_input",
        "unavailable",
        "too_many_requests",
        "execution_time_exceeded",
        "file_not_found",
    ),
    "tool_search_tool_regex": (
        "invalid_tool_input",
        "unavailable",
        "too_many_requests",
        "execution_time_exceeded",
    ),
    "tool_search_tool_bm25": (
        "invalid_tool_input",
        "unavailable",
        "too_many_requests",
        "execution_time_exceeded",
    ),
}
"""Error codes of each tool's ``*_tool_result_error`` (SDK ``*_error_code.py``; §3.2)."""

ITERATION_LIMIT = 10
"""Server-tool iterations in one reply before ``stop_reason: pause_turn`` (§8.7).
⚠ unconfirmed: the threshold is not documented (api-spec §13.11); 10 is the commonly cited figure."""

CONTAINER_TTL_SECONDS = 30 * 24 * 3600  # ⚠ unconfirmed: code-execution containers expire about 30 days later

_DOMAINS = (
    ("en.wikipedia.org", "Wikipedia"),
    ("www.britannica.com", "Britannica"),
    ("www.reuters.com", "Reuters"),
    ("www.bbc.com", "BBC"),
    ("www.nature.com", "Nature"),
    ("docs.python.org", "Python documentation"),
    ("stackoverflow.com", "Stack Overflow"),
    ("arxiv.org", "arXiv"),
    ("www.theguardian.com", "The Guardian"),
    ("github.com", "GitHub"),
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_STOP = frozenset(
    re.findall(
        r"\S+",
        "a an and are can could do does for from how hows i in is it its me of on or please tell the there "
        "to what whats when where wheres which who whos why with would you your",
    )
)


def opaque(*parts: object, size: int = 96) -> str:
    """An opaque base64 token (``encrypted_content``, ``encrypted_index``): shaped like the real ones."""
    seed = "\x1f".join(map(str, parts)).encode()
    stream = b"".join(
        hashlib.blake2b(seed, digest_size=64, salt=i.to_bytes(16, "big")).digest()
        for i in range(size // 64 + 1)
    )
    return base64.b64encode(b"\x12" + bytes([size % 256]) + stream[:size]).decode()


def query_for(text: str) -> str:
    """A search query from a user question: its content words, at most 12 of them."""
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", text)
    kept = [w for w in words if w.lower().split("'")[0] not in _STOP]
    return " ".join(kept[:12]) or "latest news"


def search_results(query: str, rng: random.Random, count: int) -> list[JSON]:
    """``web_search_result`` objects for ``query``: distinct sites, titles and urls built from the query."""
    words = [re.sub(r"[^a-z0-9]+", "", w.lower()) for w in query.split()][:6]
    words = [w for w in words if w] or ["news"]
    slug = "-".join(words)
    title_words = " ".join(w.capitalize() for w in words)
    sites = rng.sample(_DOMAINS, k=min(count, len(_DOMAINS)))
    out: list[JSON] = []
    for i, (domain, site) in enumerate(sites):
        url = f"https://{domain}/{slug}" if i == 0 else f"https://{domain}/{slug}-{rng.randint(100, 9999)}"
        result: JSON = {
            "type": "web_search_result",
            "title": f"{title_words} - {site}",
            "url": url,
            "encrypted_content": opaque("content", url, query, size=rng.randint(180, 420)),
        }
        if rng.random() < 0.8:
            result["page_age"] = f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.randint(2023, 2026)}"
        else:
            result["page_age"] = None
        out.append(result)
    return out


def search_citation(result: JSON, sentence: str) -> JSON:
    """A ``web_search_result_location`` citation of ``result`` (``cited_text`` at most 150 characters)."""
    return {
        "type": "web_search_result_location",
        "cited_text": sentence[:150],
        "url": result["url"],
        "title": result["title"],
        "encrypted_index": opaque("index", result["url"], sentence, size=64),
    }


def url_for(text: str, rng: random.Random) -> str:
    """The first URL in ``text``, else a plausible one."""
    found = re.search(r"https?://[^\s<>\"')\]]+", text)
    if found:
        return found.group(0).rstrip(".,;:!?")
    domain, _ = rng.choice(_DOMAINS)
    return f"https://{domain}/{query_for(text).lower().replace(' ', '-')[:60]}"


def page_text(words: random.Random, rng: random.Random, paragraphs: int = 3) -> str:
    """Plain page text: a few paragraphs of sentences (``words`` draws the words, ``rng`` the shape)."""
    return "\n\n".join(
        " ".join(prose.sentence(words, rng.randint(8, 16)) for _ in range(rng.randint(2, 4)))
        for _ in range(paragraphs)
    )


def fetch_content(url: str, title: str, text: str, now: float, citations: bool) -> JSON:
    """The ``web_fetch_result`` object of a fetched page."""
    document: JSON = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": text},
        "title": title,
    }
    if citations:
        document["citations"] = {"enabled": True}
    return {"type": "web_fetch_result", "url": url, "retrieved_at": rfc3339(now), "content": document}


def char_citation(text: str, sentence: str, title: str) -> JSON | None:
    """A ``char_location`` citation of ``sentence`` inside a fetched document's ``text`` (document 0).

    ⚠ unconfirmed: which ``document_index`` web-fetch citations carry; 0 (the fetched document) is assumed.
    """
    start = text.find(sentence)
    if start < 0:
        return None
    return {
        "type": "char_location",
        "cited_text": sentence,
        "document_index": 0,
        "document_title": title,
        "start_char_index": start,
        "end_char_index": start + len(sentence),
        "file_id": None,
    }


_ARITH: dict[type, Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _arith(node: ast.AST) -> float | int:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        left, right = _arith(node.left), _arith(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise ValueError("exponent too large")
        value: float | int = _ARITH[type(node.op)](left, right)
        return value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _ARITH:
        value = _ARITH[type(node.op)](_arith(node.operand))
        return value
    raise ValueError("not arithmetic")


def arithmetic_in(text: str) -> tuple[str, str] | None:
    """The first arithmetic expression in ``text`` and its value (``("27 * 453", "12231")``), if any."""
    for candidate in re.findall(
        r"[-+(]*\d[\d\s.+\-*/%()]*\d\)*|\d+", text.replace("×", "*").replace("^", "**")
    ):
        expr = candidate.strip()
        if not re.search(r"[+\-*/%]", expr):
            continue
        try:
            value = _arith(ast.parse(expr, mode="eval").body)
        except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, TypeError):
            continue
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        return expr, str(value)
    return None


def code_for(text: str, rng: random.Random) -> tuple[str, str]:
    """``(python code, its stdout)`` answering ``text``: its arithmetic when it has some, else a small script."""
    found = arithmetic_in(text)
    if found is not None:
        expr, value = found
        return f"result = {expr}\nprint(result)", value + "\n"
    n = rng.randint(5, 12)
    values = [rng.randint(1, 100) for _ in range(n)]
    code = f"data = {values}\nprint(f'mean={{sum(data) / len(data):.2f}} max={{max(data)}}')"
    return code, f"mean={sum(values) / n:.2f} max={max(values)}\n"


def code_result(name: str, stdout: str, stderr: str = "", return_code: int = 0) -> JSON:
    """The result object of ``code_execution`` (``code_execution_result``) or ``bash_code_execution``."""
    kind = "bash_code_execution_result" if name == "bash_code_execution" else "code_execution_result"
    return {"type": kind, "stdout": stdout, "stderr": stderr, "return_code": return_code, "content": []}


def error_content(name: str, code: str) -> JSON:
    """The ``*_tool_result_error`` object a failed server tool returns (inside a 200 reply)."""
    kind = RESULT_TYPES.get(name, "web_search_tool_result") + "_error"
    return {"type": kind, "error_code": code}


def result_block(name: str, tool_use_id: str, content: Any) -> JSON:
    """The result block answering a ``server_tool_use`` named ``name``."""
    return {
        "type": RESULT_TYPES.get(name, "web_search_tool_result"),
        "tool_use_id": tool_use_id,
        "content": content,
    }


def container(container_id: str, now: float) -> JSON:
    """The reply's ``container`` object after code execution ran (§3.1)."""
    return {"id": container_id, "expires_at": rfc3339(now + CONTAINER_TTL_SECONDS), "skills": None}


def code_tool_name(tool_type: str) -> str:
    """The ``server_tool_use`` name a code-execution tool version uses: the 2025-05-22 version runs Python
    directly (``code_execution``); later versions run commands through ``bash_code_execution``.

    # ⚠ unconfirmed: that every version after 2025-05-22 answers with bash_code_execution (documented for
    # code_execution_20250825; assumed for the 2026 versions).
    """
    return "code_execution" if tool_type == "code_execution_20250522" else "bash_code_execution"
