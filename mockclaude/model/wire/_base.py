"""Shared bases, union tags, small objects and citations of the request models."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Discriminator, Tag


class _Wire(BaseModel):
    """Base of every request model: unknown keys are errors, as on the real API."""

    # defer_build: of the ~100 request models only the two bodies validate directly; building every class's
    # validator and serializer at import cost ~40 ms of start-up, now paid only by what is actually used.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class _Loose(BaseModel):
    """Base for beta-only structures the mock accepts but does not act on: unknown keys are kept."""

    model_config = ConfigDict(extra="allow", defer_build=True)


def _tag(v: Any) -> str | None:
    """Discriminator of block/object unions: the ``type`` key."""
    if isinstance(v, dict):
        t = v.get("type")
        return t if isinstance(t, str) else None
    t = getattr(v, "type", None)
    return t if isinstance(t, str) else None


def _tool_tag(v: Any) -> str | None:
    """Discriminator of ``tools``: ``type``, with a missing or null ``type`` meaning a custom tool."""
    if isinstance(v, dict):
        t = v.get("type")
        if t is None:
            return "custom"
        return t if isinstance(t, str) else None
    if isinstance(v, BaseModel):
        t = getattr(v, "type", None)
        return "custom" if t is None else t if isinstance(t, str) else None
    return None


TAG_FUNCTIONS = (_tag.__name__, _tool_tag.__name__)
"""Names pydantic prints in union-tag errors (``found using _tag()``); the validator shows ``'type'``."""


def _str_to_blocks(v: Any) -> Any:
    """``"hi"`` → ``[{"type": "text", "text": "hi"}]``; ``""`` → ``[]`` (an empty turn, no empty block)."""
    if isinstance(v, str):
        return [{"type": "text", "text": v}] if v else []
    return v


def _str_or_none_to_blocks(v: Any) -> Any:
    return [] if v is None else _str_to_blocks(v)


# --------------------------------------------------------------------------------------------------
# Small shared objects

Caller_ = Literal["direct", "code_execution_20250825", "code_execution_20260120", "code_execution_20260521"]


class CacheControlEphemeral(_Wire):
    """``{"type": "ephemeral", "ttl"?: "5m" | "1h"}``; ``scope`` is sent by Claude Code (beta)."""

    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"] | None = None
    # ⚠ unconfirmed: the real API accepts `scope` only with beta prompt-caching-scope-2026-01-05
    # (without it: `system.1.cache_control.ephemeral.scope: Extra inputs are not permitted`). Accepted always.
    scope: str | None = None


CacheControl: TypeAlias = Annotated[Annotated[CacheControlEphemeral, Tag("ephemeral")], Discriminator(_tag)]


class CitationsConfig(_Wire):
    enabled: bool | None = None


class DirectCaller(_Wire):
    type: Literal["direct"]


class ServerToolCaller(_Wire):
    type: Literal["code_execution_20250825", "code_execution_20260120"]
    tool_id: str


Caller: TypeAlias = Annotated[
    Annotated[DirectCaller, Tag("direct")]
    | Annotated[ServerToolCaller, Tag("code_execution_20250825")]
    | Annotated[ServerToolCaller, Tag("code_execution_20260120")],
    Discriminator(_tag),
]


# --------------------------------------------------------------------------------------------------
# Citations (request shapes plus the response-only `file_id`)


class _CitationDocument(_Wire):
    cited_text: str
    document_index: int
    document_title: str | None = None
    file_id: str | None = None


class CitationCharLocation(_CitationDocument):
    type: Literal["char_location"]
    start_char_index: int
    end_char_index: int


class CitationPageLocation(_CitationDocument):
    type: Literal["page_location"]
    start_page_number: int
    end_page_number: int


class CitationContentBlockLocation(_CitationDocument):
    type: Literal["content_block_location"]
    start_block_index: int
    end_block_index: int


class CitationWebSearchResultLocation(_Wire):
    type: Literal["web_search_result_location"]
    cited_text: str
    encrypted_index: str
    title: str | None = None
    url: str


class CitationSearchResultLocation(_Wire):
    type: Literal["search_result_location"]
    cited_text: str
    search_result_index: int
    source: str
    start_block_index: int
    end_block_index: int
    title: str | None = None


Citation: TypeAlias = Annotated[
    Annotated[CitationCharLocation, Tag("char_location")]
    | Annotated[CitationPageLocation, Tag("page_location")]
    | Annotated[CitationContentBlockLocation, Tag("content_block_location")]
    | Annotated[CitationWebSearchResultLocation, Tag("web_search_result_location")]
    | Annotated[CitationSearchResultLocation, Tag("search_result_location")],
    Discriminator(_tag),
]
