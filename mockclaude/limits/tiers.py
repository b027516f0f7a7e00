"""Rate-limit figures: the per-minute limits of Anthropic's published usage tiers, per model class (api-spec §5.5).

A limit table maps a model *line* (``opus``, ``sonnet``, ``haiku``, ``fable``, ``mythos``) to its
:class:`RateLimits`; ``"*"`` is the fallback for any line the table does not name. Presets:

* ``tier1`` ... ``tier4``: the four self-serve tiers as the rate-limits page listed them through mid-2026
  (Opus 4.x and Sonnet 4.x share one table; Haiku 4.5 has its own). Sources: docs.anthropic.com/*/api/rate-limits
  (tier 1: Opus 4.x / Sonnet 4 at 50 RPM, 30,000 ITPM, 8,000 OTPM; Haiku 50,000 / 10,000) and third-party copies of
  the tier 2-4 rows (hivebook.wiki "anthropic-api-rate-limits", aipromptshub.co "claude-rate-limits-2026").
* ``start``, ``build``, ``scale``: the June-2026 consolidation (every model aligned with Opus). ``start`` and
  ``scale`` are the figures a 2026-10 copy of the docs lists for Claude Fable 5.x (developersdigest.tech); ⚠
  unconfirmed: ``build`` is interpolated, no source lists it.

Fable / Mythos are not on the tier 1-4 tables (they arrived later): they borrow the Opus row. ⚠ unconfirmed.
Everything is configurable: pass a :class:`RateLimits` (one table for every model) or a mapping line -> limits.

Token counting (``POST /v1/messages/count_tokens``) has its own requests-per-minute limit, per organization and not
per model class (api-spec §5.5: tier 1: 100, 2: 2,000, 3: 4,000, 4: 8,000): :data:`COUNT_TOKENS_RPM` and
:func:`count_tokens_limit`. Every published figure is twice the tier's Messages RPM, so that is the rule for limits
without a published figure (the 2026 presets, custom limits) unless ``count_tokens_per_minute`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LimitTable = Mapping[str, "RateLimits"]


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Per-minute limits of one model class: requests (RPM), input tokens (ITPM), output tokens (OTPM).

    ``count_tokens_per_minute``: the token-counting RPM (see :func:`count_tokens_limit`); None: twice the RPM.
    """

    requests_per_minute: int
    input_tokens_per_minute: int
    output_tokens_per_minute: int
    count_tokens_per_minute: int | None = None

    def __post_init__(self) -> None:
        for name in ("requests_per_minute", "input_tokens_per_minute", "output_tokens_per_minute"):
            check_positive(name, getattr(self, name))
        if self.count_tokens_per_minute is not None:
            check_positive("count_tokens_per_minute", self.count_tokens_per_minute)

    @property
    def count_tokens_rpm(self) -> int:
        """The token-counting RPM these limits imply: the explicit figure, else twice the Messages RPM (the
        ratio of every published tier). ⚠ unconfirmed for limits no tier publishes."""
        return self.count_tokens_per_minute or 2 * self.requests_per_minute


def check_positive(name: str, value: object) -> None:
    """Raise ``ValueError`` unless ``value`` is a positive integer (booleans are not)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name}: must be a positive integer, got {value!r}")


def _table(opus: RateLimits, haiku: RateLimits | None = None) -> dict[str, RateLimits]:
    return {"*": opus, "opus": opus, "sonnet": opus, "haiku": haiku or opus, "fable": opus, "mythos": opus}


TIERS: dict[str, dict[str, RateLimits]] = {
    "tier1": _table(RateLimits(50, 30_000, 8_000), RateLimits(50, 50_000, 10_000)),
    "tier2": _table(RateLimits(1_000, 450_000, 90_000), RateLimits(1_000, 450_000, 90_000)),
    "tier3": _table(RateLimits(2_000, 800_000, 160_000), RateLimits(2_000, 1_000_000, 200_000)),
    "tier4": _table(RateLimits(4_000, 2_000_000, 400_000), RateLimits(4_000, 4_000_000, 800_000)),
    "start": _table(RateLimits(1_000, 500_000, 100_000)),
    "build": _table(RateLimits(2_000, 2_000_000, 400_000)),  # ⚠ unconfirmed: interpolated
    "scale": _table(RateLimits(4_000, 4_000_000, 800_000)),
}
"""Preset name -> limit table."""

COUNT_TOKENS_RPM: dict[str, int] = {
    "tier1": 100,
    "tier2": 2_000,
    "tier3": 4_000,
    "tier4": 8_000,
    # ⚠ unconfirmed: no source gives token-counting limits for the 2026 presets; twice their Messages RPM, the
    # ratio of every published tier.
    "start": 2_000,
    "build": 4_000,
    "scale": 8_000,
}
"""Preset name -> token-counting requests per minute (api-spec §5.5, §9.1)."""

# What the headers show when rate limiting is off: the Tier 4 Sonnet figures, so clients that read the headers
# see plausible numbers with room to spare.
DISPLAY_LIMITS = TIERS["tier4"]["sonnet"]


def _preset(spec: str) -> str:
    return spec.strip().lower().replace("-", "").replace("_", "")


def limit_table(spec: str | RateLimits | Mapping[str, RateLimits]) -> dict[str, RateLimits]:
    """The limit table for a preset name, ``"RPM,ITPM,OTPM"``, one :class:`RateLimits`, or a line mapping.

    The string form takes an optional fourth figure, the token-counting RPM: ``"RPM,ITPM,OTPM,COUNT_RPM"``.
    """
    if isinstance(spec, RateLimits):
        return {"*": spec}
    if isinstance(spec, str):
        name = _preset(spec)
        if name in TIERS:
            return dict(TIERS[name])
        parts = [p.strip().replace("_", "") for p in spec.split(",")]
        if len(parts) in (3, 4) and all(p.isdigit() for p in parts):
            return {"*": RateLimits(*(int(p) for p in parts))}
        raise ValueError(
            f"rate limits: expected one of {', '.join(TIERS)} or RPM,ITPM,OTPM[,COUNT_TOKENS_RPM] (e.g. 50,30000,8000); got {spec!r}"
        )
    table = dict(spec)
    for line, limits in table.items():
        if not isinstance(limits, RateLimits):
            raise ValueError(f"rate limits for {line!r}: expected RateLimits, got {type(limits).__name__}")
        if line != "*" and limits.count_tokens_per_minute is not None:
            # One token-counting bucket per organization, whatever the model: a per-line figure would be ignored.
            raise ValueError(
                f"rate limits for {line!r}: count_tokens_per_minute applies to every model; set it on the '*' row "
                "or in RateLimitConfig"
            )
    if "*" not in table:
        table["*"] = DISPLAY_LIMITS
    return table


def count_tokens_limit(spec: str | RateLimits | Mapping[str, RateLimits]) -> int:
    """The token-counting RPM for a limits spec: one figure per organization, whatever the model.

    A preset has its figure (:data:`COUNT_TOKENS_RPM`); otherwise the ``"*"`` row's ``count_tokens_rpm`` (its
    ``count_tokens_per_minute``, else twice its RPM); a mapping without ``"*"`` falls back to the display limits
    (Tier 4: 8,000). ⚠ unconfirmed: the 2x rule for limits no tier publishes.
    """
    if isinstance(spec, str) and _preset(spec) in COUNT_TOKENS_RPM:
        return COUNT_TOKENS_RPM[_preset(spec)]
    return limit_table(spec)["*"].count_tokens_rpm
