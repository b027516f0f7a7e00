"""The API's error classes: one small class per ``error.type``, each with its real HTTP status.

Domain code raises these; only the server edge turns them into the wire shape
``{"type": "error", "error": {"type", "message"}, "request_id"}`` (DESIGN.md rule 1).
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    """Base class: an error the real API would answer with ``status`` and ``error_type``."""

    status: ClassVar[int] = 500
    error_type: ClassVar[str] = "api_error"
    default_message: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.details = details
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def body(self, request_id: str | None) -> dict[str, Any]:
        """The JSON error body as the real API sends it."""
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"type": "error", "error": error, "request_id": request_id}


class InvalidRequestError(ApiError):
    """400: the request is malformed or breaks a rule of the API."""

    status = 400
    error_type = "invalid_request_error"
    default_message = "Invalid request"


class AuthenticationError(ApiError):
    """401: missing or wrong credentials."""

    status = 401
    error_type = "authentication_error"
    default_message = "invalid x-api-key"


class BillingError(ApiError):
    """402: a billing or payment problem."""

    status = 402
    error_type = "billing_error"
    default_message = "Your credit balance is too low to access the Anthropic API."


class PermissionError_(ApiError):
    """403: the key may not use this resource."""

    status = 403
    error_type = "permission_error"
    default_message = "Your API key does not have permission to use the specified resource."


class NotFoundError(ApiError):
    """404: unknown route, model or object."""

    status = 404
    error_type = "not_found_error"
    default_message = "The requested resource could not be found."


class ConflictError(ApiError):
    """409: concurrent modification."""

    status = 409
    error_type = "conflict_error"
    default_message = "Conflict"


class RequestTooLargeError(ApiError):
    """413: the body is over the byte limit (Cloudflare answers this before the API)."""

    status = 413
    error_type = "request_too_large"
    default_message = "Request exceeds the maximum allowed number of bytes."


class RateLimitError(ApiError):
    """429: a rate limit was hit."""

    status = 429
    error_type = "rate_limit_error"
    default_message = "Number of request tokens has exceeded your per-minute rate limit"


class InternalServerError(ApiError):
    """500: the service failed."""

    status = 500
    error_type = "api_error"
    default_message = "Internal server error"


class TimeoutError_(ApiError):
    """504: the request timed out while processing."""

    status = 504
    error_type = "timeout_error"
    default_message = "Request timed out"


class OverloadedError(ApiError):
    """529: the service is temporarily overloaded."""

    status = 529
    error_type = "overloaded_error"
    default_message = "Overloaded"


class UnsupportedMediaTypeError(ApiError):
    """415: a body in a format the route does not take (the mock's admin routes take JSON only)."""

    status = 415
    error_type = "invalid_request_error"
    default_message = "Unsupported Media Type"


class MethodNotAllowedError(ApiError):
    """405 for a wrong method on a known route, in the same error shape, with an ``Allow`` header.

    ``invalid_request_error``: the route exists, the request is wrong (it was ``not_found_error``, which told a
    client the route does not exist). ⚠ unconfirmed: the real edge's type for a 405."""

    status = 405
    error_type = "invalid_request_error"
    default_message = "Method Not Allowed"


ERROR_CLASSES: dict[str, type[ApiError]] = {
    cls.error_type: cls
    for cls in (
        InvalidRequestError,
        AuthenticationError,
        BillingError,
        PermissionError_,
        NotFoundError,
        ConflictError,
        RequestTooLargeError,
        RateLimitError,
        InternalServerError,
        TimeoutError_,
        OverloadedError,
    )
}
"""``error.type`` -> class, for scripts and faults that name an error by type."""
