"""The inspector's admin routes: the page, its live events, one entry in full, one conversation.

The page is ``static/inspector.html`` with its stylesheet and script inlined when first served (one response, so
a browser that was given ``?token=`` needs nothing else it cannot authenticate), under a Content-Security-Policy
that allows exactly those two inline hashes and connections to this origin.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib import resources

from aiohttp import web

from mockclaude.model.errors import InvalidRequestError, NotFoundError
from mockclaude.pipeline import Pipeline
from mockclaude.server.admin.base import admin_route
from mockclaude.server.inspector import events, views
from mockclaude.server.respond import json_response

Hdrs = dict[str, str]


def _asset(name: str) -> str:
    return resources.files("mockclaude.server.inspector").joinpath("static", name).read_text("utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@functools.cache
def page() -> tuple[str, str]:
    """The page with its CSS and JS inlined, and the Content-Security-Policy that admits exactly them."""
    css, js = _asset("inspector.css"), _asset("inspector.js")
    html = _asset("inspector.html")
    html = html.replace("/*INSPECTOR_CSS*/", css).replace("/*INSPECTOR_JS*/", js)
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_sha256(js)}",
            f"style-src {_sha256(css)}",
            "connect-src 'self'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return html, policy


@admin_route("GET", "/ui", query_token=True)
async def get_ui(request: web.Request, pipeline: Pipeline, headers: Hdrs) -> web.StreamResponse:
    """``GET /_mock/ui``: the live inspector (``?token=`` carries the admin token for a browser)."""
    html, policy = page()
    out = {
        **headers,
        "Content-Security-Policy": policy,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    return web.Response(text=html, content_type="text/html", charset="utf-8", headers=out)


@admin_route("GET", "/events")
async def get_events(request: web.Request, pipeline: Pipeline, headers: Hdrs) -> web.StreamResponse:
    """``GET /_mock/events``: server-sent events: journal summaries as they are recorded, and the state."""
    return await events.stream(request, pipeline, headers)


@admin_route("GET", "/ui/entries/{index}")
async def get_entry(request: web.Request, pipeline: Pipeline, headers: Hdrs) -> web.StreamResponse:
    """``GET /_mock/ui/entries/{index}``: one journal entry in full (``views.detail``), 404 once dropped."""
    raw = request.match_info["index"]
    if not raw.isdigit():
        raise InvalidRequestError("index: Input should be a valid integer")
    index = int(raw)
    entry = next((e for e in reversed(pipeline.journal.entries()) if e.index == index), None)
    if entry is None:
        raise NotFoundError(f"journal entry: {index}")
    return json_response(views.detail(entry, pipeline), headers)


@admin_route("GET", "/ui/thread")
async def get_thread(request: web.Request, pipeline: Pipeline, headers: Hdrs) -> web.StreamResponse:
    """``GET /_mock/ui/thread?session=KEY``: one conversation's turns (``views.thread``); ``&after=N``: only
    those of requests after index N."""
    session = request.query.get("session")
    if not session:
        raise InvalidRequestError("session: Field required")
    after = request.query.get("after", "-1")
    if not after.lstrip("-").isdigit():
        raise InvalidRequestError("after: Input should be a valid integer")
    thread = views.thread(pipeline.journal.entries(), session, pipeline, after=int(after))
    return json_response(thread, headers)
