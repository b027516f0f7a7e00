"""The shape of a model entry: :class:`ModelSpec`, its vocabularies, and strict validation of entry dicts.

Entries come from ``data/models.json``, from a user's models file (``mockclaude serve --models FILE``) or from
:meth:`mockclaude.model.catalog.Catalog.add`; all go through :func:`build_spec`, so a typo fails loudly, naming
the source, the model and the key.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "CAPABILITY_PATHS",
    "DEFAULT_LIFECYCLES",
    "EFFORT_LEVELS",
    "LIFECYCLES",
    "LINES",
    "THINKING_TYPES",
    "CatalogError",
    "ModelSpec",
    "build_spec",
]


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What the mock knows about one model (one entry of ``data/models.json``)."""

    id: str  # canonical id, e.g. "claude-sonnet-4-5-20250929" or "claude-sonnet-4-6"
    aliases: tuple[str, ...]  # e.g. ("claude-sonnet-4-5",)
    display_name: str
    created_at: str  # RFC 3339
    line: str  # haiku | sonnet | opus | fable | mythos
    family: str  # generation key, e.g. "sonnet-4-5", "opus-4-7"
    context_window: int  # max input tokens (max_input_tokens in the Models API)
    max_output_tokens: int
    cache_min_tokens: int  # minimum cacheable prefix (§6.3)
    thinking_types: frozenset[str]  # subset of {"enabled","adaptive","disabled","between_tools"}
    thinking_default: str  # "disabled" | "adaptive" : what happens when `thinking` is omitted
    thinking_display_default: str  # "summarized" | "omitted"
    effort_levels: frozenset[str]  # empty = effort unsupported
    effort_default: str | None
    sampling: str  # "legacy" (all accepted), "one_of" (temperature+top_p together 400),
    # "removed" (non-default → 400 under 2023-06-01)
    prefill: bool  # assistant prefill allowed
    system_messages: bool  # role:"system" inside messages allowed (§1.3)
    forced_tool_choice: bool  # tool_choice any/tool allowed
    token_ratio: float  # multiplier on the base tokenizer's counts (new tokenizer ≈ 1.3, §11)
    context_exceeded_stop: (
        bool  # 4.5+: input+max_tokens over window → stop_reason model_context_window_exceeded
    )
    tool_overhead: tuple[int, int]  # tool-use system prompt tokens (auto/none, any/tool), §11
    price_input: float  # USD per million input tokens
    price_output: float  # USD per million output tokens
    cache_read_multiplier: float = 0.1
    # Thinking blocks of earlier assistant turns stay in context and count as input (Opus 4.5+, Sonnet 4.6+,
    # Fable, Mythos); otherwise the API strips them and only the current turn's thinking counts (§2.2, §9.1).
    keeps_thinking: bool = False
    # Image downscaling limits (§11): the long edge in pixels, and how many 28x28-pixel patches an image may
    # cover before it is scaled down (1568 patches ≈ 1.23 MP, "~1,600 tokens"; high-res models 2576 px and
    # 4784 patches ≈ 3.75 MP). See mockclaude.tokenize.media for how the limits reproduce the docs' table.
    image_max_edge: int = 1568
    image_max_patches: int = 1568
    output_tokens_per_second: float = 60.0  # latency model (issue 7)
    time_to_first_token_ms: float = 600.0
    retired: bool = False
    lifecycle: str = "active"  # active | deprecated | retired
    deprecated_at: str | None = None
    retires_at: str | None = None
    # Models API capability paths reported as unsupported (see CAPABILITY_PATHS); everything else is true.
    unsupported_capabilities: frozenset[str] = frozenset()
    # Free data: "notes" from the JSON, "base" for add()ed models, "inferred_from" for any_model ids.
    # Left out of the hash so a spec stays hashable.
    extra: dict[str, object] = field(default_factory=dict, hash=False)

    def answers_as(self, sent: str) -> str:
        """The ``model`` a reply carries when a request named this model ``sent``.

        An alias of a dated snapshot answers with the snapshot id, as the real API does (``claude-haiku-4-5`` ->
        ``claude-haiku-4-5-20251001``); anything else is echoed as sent: the id itself, an undated id (for the 4.6
        generation onward the dateless id is the snapshot, api-spec §10), an alias of an undated gateway model,
        and an ``any_model`` id.

        ⚠ unconfirmed by Anthropic's docs (api-spec §13.13); observed on the live API by a third party (promptfoo
        PR #10483, 2026-08: ``claude-sonnet-4-5`` -> ``claude-sonnet-4-5-20250929``), and the docs say an alias
        before the 4.6 generation "resolves to the dated ID" (api-spec §10).
        """
        return self.id if sent in self.aliases and _DATED.search(self.id) else sent


_DATED = re.compile(r"-\d{8}$")  # a snapshot date ending an id: claude-sonnet-4-5-20250929
LINES = frozenset({"haiku", "sonnet", "opus", "fable", "mythos"})
THINKING_TYPES = ("enabled", "adaptive", "disabled", "between_tools")  # Models API key order (§9.2)
EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")
LIFECYCLES = frozenset({"active", "deprecated", "retired"})
DEFAULT_LIFECYCLES = frozenset({"active", "deprecated"})  # §9.2: retired only when asked
_STRATEGIES = ("clear_thinking_20251015", "clear_tool_uses_20250919", "compact_20260112")
# Dotted Models API capability paths a model may list in ``unsupported_capabilities``.
_FLAGS = ("batch", "citations", "code_execution", "image_input", "pdf_input", "structured_outputs")
CAPABILITY_PATHS = frozenset(
    [*_FLAGS, "context_management"]
    + [f"context_management.{name}" for name in _STRATEGIES]
    + ["server_tools.code_execution", "server_tools.web_search"]
)
_CHOICES: dict[str, frozenset[str]] = {
    "line": LINES,
    "thinking_default": frozenset({"disabled", "adaptive"}),
    "thinking_display_default": frozenset({"summarized", "omitted"}),
    "sampling": frozenset({"legacy", "one_of", "removed"}),
    "lifecycle": LIFECYCLES,
}
_SUBSETS: dict[str, frozenset[str]] = {
    "thinking_types": frozenset(THINKING_TYPES),
    "effort_levels": frozenset(EFFORT_LEVELS),
    "unsupported_capabilities": CAPABILITY_PATHS,
}
_POSITIVE = (
    "context_window",
    "max_output_tokens",
    "token_ratio",
    "output_tokens_per_second",
    "image_max_edge",
    "image_max_patches",
)
_NON_NEGATIVE = (
    "cache_min_tokens",
    "price_input",
    "price_output",
    "cache_read_multiplier",
    "time_to_first_token_ms",
)
_FIELDS = {f.name: f for f in dataclasses.fields(ModelSpec)}
_REQUIRED = [n for n, f in _FIELDS.items() if f.default is f.default_factory is dataclasses.MISSING]
_META_KEYS = frozenset({"notes", "base"})  # accepted in a model dict but not ModelSpec fields


class CatalogError(ValueError):
    """A model entry (from the JSON or from :meth:`Catalog.add`) is malformed."""


def _coerce(kind: str, value: Any) -> object:
    """Convert a JSON value to the Python type ``kind`` (a ModelSpec annotation) or raise TypeError."""
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "str | None" and (value is None or isinstance(value, str)):
        return value
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    strings = isinstance(value, list | tuple | set | frozenset) and all(isinstance(v, str) for v in value)
    if kind == "tuple[str, ...]" and strings:
        return tuple(value)
    if kind == "frozenset[str]" and strings:
        return frozenset(value)
    pair = isinstance(value, list | tuple) and len(value) == 2
    if kind == "tuple[int, int]" and pair and all(type(v) is int for v in value):
        return (value[0], value[1])
    if kind == "dict[str, object]" and isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"must be of type {kind}, got {value!r}")


def _check_rules(spec: ModelSpec, label: str) -> None:
    """Cross-field and enumeration checks that types alone can't express."""
    problems: list[str] = []
    for name, allowed in _CHOICES.items():
        if getattr(spec, name) not in allowed:
            problems.append(f"{name} must be one of {sorted(allowed)}, got {getattr(spec, name)!r}")
    for name, allowed in _SUBSETS.items():
        if bad := sorted(set(getattr(spec, name)) - allowed):
            problems.append(f"{name}: unknown value(s) {bad} (allowed: {sorted(allowed)})")
    if not spec.id.strip():
        problems.append("id must not be empty")
    if spec.thinking_default not in spec.thinking_types:
        problems.append(f"thinking_default {spec.thinking_default!r} is not in thinking_types")
    if spec.effort_levels and spec.effort_default not in spec.effort_levels:
        problems.append(f"effort_default {spec.effort_default!r} is not in effort_levels")
    if not spec.effort_levels and spec.effort_default is not None:
        problems.append("effort_default must be null when effort_levels is empty")
    problems += [f"{n} must be > 0" for n in _POSITIVE if getattr(spec, n) <= 0]
    problems += [f"{n} must be >= 0" for n in _NON_NEGATIVE if getattr(spec, n) < 0]
    for name in ("created_at", "deprecated_at", "retires_at"):
        stamp = getattr(spec, name)
        try:
            if stamp is not None:
                datetime.fromisoformat(stamp)
        except ValueError:
            problems.append(f"{name} is not an RFC 3339 timestamp: {stamp!r}")
    if problems:
        raise CatalogError(f"{label}: " + "; ".join(problems))


def _check_notes(notes: object, label: str) -> None:
    """``notes`` is free text, or a mapping from field name to text."""
    if isinstance(notes, str):
        return
    if not isinstance(notes, Mapping) or not all(isinstance(v, str) for v in notes.values()):
        raise CatalogError(f"{label}: notes must be a string or an object of strings")
    if bad := sorted(set(notes) - _FIELDS.keys()):
        raise CatalogError(f"{label}: notes names unknown field(s) {bad}")


def build_spec(
    data: Mapping[str, Any], *, source: str = "models.json", base: ModelSpec | None = None
) -> ModelSpec:
    """Validate one model dict and build its :class:`ModelSpec`.

    Unknown keys, wrong types, missing fields and out-of-range values raise :class:`CatalogError` naming the
    source, the model and the key. With ``base``, fields the dict leaves out are inherited from ``base``
    (except the identity fields ``aliases``, ``display_name`` and ``extra``).
    """
    model_id = data.get("id")
    label = f"{source}: model {model_id!r}"
    if "id" not in data:
        raise CatalogError(f"{source}: a model entry has no id (keys: {sorted(data)})")
    if unknown := sorted(set(data) - _FIELDS.keys() - _META_KEYS):
        allowed = ", ".join(sorted(_FIELDS.keys() - {"extra"} | _META_KEYS))
        raise CatalogError(f"{label}: unknown key {unknown[0]!r} (allowed keys: {allowed})")
    values: dict[str, Any] = {}
    if base is not None:
        values = {name: getattr(base, name) for name in _FIELDS}
        values.update(aliases=(), display_name=model_id, extra={"base": base.id})
    for key, raw in data.items():
        if key in _META_KEYS:
            continue
        try:
            values[key] = _coerce(str(_FIELDS[key].type), raw)
        except TypeError as exc:
            raise CatalogError(f"{label}: {key} {exc}") from None
    if missing := [n for n in _REQUIRED if n not in values]:
        raise CatalogError(f"{label}: missing key(s) {', '.join(missing)}")
    if "notes" in data:
        _check_notes(data["notes"], label)
        values["extra"] = {**values.get("extra", {}), "notes": data["notes"]}
    spec = ModelSpec(**values)
    _check_rules(spec, label)
    return spec
