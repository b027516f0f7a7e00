"""A request after validation: what every stage after ``validate`` works from.

``validate`` builds it from raw bytes and headers; ``tokenize``, ``cache`` and ``engine`` only read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from mockclaude.model.catalog import Catalog, ModelSpec
    from mockclaude.model.wire import CountTokensParams, MessageCreateParams

ApiVersion = Literal["2023-06-01", "2026-10-21"]
ThinkingMode = Literal["disabled", "enabled", "adaptive", "between_tools"]
RequestKind = Literal["messages", "count_tokens"]


@dataclass(frozen=True, slots=True)
class Policy:
    """How strictly a server instance validates; set once from the CLI, the facade or a pytest marker."""

    catalog: Catalog
    seed: int = 0
    api_keys: frozenset[str] | None = None  # None: any non-empty key is accepted
    any_model: bool = False  # accept unknown model ids (limits of the nearest family)
    verify_signatures: bool = True  # thinking blocks sent back must carry our signature
    allow_first_assistant: bool = True  # ⚠ api-spec §13.1: first-party API accepts it since late 2024
    reject_unknown_betas: bool = (
        False  # real API 400s unknown betas; default accept (Claude Code ships new ones)
    )
    strict_extra_fields: bool = True  # unknown top-level body fields → "Extra inputs are not permitted"
    # Thinking signatures another service issued, by signature -> the thinking text they sign: recordings replay
    # the upstream's blocks verbatim, and a client sends them back next turn (engine/recorded.py fills it).
    known_signatures: Mapping[str, str] | None = field(default=None, compare=False, repr=False)
    # Both x-api-key and Authorization sent: a 401 (api-spec §0.4, the Claude API skill), or False: x-api-key wins.
    reject_both_credentials: bool = True


@dataclass(frozen=True, slots=True)
class ThinkingPlan:
    """The effective thinking configuration after the model's defaults are applied (§7.2)."""

    mode: ThinkingMode = "disabled"
    budget_tokens: int | None = None
    display: Literal["summarized", "omitted"] = "summarized"
    interleaved: bool = False  # beta interleaved-thinking-2025-05-14, or adaptive


@dataclass(frozen=True, slots=True)
class ValidatedRequest:
    """A request that passed every check the real API makes before generating."""

    kind: RequestKind
    params: (
        MessageCreateParams | CountTokensParams
    )  # messages merged, content as block lists, system as blocks
    model: ModelSpec
    api_version: ApiVersion
    api_key: str
    betas: tuple[str, ...] = ()
    thinking: ThinkingPlan = field(default_factory=ThinkingPlan)
    effort: str | None = None  # output_config.effort or the model default
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased request headers, for matchers/journal
    body: bytes = field(
        default=b"", repr=False, compare=False
    )  # as sent: recordings match its canonical form

    @property
    def reply_model(self) -> str:
        """The ``model`` of the reply: the dated snapshot for an alias of one, else the id as sent."""
        return self.model.answers_as(self.params.model)

    body_bytes: int = 0  # the size of the body it was validated from: what keeping it costs (memory bounds)
