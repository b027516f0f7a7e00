"""The ``/_mock/...`` control plane: what a test in any language, or a CI job, uses to steer a running mock.

Routes register themselves with :func:`admin_route`; :func:`register_admin` mounts them all on an app with the
app's own endpoint wrapper (request id, base headers, errors in the Anthropic shape). A wrong method on a known
admin path answers 405. Bodies are JSON objects; bad input answers 400 ``invalid_request_error``.

Routes (DESIGN.md rule 9):

==========================  =========================================================================
``GET /_mock/clock``         the mock's time: ``{"now": <epoch seconds>, "time": "<RFC 3339>"}``
``POST /_mock/clock/advance`` ``{"seconds": N}`` (also ``minutes`` / ``hours``): move time forward, no waiting
``POST /_mock/clock/set``     ``{"timestamp": <epoch seconds>}`` or ``{"time": "<RFC 3339>"}``: jump
``GET /_mock/cache``          prompt-cache counters, entries per scope, live entries (``?api_key=&model=&limit=``)
``DELETE /_mock/cache``       delete entries (all, or ``?api_key=`` / ``?model=``): ``{"deleted": n}``
``GET /_mock/usage``          tokens and USD per API key and model, with what caching saved (``?api_key=&model=``)
``DELETE /_mock/usage``       reset the usage totals
``GET /_mock/stubs``          the stubs in matching order: ``{"data": [...]}``
``POST /_mock/stubs``         add one stub (a script file's stub entry) or ``{"stubs": [...]}``: ``{"data": [...]}``
``DELETE /_mock/stubs[/ID]``  remove every stub, or one: ``{"deleted": n}``
``POST /_mock/script``        load ``{"path": FILE_OR_DIR}`` (``"replace": true`` reloads it) or ``{"script": {...}}``
``GET /_mock/journal``        requests and what was served: ``{"data": [...], "total": n}`` (``?limit=&unmatched=``)
``GET /_mock/journal/unmatched`` requests no stub matched, each with its near misses
``POST /_mock/journal/search`` ``{"match": {...}}``: the matching requests and why the others miss (assert_called)
``DELETE /_mock/journal``     forget the journal
``POST /_mock/reset``         everything back to a fresh instance; optional ``{"seed", "strict", "any_model", ...}``
``GET|POST /_mock/seed``      ``{"seed": N}``; changing it rebuilds (resets) the mock
``POST /_mock/strict``        ``{"strict": true}``: unmatched requests get a 400 naming the nearest stubs
``GET /_mock/strict``         ``{"strict": bool}``
``GET|POST /_mock/chaos``     ``{"chaos": 0.2}``: the share of Messages requests that fail (0: off), no reset
``GET /_mock/limits``         the rate-limit buckets per (API key, model class): limit, remaining, full at
``GET /_mock/ui``             the live inspector page (server/inspector; ``?token=`` for a browser)
``GET /_mock/events``         server-sent events: journal summaries as recorded, and the state (the page's feed)
``GET /_mock/ui/entries/{i}`` one journal entry in full: stub or rule, near misses, cost, SSE events
``GET /_mock/ui/thread``      ``?session=KEY``: one conversation's turns
``GET /_mock/scenarios``      ``{"scenarios": {name: state}}``; ``POST`` ``{"name", "state"}`` sets one
``DELETE /_mock/scenarios``   back to their start state (all, or ``?name=``)
``GET /_mock/check``          what a test's ``check()`` fails on: ``{"ok": bool, "problems": [...]}``
``POST /_mock/files``         ``{"api_key", "filename", "content"|"content_base64", ...}``: a tool-created file
==========================  =========================================================================

Access (every route above; ``/_mock/health`` is open): without ``Settings.admin_token`` (``serve
--admin-token``) only loopback callers are answered (403 otherwise); with it, only callers that send it as
``Authorization: Bearer <token>`` or ``x-admin-token: <token>`` (401 otherwise), wherever they connect from. The
inspector's page alone also takes it as ``?token=`` (a browser cannot add a header to a link it opens).
"""

from __future__ import annotations

# Importing the route modules registers their routes (each decorates its handlers with ``admin_route``); the
# inspector's (server/inspector) register when server/app.py imports it.
from mockclaude.server.admin import control, rooms, state
from mockclaude.server.admin.base import PREFIX, ROUTES, admin_route, authorize, register_admin

__all__ = ["PREFIX", "ROUTES", "admin_route", "authorize", "control", "register_admin", "rooms", "state"]
