"""The model catalog: every model id the mock knows, its limits and rules (api-spec §10, §9.2, §7.2, §8.1).

The data lives in ``data/models.json`` (one object per model, newest first, with ``notes`` saying where
each uncertain number comes from). This module loads it once, validates it strictly, answers lookups by id or
alias, and renders the Models API payloads (``GET /v1/models``, ``GET /v1/models/{id}``).

Unknown ids under ``any_model=True`` (gateways serve ids Anthropic never listed) borrow the limits of the
*nearest family* (:meth:`Catalog.nearest`): the first line name in the id ("opus", "sonnet", "haiku", "fable",
"mythos") picks the line; the one- or two-digit numbers beside it (snapshot dates and "-v1" suffixes ignored)
pick the version: the same major version first, then the newest version not above the requested one
("claude-opus-9" → newest Opus, "claude-opus-4-9" → Opus 4.8). No number → the line's newest live model;
no line name ("gpt-4o") → the newest active Sonnet.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from .errors import InvalidRequestError, NotFoundError


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
_POSITIVE = ("context_window", "max_output_tokens", "token_ratio", "output_tokens_per_second")
_NON_NEGATIVE = (
    "cache_min_tokens",
    "price_input",
    "price_output",
    "cache_read_multiplier",
    "time_to_first_token_ms",
)
# What an any_model id does not inherit from the model it borrows its limits from.
_FRESH: dict[str, Any] = dict(
    aliases=(), retired=False, lifecycle="active", deprecated_at=None, retires_at=None
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


def _version(text: str, line: str) -> tuple[int, ...]:
    """(major, minor) beside the line name: "opus-4-20250514-v1" → (4, 0), "claude-3-5-haiku" → (3, 5)."""
    n = r"(?<!\d)(\d{1,2})(?:[-._](\d{1,2}))?(?!\d)"  # 1-2 digit numbers: snapshot dates never match
    match = re.search(rf"{line}[-._]?{n}", text) or re.search(rf"{n}[-._]{line}", text)
    return (int(match[1]), int(match[2] or 0)) if match else ()


class Catalog:
    """The models one server instance knows: lookups by id or alias, listing, user-added models."""

    def __init__(self, specs: Iterable[ModelSpec] = ()) -> None:
        self._specs: dict[str, ModelSpec] = {}  # canonical id → spec, in insertion (JSON) order
        self._lookup: dict[str, ModelSpec] = {}  # id or alias → spec
        self._ordered: list[ModelSpec] | None = None  # newest first; rebuilt lazily after a change
        self._inferred: dict[str, ModelSpec] = {}  # any_model results, so repeated lookups are O(1)
        for spec in specs:
            self._register(spec)

    @classmethod
    def from_json(cls, text: str, *, source: str = "models.json") -> Catalog:
        """Build a catalog from the JSON document format of ``data/models.json``."""
        doc = json.loads(text)
        if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
            raise CatalogError(f'{source}: expected an object with a "models" list')
        if extra := sorted(set(doc) - {"comment", "models"}):
            raise CatalogError(f"{source}: unknown top-level key {extra[0]!r} (allowed: comment, models)")
        catalog = cls()
        for index, entry in enumerate(doc["models"]):
            if not isinstance(entry, dict):
                raise CatalogError(f"{source}: models[{index}] must be an object")
            catalog._add(entry, source=source)
        return catalog

    def copy(self) -> Catalog:
        """An independent catalog with the same models (specs are immutable, so they are shared)."""
        return Catalog(self._specs.values())

    def resolve(self, model_id: str) -> ModelSpec | None:
        """The spec for an id or alias, retired ones included; ``None`` when unknown."""
        return self._lookup.get(model_id)

    def require(self, model_id: str, *, any_model: bool = False) -> ModelSpec:
        """The spec a request may use, or :class:`NotFoundError` ``model: <id>`` (404, as the real API).

        Retired models raise too (§1.4, ⚠ assumed the same 404). With ``any_model`` retired ids are served and
        unknown ids get the limits of :meth:`nearest` under the requested id (a fresh, active spec).
        """
        spec = self._lookup.get(model_id)
        if spec is not None and (any_model or not spec.retired):
            return spec
        if not any_model:
            raise NotFoundError(f"model: {model_id}")
        inferred = self._inferred.get(model_id)
        if inferred is None:
            base = self.nearest(model_id)
            extra: dict[str, object] = {"inferred_from": base.id}
            inferred = dataclasses.replace(base, id=model_id, display_name=model_id, extra=extra, **_FRESH)
            self._inferred[model_id] = inferred
        return inferred

    def nearest(self, model_id: str) -> ModelSpec:
        """The known model whose family is nearest to ``model_id`` (heuristic in the module docstring)."""
        lowered = model_id.lower()
        found = [(lowered.index(line), line) for line in LINES if line in lowered]
        ordered = self._newest_first()
        if found:
            line = min(found)[1]
            candidates = [s for s in ordered if s.line == line]
            # Families without a number ("mythos-preview") can only be recognised by name.
            named = [
                s
                for s in candidates
                if not _version(s.family, line) and s.family in lowered.replace(".", "-")
            ]
            if named:
                return named[0]
            want = _version(lowered, line)
            versioned = [s for s in candidates if _version(s.family, line)]
            if want and versioned:

                def distance(spec: ModelSpec) -> tuple[int, bool, tuple[int, ...]]:
                    have = _version(spec.family, line)
                    newer = have > want
                    return abs(have[0] - want[0]), newer, have if newer else tuple(-n for n in have)

                return min(versioned, key=distance)
            if candidates:
                return next((s for s in candidates if not s.retired), candidates[0])
        sonnets = [s for s in ordered if s.line == "sonnet" and s.lifecycle == "active" and not s.retired]
        if not (sonnets or ordered):
            raise NotFoundError(f"model: {model_id}")
        return (sonnets or [s for s in ordered if not s.retired] or ordered)[0]

    def add(self, spec_dict: Mapping[str, Any]) -> ModelSpec:
        """Register (or replace) a model, e.g. an id a gateway serves; returns the built spec.

        The dict is validated like a JSON entry. A ``base`` key names a known model whose fields fill in what
        the dict leaves out: ``{"id": "my-gw-claude", "base": "claude-sonnet-4-6"}``.
        """
        return self._add(spec_dict, source="add()")

    def models(self, lifecycle: Collection[str] | None = None) -> list[ModelSpec]:
        """Models newest first, filtered by lifecycle stage (default: active + deprecated, §9.2)."""
        stages = DEFAULT_LIFECYCLES if lifecycle is None else frozenset(lifecycle)
        return [s for s in self._newest_first() if s.lifecycle in stages]

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._lookup

    def _add(self, spec_dict: Mapping[str, Any], *, source: str) -> ModelSpec:
        base_id = spec_dict.get("base")
        base = self.resolve(base_id) if isinstance(base_id, str) else None
        if "base" in spec_dict and base is None:
            raise CatalogError(f"{source}: model {spec_dict.get('id')!r}: unknown base model {base_id!r}")
        spec = build_spec(spec_dict, source=source, base=base)
        self._register(spec)
        return spec

    def _register(self, spec: ModelSpec) -> None:
        names = (spec.id, *spec.aliases)
        for name in names:
            owner = self._lookup.get(name)
            if owner is not None and owner.id != spec.id:
                raise CatalogError(f"model {spec.id!r}: name {name!r} is already used by {owner.id!r}")
        if (old := self._specs.get(spec.id)) is not None:
            for name in (old.id, *old.aliases):
                self._lookup.pop(name, None)
        self._specs[spec.id] = spec
        self._lookup.update(dict.fromkeys(names, spec))
        self._ordered = None
        self._inferred.clear()

    def _newest_first(self) -> list[ModelSpec]:
        if self._ordered is None:
            # Stable sort: models released the same day keep their JSON/insertion order.
            specs = self._specs.values()
            self._ordered = sorted(specs, key=lambda s: datetime.fromisoformat(s.created_at), reverse=True)
        return self._ordered


@cache
def get_catalog() -> Catalog:
    """The process-wide default catalog, loaded from ``data/models.json`` on first use.

    Servers that add models should work on ``get_catalog().copy()`` so the global one stays untouched.
    """
    text = resources.files("mockclaude.model").joinpath("data/models.json").read_text(encoding="utf-8")
    return Catalog.from_json(text)


def _on(flag: bool) -> dict[str, bool]:
    """A ``CapabilitySupport`` object."""
    return {"supported": flag}


def model_info(spec: ModelSpec) -> dict[str, Any]:
    """The Models API ``ModelInfo`` object for ``spec`` (§9.2; keys as ``anthropic.types.ModelInfo``)."""
    off = spec.unsupported_capabilities
    thinks = bool(spec.thinking_types & {"enabled", "adaptive"})
    managed = "context_management" not in off
    web, code = "server_tools.web_search" not in off, "server_tools.code_execution" not in off
    caps: dict[str, Any] = {name: _on(name not in off) for name in _FLAGS}
    strategies = {s: _on(managed and f"context_management.{s}" not in off) for s in _STRATEGIES}
    # Clearing thinking blocks only makes sense on a model that thinks.
    strategies["clear_thinking_20251015"] = _on(strategies["clear_thinking_20251015"]["supported"] and thinks)
    caps["context_management"] = {"supported": managed, **strategies}
    levels = {level: _on(level in spec.effort_levels) for level in EFFORT_LEVELS}
    caps["effort"] = {"supported": bool(spec.effort_levels), **levels}
    caps["server_tools"] = {"supported": web or code, "code_execution": _on(code), "web_search": _on(web)}
    types = {kind: _on(kind in spec.thinking_types) for kind in THINKING_TYPES}
    caps["thinking"] = {"supported": thinks, "types": types}
    return {
        "type": "model",
        "id": spec.id,
        "display_name": spec.display_name,
        "created_at": spec.created_at,
        "max_input_tokens": spec.context_window,
        "max_tokens": spec.max_output_tokens,
        "lifecycle": spec.lifecycle,
        "line": spec.line,
        "deprecated_at": spec.deprecated_at,
        "retires_at": spec.retires_at,
        "capabilities": dict(sorted(caps.items())),  # the API lists capabilities alphabetically (§9.2)
    }


def _lifecycle_filter(lifecycle: Collection[str] | None) -> frozenset[str]:
    """Validate the ``lifecycle[]`` query values with pydantic-style messages (≤ 3 values, §9.2)."""
    if not lifecycle:
        return DEFAULT_LIFECYCLES  # ⚠ an empty list is treated like an absent one
    values = list(lifecycle)
    if len(values) > 3:
        raise InvalidRequestError(
            f"lifecycle: List should have at most 3 items after validation, not {len(values)}"
        )
    for index, value in enumerate(values):
        if value not in LIFECYCLES:
            raise InvalidRequestError(
                f"lifecycle.{index}: Input should be 'active', 'deprecated' or 'retired'"
            )
    return frozenset(values)


def list_page(
    catalog: Catalog,
    *,
    before_id: str | None = None,
    after_id: str | None = None,
    limit: int = 20,
    lifecycle: Collection[str] | None = None,
) -> dict[str, Any]:
    """One page of ``GET /v1/models``: ``{"data", "has_more", "first_id", "last_id"}``, newest first (§9.2).

    ``after_id`` gives the page right after that model, ``before_id`` the page right before it (``has_more``
    then says whether older, resp. newer, models remain). A cursor may be an alias or a model outside the
    lifecycle filter (it is placed by its position in the full list).
    """
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidRequestError("limit: Input should be a valid integer")
    if limit < 1:
        raise InvalidRequestError("limit: Input should be greater than or equal to 1")
    if limit > 1000:
        raise InvalidRequestError("limit: Input should be less than or equal to 1000")
    items = catalog.models(_lifecycle_filter(lifecycle))
    rank = {spec.id: index for index, spec in enumerate(catalog.models(LIFECYCLES))}

    def position(name: str, cursor: str) -> int:
        spec = catalog.resolve(cursor)
        if spec is None or spec.id not in rank:
            # ⚠ unconfirmed: the real API's answer to an unknown cursor is not documented.
            raise InvalidRequestError(f"{name}: Invalid model ID: {cursor}")
        return rank[spec.id]

    start, stop = 0, len(items)
    if after_id is not None:
        cut = position("after_id", after_id)
        start = sum(1 for s in items if rank[s.id] <= cut)
    if before_id is not None:
        cut = position("before_id", before_id)
        stop = sum(1 for s in items if rank[s.id] < cut)
    if before_id is not None and after_id is None:
        first = max(start, stop - limit)
        page, has_more = items[first:stop], first > start
    else:
        page, has_more = items[start : min(stop, start + limit)], start + limit < stop
    data = [model_info(spec) for spec in page]
    return {
        "data": data,
        "has_more": has_more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
