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
import os
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .catalog_schema import (
    _FLAGS,
    _STRATEGIES,
    CAPABILITY_PATHS,
    DEFAULT_LIFECYCLES,
    EFFORT_LEVELS,
    LIFECYCLES,
    LINES,
    THINKING_TYPES,
    CatalogError,
    ModelSpec,
    build_spec,
)
from .errors import InvalidRequestError, NotFoundError
from .paging import cursor_page

__all__ = [
    "CAPABILITY_PATHS",
    "EFFORT_LEVELS",
    "LINES",
    "THINKING_TYPES",
    "Catalog",
    "CatalogError",
    "ModelSpec",
    "build_spec",
    "get_catalog",
    "list_page",
    "model_info",
]

# What an any_model id does not inherit from the model it borrows its limits from.
_FRESH: dict[str, Any] = dict(
    aliases=(), retired=False, lifecycle="active", deprecated_at=None, retires_at=None
)


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
        catalog = cls()
        catalog.add_json(text, source=source)
        return catalog

    def add_json(self, text: str, *, source: str = "models file") -> list[ModelSpec]:
        """Add (or replace) the models of a JSON document: ``{"models": [{...}, ...]}`` as ``data/models.json``.

        Entries are validated like :meth:`add` (a ``base`` key inherits from a known model, including one added
        earlier in the same file). Nothing is added when any entry is invalid.
        """
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise CatalogError(f"{source}: not valid JSON: {exc}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
            raise CatalogError(f'{source}: expected an object with a "models" list')
        if extra := sorted(set(doc) - {"comment", "models"}):
            raise CatalogError(f"{source}: unknown top-level key {extra[0]!r} (allowed: comment, models)")
        staged = self.copy()  # all or nothing: validate every entry before touching self
        added: list[ModelSpec] = []
        for index, entry in enumerate(doc["models"]):
            if not isinstance(entry, dict):
                raise CatalogError(f"{source}: models[{index}] must be an object")
            added.append(staged._add(entry, source=source))
        for spec in added:
            self._register(spec)
        return added

    def add_file(self, path: str | os.PathLike[str]) -> list[ModelSpec]:
        """Add the models of a JSON file (``mockclaude serve --models FILE``); see :meth:`add_json`."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogError(f"{path}: cannot read the models file: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise CatalogError(
                f"{path}: the models file is not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
        return self.add_json(text, source=str(path))

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
    items = catalog.models(_lifecycle_filter(lifecycle))
    rank = {spec.id: index for index, spec in enumerate(catalog.models(LIFECYCLES))}

    def position(name: str, cursor: str | None) -> int | None:
        if cursor is None:
            return None
        spec = catalog.resolve(cursor)
        if spec is None or spec.id not in rank:
            # ⚠ unconfirmed: the real API's answer to an unknown cursor is not documented.
            raise InvalidRequestError(f"{name}: Invalid model ID: {cursor}")
        return rank[spec.id]

    page, has_more = cursor_page(
        items,
        lambda spec: rank[spec.id],
        after=position("after_id", after_id),
        before=position("before_id", before_id),
        limit=limit,
    )
    data = [model_info(spec) for spec in page]
    return {
        "data": data,
        "has_more": has_more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
