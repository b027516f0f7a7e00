"""``validate_request``: raw body and headers in, a :class:`ValidatedRequest` or a typed API error out.

Order (api-spec §1.4, end): body size (Cloudflare, 413) → auth (401) → ``anthropic-version`` → JSON →
body shape (pydantic) → model lookup (404) → ``anthropic-beta`` → semantic rules. Token limits
(``prompt is too long``) are the pipeline's, after counting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import ValidationError

from mockclaude.model.errors import InvalidRequestError, RequestTooLargeError
from mockclaude.model.jsonbody import MAX_JSON_DEPTH, loads
from mockclaude.model.request import ApiVersion, Policy, RequestKind, ValidatedRequest
from mockclaude.model.wire import (
    FIELDS_COUNT_TOKENS,
    FIELDS_MESSAGES,
    SAMPLING_FIELDS,
    TAG_FUNCTIONS,
    CountTokensParams,
    MessageCreateParams,
)
from mockclaude.validate.blocks import check_blocks
from mockclaude.validate.conversation import check_conversation, check_system_text, merge
from mockclaude.validate.counting import check_countable
from mockclaude.validate.headers import authenticate, check_version, parse_betas
from mockclaude.validate.rules import check_params

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "format_error",
    "loads",
    "parse_body",
    "parse_json",
    "validate_request",
]

MAX_BODY_BYTES = 32 * 1024 * 1024  # Messages and count_tokens (§1.3 "Size limits")


def validate_request(
    body: bytes,
    headers: Mapping[str, str],
    policy: Policy,
    *,
    kind: RequestKind = "messages",
) -> ValidatedRequest:
    """Check a request the way the real API does; raise the first error it would report.

    ``headers`` must have lower-cased names. The returned ``params`` are normalised: string ``content`` and
    ``system`` are block lists, and consecutive same-role messages are merged into one turn.
    """
    if len(body) > MAX_BODY_BYTES:
        raise RequestTooLargeError()
    api_key = authenticate(headers, policy)
    version = check_version(headers)
    params = parse_body(body, kind, version, policy)
    spec = policy.catalog.require(params.model, any_model=policy.any_model)
    betas = parse_betas(headers, policy)
    plan, effort = check_params(params, spec, version, betas)
    if params.system:
        check_system_text(params.system)
    check_conversation(params.messages, spec, version, plan, policy, generating=kind == "messages")
    check_blocks(params, spec, policy)
    if kind == "count_tokens":
        check_countable(params)  # server tools, the MCP connector, url/file sources (validate/counting.py)
    merged = merge(params.messages)
    if len(merged) != len(params.messages):
        params = params.model_copy(update={"messages": merged})
    return ValidatedRequest(
        kind=kind,
        params=params,
        model=spec,
        api_version=version,
        api_key=api_key,
        betas=betas,
        thinking=plan,
        effort=effort,
        headers={name.lower(): value for name, value in headers.items()},  # lower-cased, as documented
        body=body,
        body_bytes=len(body),
    )


def parse_json(body: bytes) -> Any:
    """The body parsed as JSON, or the 400 the API answers for one that is not (every JSON endpoint's first step).

    Real text (3P captures): "The request body is not valid JSON: no low surrogate in string: line 1 column 37589
    (char 37588)", orjson's own messages after the prefix. Nesting is limited to :data:`MAX_JSON_DEPTH` levels.
    """
    try:
        return loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestError(f"The request body is not valid JSON: {exc}") from None


def parse_body(
    body: bytes, kind: RequestKind, version: ApiVersion, policy: Policy
) -> MessageCreateParams | CountTokensParams:
    """JSON parse plus pydantic validation, with the real API's texts for both."""
    data = parse_json(body)
    model: type[MessageCreateParams] | type[CountTokensParams]
    model, fields = (
        (MessageCreateParams, FIELDS_MESSAGES)
        if kind == "messages"
        else (CountTokensParams, FIELDS_COUNT_TOKENS)
    )
    removed: list[str] = []
    if isinstance(data, dict):
        if version == "2026-10-21":
            # 2026-10-21 dropped the sampling fields from the schema: "temperature: Extra inputs are not
            # permitted", even for the default value (3P captures, 2026-10).
            removed = [k for k in data if k in SAMPLING_FIELDS]
            if removed:
                data = {k: v for k, v in data.items() if k not in SAMPLING_FIELDS}
        if not policy.strict_extra_fields:
            data = {k: v for k, v in data.items() if k in fields}
    try:
        params = model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        first = errors[0]
        if removed and _is_top_level_extra(first):
            # Extras are reported in input order; a removed sampling key may come before this one.
            order = {k: i for i, k in enumerate(_keys(body))}
            extras = [str(e["loc"][0]) for e in errors if _is_top_level_extra(e)]
            key = min([*extras, *removed], key=lambda k: order.get(k, 0))
            raise InvalidRequestError(f"{key}: Extra inputs are not permitted") from None
        raise InvalidRequestError(format_error(first)) from None
    if removed:
        raise InvalidRequestError(f"{removed[0]}: Extra inputs are not permitted")
    return params


def _is_top_level_extra(error: Any) -> bool:
    return error["type"] == "extra_forbidden" and len(error["loc"]) == 1


def _keys(body: bytes) -> list[str]:
    data = orjson.loads(body)
    return list(data) if isinstance(data, dict) else []


def format_error(error: Any) -> str:
    """One pydantic error in the API's form: ``<loc joined with '.'>: <msg>``."""
    msg: str = error["msg"]
    kind = error["type"]
    if kind in ("model_type", "model_attributes_type", "dataclass_type"):
        msg = "Input should be a valid dictionary"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        for name in TAG_FUNCTIONS:
            msg = msg.replace(f" {name}()", " 'type'")
    loc = ".".join(str(part) for part in error["loc"])
    return f"{loc}: {msg}" if loc else msg
