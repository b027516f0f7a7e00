"""Core of the ``/_mock`` control plane: the route registry, request helpers and the access guard."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from mockclaude.model.errors import (
    AuthenticationError,
    InvalidRequestError,
    PermissionError_,
    UnsupportedMediaTypeError,
)
from mockclaude.pipeline import Pipeline
from mockclaude.server.respond import method_not_allowed, read_body
from mockclaude.validate.request import parse_json

AdminHandler = Callable[[web.Request, Pipeline, dict[str, str]], Awaitable[web.StreamResponse]]
Wrapper = Callable[[AdminHandler], Callable[[web.Request], Awaitable[web.StreamResponse]]]

PREFIX = "/_mock"
ROUTES: list[
    tuple[str, str, AdminHandler]
] = []  # (method, path under PREFIX, handler), in registration order


# Paths whose GET may carry the admin token as ``?token=`` (a page a browser opens: it cannot send a header).
QUERY_TOKEN_PATHS: set[str] = set()


def admin_route(
    method: str, path: str, *, query_token: bool = False
) -> Callable[[AdminHandler], AdminHandler]:
    """Register ``handler`` for ``method`` on ``/_mock{path}`` (mounted by :func:`register_admin`);
    ``query_token``: the admin token is also accepted as ``?token=`` (the inspector's page only)."""

    def register(handler: AdminHandler) -> AdminHandler:
        ROUTES.append((method.upper(), path, handler))
        if query_token:
            QUERY_TOKEN_PATHS.add(path)
        return handler

    return register


async def _method_not_allowed(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    raise method_not_allowed(request)


def register_admin(app: web.Application, wrap: Wrapper) -> None:
    """Mount every registered admin route on ``app``; ``wrap`` is the app's endpoint wrapper."""
    by_path: dict[str, list[tuple[str, AdminHandler]]] = {}
    for method, path, handler in ROUTES:
        by_path.setdefault(path, []).append((method, handler))
    for path, handlers in by_path.items():
        resource = app.router.add_resource(PREFIX + path)
        for method, handler in handlers:
            resource.add_route(method, wrap(_guarded(handler, query_token=path in QUERY_TOKEN_PATHS)))
        resource.add_route("*", wrap(_guarded(_method_not_allowed)))


# -- request helpers ------------------------------------------------------------------------------------------


async def json_object(request: web.Request, allowed: frozenset[str] | None) -> dict[str, Any]:
    """The body as a JSON object whose keys are all in ``allowed`` (an empty body is ``{}``; ``None``: any keys,
    checked by the caller). A body must be sent as ``application/json`` (415 otherwise): the content types a web
    page may send to another site without asking first (forms, ``text/plain``) never reach an admin route."""
    raw = await read_body(request)  # over 32 MB: the 413 in the API's error shape
    if not raw.strip():
        return {}
    mime = request.content_type.lower()
    if mime != "application/json" and not mime.endswith("+json"):
        raise UnsupportedMediaTypeError(
            f"mockclaude admin routes take JSON bodies only: send Content-Type: application/json (got {mime[:80]!r})"
        )
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise InvalidRequestError("The request body must be a JSON object")
    for key in data:
        if allowed is not None and key not in allowed:
            raise InvalidRequestError(f"{key}: Extra inputs are not permitted")
    return data


def _number(data: dict[str, Any], name: str, *, minimum: float | None = None) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequestError(f"{name}: Input should be a valid number")
    if minimum is not None and value < minimum:
        raise InvalidRequestError(f"{name}: Input should be greater than or equal to {minimum:g}")
    return float(value)


def _int_query(request: web.Request, name: str, default: int, minimum: int = 1) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequestError(f"{name}: Input should be a valid integer") from None
    if value < minimum:
        raise InvalidRequestError(f"{name}: Input should be greater than or equal to {minimum}")
    return value


def _model_query(request: web.Request, pipeline: Pipeline) -> str | None:
    """``?model=`` as a canonical id (aliases accepted)."""
    name = request.query.get("model")
    if name is None:
        return None
    spec = pipeline.policy.catalog.resolve(name)
    return spec.id if spec is not None else name


# -- access ---------------------------------------------------------------------------------------------------

Req = web.Request
Out = web.StreamResponse
Hdrs = dict[str, str]


def _is_loopback(remote: str | None) -> bool:
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1
    return address.is_loopback


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
"""Host and Origin names the admin routes always answer (besides ``*.localhost`` and every 127.x address)."""


def _name_allowed(name: str, extra: frozenset[str]) -> bool:
    name = name.strip().lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost") or name in extra:
        return True
    return _is_loopback(name)


def _host_name(host: str) -> str:
    """The name of a ``Host`` value: ``[::1]:8080`` -> ``::1``, ``localhost:8080`` -> ``localhost``."""
    host = host.strip()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def check_browser(request: web.Request, token: str | None, extra: frozenset[str] = frozenset()) -> None:
    """Refuse what only a web page does (403): an ``Origin`` that is not a loopback (or allowed) name, a page on
    another site calling in; and, without an admin token, a ``Host`` that is not one, the mark of DNS rebinding
    (a page whose name now points at 127.0.0.1). With a token, remote callers may use any name: the token, which
    no page knows, is the guard. A request without either header (curl, the SDKs) passes."""
    host = request.headers.get("host")
    if host is not None and not token and not _name_allowed(_host_name(host), extra):
        raise PermissionError_(
            f"mockclaude admin routes answer loopback host names only, not Host {host[:100]!r} "
            "(serve --allow-host NAME adds one)"
        )
    origin = request.headers.get("origin")
    if origin is not None:
        name = urlsplit(origin.strip()).hostname if "://" in origin else None
        if name is None or not _name_allowed(name, extra):
            raise PermissionError_(
                f"mockclaude admin routes do not answer web pages of other sites (Origin {origin[:100]!r}); "
                "serve --allow-host NAME allows one"
            )


def authorize(
    request: web.Request,
    token: str | None,
    extra_hosts: frozenset[str] = frozenset(),
    *,
    query_token: bool = False,
) -> None:
    """Let the caller steer the mock, or raise: with a token, only callers that send it (401); without one,
    only loopback callers (403), so a server bound to a public address cannot be scripted by strangers; and
    never a web page of another site (:func:`check_browser`). ``query_token``: a ``?token=`` in the URL counts
    as sent (for a page a browser opens)."""
    check_browser(request, token, extra_hosts)
    if token:
        sent = request.headers.get("x-admin-token")
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if sent is None and scheme.lower() == "bearer":
            sent = value.strip()
        if sent is None and query_token:
            sent = request.query.get("token")
        if sent is None or not hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), token.encode()):
            raise AuthenticationError(
                "mockclaude admin routes need the admin token: Authorization: Bearer <token> or x-admin-token"
            )
    elif not _is_loopback(request.remote):
        raise PermissionError_(
            "mockclaude admin routes answer loopback callers only; start the server with --admin-token to "
            "allow others"
        )


def _guarded(handler: AdminHandler, *, query_token: bool = False) -> AdminHandler:
    async def guarded(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
        settings = pipeline.settings
        authorize(request, settings.admin_token, settings.allowed_hosts, query_token=query_token)
        return await handler(request, pipeline, headers)

    guarded.__doc__ = handler.__doc__
    return guarded
