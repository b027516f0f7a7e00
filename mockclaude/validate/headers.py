"""Request headers: credentials, ``anthropic-version`` and ``anthropic-beta`` (api-spec §0.4).

Every function takes the request headers with lower-cased names.
"""

from __future__ import annotations

from collections.abc import Mapping

from mockclaude.model.errors import AuthenticationError, InvalidRequestError
from mockclaude.model.request import ApiVersion, Policy

__all__ = ["KNOWN_BETAS", "KNOWN_VERSIONS", "authenticate", "check_version", "parse_betas"]

KNOWN_VERSIONS: dict[str, ApiVersion] = {
    "2023-06-01": "2023-06-01",
    "2026-10-21": "2026-10-21",
    # The initial version is still accepted by the API; its only differences are in the legacy
    # streaming format, so the mock serves it with 2023-06-01 semantics. ⚠ unconfirmed for Messages.
    "2023-01-01": "2023-06-01",
}

KNOWN_BETAS: frozenset[str] = frozenset(
    {
        # anthropic 2.12.0 types/anthropic_beta_param.py
        "computer-use-2024-10-22",
        "computer-use-2025-01-24",
        "computer-use-2025-11-24",
        "output-128k-2025-02-19",
        "mcp-client-2025-04-04",
        "mcp-client-2025-11-20",
        "mcp-client-2026-09-15",
        "dev-full-thinking-2025-05-14",
        "interleaved-thinking-2025-05-14",
        "code-execution-2025-05-22",
        "context-1m-2025-08-07",
        "context-management-2025-06-27",
        "model-context-window-exceeded-2025-08-26",
        "fast-mode-2026-02-01",
        "output-300k-2026-03-24",
        "user-profiles-2026-03-24",
        "user-profiles-2026-08-18",
        "user-profiles-2026-09-04",
        "user-profiles-billing-2026-10-01",
        "advisor-tool-2026-03-01",
        "managed-agents-2026-04-01",
        "dreaming-2026-04-21",
        "thinking-token-count-2026-05-13",
        "server-side-fallback-2026-06-01",
        "server-side-fallback-2026-07-01",
        "fallback-credit-2026-06-01",
        "fallback-credit-2026-07-01",
        "agent-memory-2026-07-22",
        "mid-conversation-tool-changes-2026-07-01",
        "mid-conversation-output-config-2026-07-01",
        "mid-conversation-system-clear-at-2026-08-21",
        "compact-2026-01-12",
        "compact-2026-09-04",
        "mcp-tunnels-2026-06-22",
        "structured-outputs-2025-11-13",
        "task-budgets-2026-03-13",
        "thinking-display-updates-2026-08-18",
        "thinking-binding-controls-2026-08-01",
        "inline-tools-2026-09-15",
        "ce-plugins-2026-09-01",
        "spend-limit-reads-2026-09-26",
        "telemetry-destinations-2026-08-11",
        "webhooks-2026-10-07",
        "admin-user-sign-out-2026-10-08",
        "message-threads-2026-08-12",
        "analytics-usage-cost-2026-08-24",
        "experimental-claude-tag-2026-10-21",
        "message-batches-2024-09-24",
        "prompt-caching-2024-07-31",
        "pdfs-2024-09-25",
        "token-counting-2024-11-01",
        "token-efficient-tools-2025-02-19",
        "files-api-2025-04-14",
        "extended-cache-ttl-2025-04-11",
        "skills-2025-10-02",
        "cache-diagnosis-2026-04-07",
        "ce-user-management-2026-07-13",
        "ce-claude-code-managed-settings-2026-10-06",
        # anthropic 2.17.0 adds these two (found by make drift)
        "efs-2026-10-01",
        "google-managed-data-controls-2026-09-01",
        # Sent by Claude Code (api-spec §0.4, clients.md §4), not listed by the SDK.
        "claude-code-20250219",
        "oauth-2025-04-20",
        "prompt-caching-scope-2026-01-05",
        "mid-conversation-system-2026-04-07",
        "effort-2025-11-24",
        "fine-grained-tool-streaming-2025-05-14",
        "per-turn-control-2026-07-01",
        "advanced-tool-use-2025-11-20",
        "web-fetch-2025-09-10",
        "search-results-2025-06-09",
        "tool-search-tool-2025-10-19",
    }
)


def authenticate(headers: Mapping[str, str], policy: Policy) -> str:
    """The API key the request carries, or 401.

    Accepts ``x-api-key: <key>`` or ``authorization: Bearer <key>``. Both at once are a 401 (api-spec §0.4: the
    Claude API skill, "Both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN set — the SDK sends both headers and the
    API rejects the request"; the text is unknown) unless ``policy.reject_both_credentials`` is off, when
    ``x-api-key`` wins (what a 3P probe of SDK 2.x observed in 2026-11) ⚠ unconfirmed.
    """
    if (
        policy.reject_both_credentials
        and (headers.get("x-api-key") or "").strip()
        and headers.get("authorization")
    ):
        # ⚠ unconfirmed: the real text.
        raise AuthenticationError("x-api-key and Authorization headers were both sent: send one of them")
    api_key = headers.get("x-api-key")
    if api_key is not None:
        api_key = api_key.strip()
        if not api_key:
            api_key = None
    if api_key is not None:
        if policy.api_keys is not None and api_key not in policy.api_keys:
            raise AuthenticationError("invalid x-api-key")
        return api_key
    auth = headers.get("authorization")
    if auth is not None:
        scheme, _, token = auth.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            # ⚠ unconfirmed: a malformed Authorization header is answered like a wrong token.
            raise AuthenticationError("Invalid bearer token")
        if policy.api_keys is not None and token not in policy.api_keys:
            raise AuthenticationError("Invalid bearer token")
        return token
    raise AuthenticationError("x-api-key header is required")


def check_version(headers: Mapping[str, str]) -> ApiVersion:
    """The ``anthropic-version`` the request asks for, or 400."""
    raw = headers.get("anthropic-version")
    if raw is None or not raw.strip():
        raise InvalidRequestError("anthropic-version: header is required")
    version = KNOWN_VERSIONS.get(raw.strip())
    if version is None:
        # Real text (3P captures, 2026): anthropic-version: "2023-10-01" is not a valid version
        raise InvalidRequestError(f'anthropic-version: "{raw}" is not a valid version')
    return version


def parse_betas(headers: Mapping[str, str], policy: Policy) -> tuple[str, ...]:
    """``anthropic-beta`` split on commas, stripped, empties dropped, duplicates kept once in order.

    Unknown names are rejected only with ``policy.reject_unknown_betas`` (the real API rejects them, but
    Claude Code ships new names every few weeks).
    """
    raw = headers.get("anthropic-beta")
    if not raw:
        return ()
    betas = tuple(dict.fromkeys(b.strip() for b in raw.split(",") if b.strip()))
    if policy.reject_unknown_betas:
        unknown = [b for b in betas if b not in KNOWN_BETAS]
        if unknown:
            # ⚠ unconfirmed: how several unknown values are joined (one value: 3P verbatim).
            names = ", ".join(f"`{b}`" for b in unknown)
            raise InvalidRequestError(
                f"Unexpected value(s) {names} for the `anthropic-beta` header. "
                "Please consult our documentation."
            )
    return betas
