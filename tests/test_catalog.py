"""The model catalog (layer 0): data integrity, lookups, any_model inference, Models API payloads.

The official SDK's types are the oracle for the wire shapes (``anthropic.types.ModelInfo``) and for the list
of model ids a current client may send (``anthropic.types.Model``).
"""

from __future__ import annotations

import json
import typing
from datetime import datetime
from importlib import resources
from typing import Any

import anthropic.types
import pytest
from anthropic.types import ModelInfo

from mockclaude.model.catalog import (
    CAPABILITY_PATHS,
    EFFORT_LEVELS,
    THINKING_TYPES,
    Catalog,
    CatalogError,
    ModelSpec,
    get_catalog,
    list_page,
    model_info,
)
from mockclaude.model.errors import InvalidRequestError, NotFoundError

RAW: list[dict[str, Any]] = json.loads(
    resources.files("mockclaude.model").joinpath("data/models.json").read_text(encoding="utf-8")
)["models"]
CATALOG = get_catalog()
ALL = CATALOG.models(["active", "deprecated", "retired"])  # newest first
SDK_IDS: tuple[str, ...] = typing.get_args(typing.get_args(anthropic.types.Model)[0])
NEW_TOKENIZER = {"opus-4-7", "opus-4-8", "opus-5", "opus-5-5", "sonnet-5", "sonnet-5-5", "haiku-5-5"}


def _minimal(model_id: str = "my-model", **changes: Any) -> dict[str, Any]:
    """A complete, valid model dict (as in the JSON) to break in validation tests."""
    entry = next(e for e in RAW if e["id"] == "claude-sonnet-4-6")
    return {**{k: v for k, v in entry.items() if k != "notes"}, "id": model_id, "aliases": [], **changes}


# -- the data ---------------------------------------------------------------------------------------------


def test_every_json_entry_loads_once() -> None:
    assert len(CATALOG) == len(RAW) == len(ALL)
    assert len({e["id"] for e in RAW}) == len(RAW)
    for entry in RAW:
        spec = CATALOG.resolve(entry["id"])
        assert spec is not None and spec.id == entry["id"]
        assert spec.extra.get("notes") == entry.get("notes")


def test_get_catalog_is_cached() -> None:
    assert get_catalog() is CATALOG


@pytest.mark.parametrize("model_id", SDK_IDS)
def test_every_sdk_model_id_is_served(model_id: str) -> None:
    spec = CATALOG.require(model_id)
    assert not spec.retired
    assert spec.lifecycle in {"active", "deprecated"}


def test_models_are_newest_first_and_default_filter_hides_retired() -> None:
    stamps = [datetime.fromisoformat(s.created_at) for s in ALL]
    assert stamps == sorted(stamps, reverse=True)
    listed = CATALOG.models()
    assert {s.lifecycle for s in listed} == {"active", "deprecated"}
    assert [s.id for s in CATALOG.models(["retired"])] == [s.id for s in ALL if s.lifecycle == "retired"]
    assert listed[0].id == "claude-fable-5-2"


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.id)
def test_spec_rules_per_spec_md(spec: ModelSpec) -> None:
    assert spec.retired == (spec.lifecycle == "retired")
    assert (spec.deprecated_at is None) == (spec.lifecycle == "active")
    assert spec.max_output_tokens <= spec.context_window
    expected_ratio = 1.3 if spec.family in NEW_TOKENIZER or spec.line in {"fable", "mythos"} else 1.0
    assert spec.token_ratio == expected_ratio  # §11
    assert spec.cache_read_multiplier == {"opus-5-5": 0.05}.get(spec.family, spec.cache_read_multiplier)
    assert hash(spec) == hash(spec)  # `extra` is kept out of the hash


@pytest.mark.parametrize(
    ("model_id", "field", "value"),
    [
        ("claude-opus-5", "cache_min_tokens", 512),  # §6.3
        ("claude-haiku-4-5", "cache_min_tokens", 4096),
        ("claude-sonnet-4-6", "cache_min_tokens", 2048),
        ("claude-opus-5-5", "cache_read_multiplier", 0.05),  # §6.6
        ("claude-opus-5-5", "effort_default", "medium"),  # §8.1
        ("claude-opus-5-5", "forced_tool_choice", False),  # §1.4
        ("claude-sonnet-4-5", "effort_levels", frozenset()),
        ("claude-opus-4-5", "effort_levels", frozenset({"low", "medium", "high"})),
        ("claude-fable-5", "thinking_types", frozenset({"adaptive"})),  # §7.2
        ("claude-sonnet-5", "thinking_default", "adaptive"),
        ("claude-opus-4-8", "thinking_default", "disabled"),
        ("claude-opus-4-8", "system_messages", True),  # §1.3
        ("claude-sonnet-4-6", "prefill", False),
        ("claude-sonnet-4-5", "prefill", True),
        ("claude-sonnet-4-6", "sampling", "one_of"),  # §1.4
        ("claude-opus-4-7", "sampling", "removed"),
        ("claude-haiku-4-5", "tool_overhead", (346, 313)),  # §11
        ("claude-3-haiku-20240307", "tool_overhead", (264, 340)),
        ("claude-sonnet-4-5", "context_window", 200_000),  # §8.8
        ("claude-sonnet-4-6", "context_window", 1_000_000),
        ("claude-sonnet-4-5", "max_output_tokens", 64_000),  # §10
        ("claude-3-5-haiku-20241022", "max_output_tokens", 8192),
        ("claude-sonnet-4-5", "context_exceeded_stop", True),  # §8.8
        ("claude-3-7-sonnet-20250219", "context_exceeded_stop", False),
    ],
)
def test_documented_values(model_id: str, field: str, value: object) -> None:
    spec = CATALOG.resolve(model_id)
    assert spec is not None
    assert getattr(spec, field) == value


def test_speeds_rank_haiku_fastest_opus_slowest() -> None:
    by_line: dict[str, list[float]] = {}
    for spec in CATALOG.models():
        by_line.setdefault(spec.line, []).append(spec.output_tokens_per_second)
    assert min(by_line["haiku"]) > max(by_line["sonnet"]) > max(by_line["opus"]) >= max(by_line["fable"])


# -- lookups ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
        ("claude-haiku-4-5", "claude-haiku-4-5-20251001"),
        ("claude-opus-4-5", "claude-opus-4-5-20251101"),
        ("claude-opus-4-1", "claude-opus-4-1-20250805"),
        ("claude-opus-4-0", "claude-opus-4-20250514"),
        ("claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219"),
        ("claude-sonnet-4-6", "claude-sonnet-4-6"),  # 4.6+: the dateless id is the snapshot
    ],
)
def test_aliases_resolve(alias: str, canonical: str) -> None:
    spec = CATALOG.resolve(alias)
    assert spec is not None and spec.id == canonical
    assert alias in CATALOG


@pytest.mark.parametrize(
    "model_id",
    ["claude-xyz", "gpt-4o", "claude-sonnet-4-5-2025", "CLAUDE-SONNET-4-6", "claude-3-7-sonnet-20250219",
     "claude-3-5-haiku-latest", "claude-opus-4-1", "claude-3-haiku-20240307"],
)  # fmt: skip
def test_unknown_and_retired_models_are_404(model_id: str) -> None:
    with pytest.raises(NotFoundError) as info:
        CATALOG.require(model_id)
    assert info.value.message == f"model: {model_id}"
    assert (info.value.status, info.value.error_type) == (404, "not_found_error")


@pytest.mark.parametrize(
    ("requested", "nearest"),
    [
        ("claude-opus-9", "claude-opus-5-5"),
        ("claude-opus-4-9", "claude-opus-4-8"),
        ("claude-opus-4-10", "claude-opus-4-8"),
        ("claude-opus", "claude-opus-5-5"),
        ("claude-haiku-5", "claude-haiku-5-5"),
        ("claude-sonnet-6", "claude-sonnet-5-5"),
        ("claude-fable-6", "claude-fable-5-2"),
        ("claude-3-5-sonnet-foo", "claude-3-5-sonnet-20241022"),
        ("anthropic.claude-sonnet-4-5-v1:0", "claude-sonnet-4-5-20250929"),
        ("us.anthropic.claude-opus-4-20250514-v1:0", "claude-opus-4-20250514"),
        ("claude-opus-4.8-fast", "claude-opus-4-8"),
        ("CLAUDE-SONNET-4-6-THINKING", "claude-sonnet-4-6"),
        ("claude-mythos-preview-2", "claude-mythos-preview"),
        ("gpt-4o", "claude-sonnet-5-5"),
        ("totally-unrecognisable", "claude-sonnet-5-5"),
    ],
)
def test_any_model_borrows_the_nearest_family(requested: str, nearest: str) -> None:
    base = CATALOG.resolve(nearest)
    assert base is not None
    spec = CATALOG.require(requested, any_model=True)
    assert spec.id == requested and spec.display_name == requested and spec.aliases == ()
    assert spec.extra == {"inferred_from": nearest}
    assert (spec.context_window, spec.max_output_tokens, spec.thinking_types, spec.sampling) == (
        base.context_window,
        base.max_output_tokens,
        base.thinking_types,
        base.sampling,
    )
    assert (spec.lifecycle, spec.retired) == ("active", False)
    assert CATALOG.require(requested, any_model=True) is spec  # memoised
    assert CATALOG.resolve(requested) is None  # inference does not register the id


def test_any_model_accepts_retired_and_known_ids_unchanged() -> None:
    retired = CATALOG.require("claude-3-7-sonnet-latest", any_model=True)
    assert retired.id == "claude-3-7-sonnet-20250219" and retired.retired
    known = CATALOG.resolve("claude-sonnet-4-5-20250929")
    assert CATALOG.require("claude-sonnet-4-5", any_model=True) is known


# -- user models ------------------------------------------------------------------------------------------


def test_add_with_base_inherits_and_overrides() -> None:
    catalog = CATALOG.copy()
    spec = catalog.add({"id": "my-gw-claude", "base": "claude-sonnet-4-6", "max_output_tokens": 8192})
    base = catalog.resolve("claude-sonnet-4-6")
    assert base is not None
    assert catalog.require("my-gw-claude") is spec
    assert spec.max_output_tokens == 8192 and spec.context_window == base.context_window
    assert (spec.aliases, spec.display_name) == ((), "my-gw-claude")
    assert spec.extra == {"base": "claude-sonnet-4-6"}
    assert CATALOG.resolve("my-gw-claude") is None  # the global catalog is untouched
    assert spec in catalog.models()


def test_add_full_entry_with_aliases_and_replace() -> None:
    catalog = CATALOG.copy()
    catalog.add(_minimal("gw-1", aliases=["gw-latest"], created_at="2030-01-01T00:00:00Z"))
    assert catalog.models()[0].id == "gw-1"
    assert catalog.require("gw-latest").id == "gw-1"
    catalog.add(_minimal("gw-1", aliases=["gw-newest"], max_output_tokens=1000))
    assert catalog.resolve("gw-latest") is None
    assert catalog.require("gw-newest").max_output_tokens == 1000
    assert len(catalog) == len(CATALOG) + 1
    with pytest.raises(CatalogError, match="'gw-newest' is already used by 'gw-1'"):
        catalog.add(_minimal("gw-2", aliases=["gw-newest"]))


def test_add_can_override_a_known_model() -> None:
    catalog = CATALOG.copy()
    catalog.add({"id": "claude-sonnet-4-5-20250929", "base": "claude-sonnet-4-5", "retired": False})
    assert catalog.resolve("claude-sonnet-4-5") is None
    assert catalog.require("claude-sonnet-4-5-20250929").extra == {"base": "claude-sonnet-4-5-20250929"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_minimal("bad", colour="red"), "model 'bad': unknown key 'colour'"),
        (_minimal("bad", context_window="1M"), "model 'bad': context_window must be of type int"),
        (_minimal("bad", prefill=1), "model 'bad': prefill must be of type bool"),
        (_minimal("bad", line="poem"), "line must be one of"),
        (_minimal("bad", thinking_types=["enabled", "deep"]), "thinking_types: unknown value(s) ['deep']"),
        (_minimal("bad", thinking_types=["adaptive"]), "thinking_default 'disabled' is not in"),
        (_minimal("bad", effort_default="xhigh"), "effort_default 'xhigh' is not in effort_levels"),
        (_minimal("bad", effort_levels=[], effort_default="high"), "effort_default must be null"),
        (_minimal("bad", created_at="yesterday"), "created_at is not an RFC 3339 timestamp"),
        (_minimal("bad", tool_overhead=[1, 2, 3]), "tool_overhead must be of type tuple[int, int]"),
        (_minimal("bad", price_input=-1), "price_input must be >= 0"),
        (_minimal("bad", unsupported_capabilities=["teleport"]), "unknown value(s) ['teleport']"),
        (_minimal("bad", notes={"colour": "x"}), "notes names unknown field(s) ['colour']"),
        ({"id": "bad", "line": "opus"}, "model 'bad': missing key(s) aliases, display_name"),
        ({"line": "opus"}, "a model entry has no id"),
        ({"id": "bad", "base": "claude-nope"}, "unknown base model 'claude-nope'"),
    ],
)
def test_add_validates_strictly(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(CatalogError) as info:
        CATALOG.copy().add(entry)
    assert message in str(info.value)


def test_json_document_is_validated() -> None:
    with pytest.raises(CatalogError, match="unknown top-level key 'extra'"):
        Catalog.from_json(json.dumps({"models": [], "extra": 1}))
    with pytest.raises(CatalogError, match=r"x\.json: model 'm': unknown key 'oops'"):
        Catalog.from_json(json.dumps({"models": [_minimal("m", oops=1)]}), source="x.json")


def test_add_json_is_all_or_nothing_and_bases_chain() -> None:
    catalog = CATALOG.copy()
    doc = {
        "models": [
            {"id": "gw-a", "base": "claude-opus-4-8"},
            {"id": "gw-b", "base": "gw-a", "context_window": 9000},
        ]
    }
    added = catalog.add_json(json.dumps(doc), source="gw.json")
    assert [s.id for s in added] == ["gw-a", "gw-b"]
    gw_b = catalog.require("gw-b")
    assert gw_b.context_window == 9000 and gw_b.token_ratio == 1.3 and gw_b.extra == {"base": "gw-a"}
    before = len(catalog)
    broken = {"models": [{"id": "gw-c", "base": "claude-opus-4-8"}, {"id": "gw-d", "base": "nope"}]}
    with pytest.raises(CatalogError, match=r"gw\.json: model 'gw-d': unknown base model 'nope'"):
        catalog.add_json(json.dumps(broken), source="gw.json")
    assert len(catalog) == before and catalog.resolve("gw-c") is None
    with pytest.raises(CatalogError, match=r"gw\.json: not valid JSON"):
        catalog.add_json("{", source="gw.json")


def test_add_file(tmp_path: Any) -> None:
    path = tmp_path / "models.json"
    path.write_text(
        json.dumps({"comment": "gateway ids", "models": [{"id": "gw-file", "base": "claude-haiku-4-5"}]})
    )
    catalog = CATALOG.copy()
    assert [s.id for s in catalog.add_file(path)] == ["gw-file"]
    assert catalog.require("gw-file").family == "haiku-4-5"
    with pytest.raises(CatalogError, match="cannot read the models file"):
        catalog.add_file(tmp_path / "missing.json")


# §2.2: earlier turns' thinking stays in context on Opus 4.5+, Sonnet 4.6+, Fable and Mythos; stripped elsewhere.
KEEPS_THINKING = {
    "opus-4-5", "opus-4-6", "opus-4-7", "opus-4-8", "opus-5", "opus-5-5", "sonnet-4-6", "sonnet-5", "sonnet-5-5",
}  # fmt: skip
# §11: 2576-px vision on Opus 4.7+ and Sonnet 5 (assumed for the later Sonnet 5.5, Fable 5.x and Mythos 5.x).
HIGH_RES = {"opus-4-7", "opus-4-8", "opus-5", "opus-5-5", "sonnet-5", "sonnet-5-5"}


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.id)
def test_thinking_retention_and_vision_limits(spec: ModelSpec) -> None:
    assert spec.keeps_thinking == (spec.family in KEEPS_THINKING or spec.line in {"fable", "mythos"})
    high_res = spec.family in HIGH_RES or (
        spec.line in {"fable", "mythos"} and spec.family != "mythos-preview"
    )
    assert (spec.image_max_edge, spec.image_max_patches) == ((2576, 4784) if high_res else (1568, 1568))


def test_schema_module_is_the_same_vocabulary() -> None:
    from mockclaude.model import catalog_schema

    assert catalog_schema.ModelSpec is ModelSpec and catalog_schema.CatalogError is CatalogError
    with pytest.raises(CatalogError, match="image_max_patches must be > 0"):
        catalog_schema.build_spec(_minimal("bad", image_max_patches=0))


# -- Models API payloads ----------------------------------------------------------------------------------


def _supported(info: Any, path: str) -> bool:
    node = info.capabilities
    for part in path.split("."):
        node = getattr(node, part)
    return bool(node.supported)


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.id)
def test_model_info_parses_with_the_sdk_and_matches_the_spec(spec: ModelSpec) -> None:
    payload = model_info(spec)
    info = ModelInfo.model_validate(payload)
    assert set(payload) == set(ModelInfo.model_fields)  # every key the SDK knows, no more
    assert info.capabilities is not None
    assert set(payload["capabilities"]) == set(type(info.capabilities).model_fields)
    assert (info.type, info.id, info.display_name) == ("model", spec.id, spec.display_name)
    assert info.created_at == datetime.fromisoformat(spec.created_at)
    assert (info.max_input_tokens, info.max_tokens) == (spec.context_window, spec.max_output_tokens)
    assert (info.lifecycle, info.line) == (spec.lifecycle, spec.line)
    caps = info.capabilities
    for kind in THINKING_TYPES:
        assert getattr(caps.thinking.types, kind).supported == (kind in spec.thinking_types)
    assert caps.thinking.supported == bool(spec.thinking_types & {"enabled", "adaptive"})
    assert caps.effort.supported == bool(spec.effort_levels)
    for level in EFFORT_LEVELS:
        assert getattr(caps.effort, level).supported == (level in spec.effort_levels)
    for path in CAPABILITY_PATHS - {"context_management.clear_thinking_20251015"}:
        off = spec.unsupported_capabilities
        parent_off = path.startswith("context_management.") and "context_management" in off
        assert _supported(info, path) == (path not in off and not parent_off), path
    tools = caps.server_tools
    assert tools.supported == (tools.web_search.supported or tools.code_execution.supported)


def test_model_info_example_of_spec_9_2() -> None:
    payload = model_info(CATALOG.require("claude-sonnet-4-6"))
    assert payload["created_at"] == "2026-02-17T00:00:00Z"
    assert (payload["max_input_tokens"], payload["max_tokens"]) == (1_000_000, 128_000)
    caps = payload["capabilities"]
    assert list(caps) == sorted(caps)
    assert caps["effort"] == {
        "supported": True,
        "low": {"supported": True},
        "medium": {"supported": True},
        "high": {"supported": True},
        "xhigh": {"supported": False},
        "max": {"supported": True},
    }
    assert caps["thinking"]["types"]["between_tools"] == {"supported": False}
    no_thinking = model_info(CATALOG.require("claude-3-haiku-20240307", any_model=True))["capabilities"]
    assert no_thinking["thinking"]["supported"] is False
    # The SDK documents `disabled` as true on a model that does not support thinking.
    assert no_thinking["thinking"]["types"]["disabled"] == {"supported": True}


# -- list pagination --------------------------------------------------------------------------------------

EVERY_STAGE = ["active", "deprecated", "retired"]
LIFECYCLE_SETS: list[list[str] | None] = [None, ["retired"], EVERY_STAGE, ["deprecated"]]


@pytest.mark.parametrize("lifecycle", LIFECYCLE_SETS)
@pytest.mark.parametrize("limit", [1, 2, 3, 7, 20, 1000])
def test_walk_forwards_with_after_id(limit: int, lifecycle: list[str] | None) -> None:
    expected = [s.id for s in CATALOG.models(lifecycle)]
    seen: list[str] = []
    page = list_page(CATALOG, limit=limit, lifecycle=lifecycle)
    while True:
        ids = [m["id"] for m in page["data"]]
        assert len(ids) <= limit
        assert (page["first_id"], page["last_id"]) == ((ids[0], ids[-1]) if ids else (None, None))
        seen += ids
        if not page["has_more"]:
            break
        page = list_page(CATALOG, after_id=page["last_id"], limit=limit, lifecycle=lifecycle)
    assert seen == expected  # all of them, in order, no duplicates


@pytest.mark.parametrize("lifecycle", LIFECYCLE_SETS)
@pytest.mark.parametrize("limit", [1, 2, 3, 7, 20, 1000])
def test_walk_backwards_with_before_id(limit: int, lifecycle: list[str] | None) -> None:
    expected = [s.id for s in CATALOG.models(lifecycle)]
    seen = expected[-1:]
    page = list_page(CATALOG, before_id=expected[-1], limit=limit, lifecycle=lifecycle)
    while True:
        ids = [m["id"] for m in page["data"]]
        assert len(ids) <= limit
        seen = ids + seen
        if not page["has_more"]:
            break
        page = list_page(CATALOG, before_id=page["first_id"], limit=limit, lifecycle=lifecycle)
    assert seen == expected


def test_page_edges() -> None:
    ids = [s.id for s in CATALOG.models()]
    assert list_page(CATALOG, limit=len(ids))["has_more"] is False
    assert list_page(CATALOG, limit=len(ids) - 1)["has_more"] is True
    last = list_page(CATALOG, after_id=ids[-1])
    assert last == {"data": [], "has_more": False, "first_id": None, "last_id": None}
    first = list_page(CATALOG, before_id=ids[0])
    assert first == {"data": [], "has_more": False, "first_id": None, "last_id": None}
    # An alias works as a cursor, and so does a model outside the lifecycle filter.
    after_alias = list_page(CATALOG, after_id="claude-sonnet-4-5", limit=1000)
    assert [m["id"] for m in after_alias["data"]] == ids[ids.index("claude-sonnet-4-5-20250929") + 1 :]
    after_retired = list_page(CATALOG, after_id="claude-3-7-sonnet-20250219")
    assert after_retired["data"] == []
    between = list_page(CATALOG, after_id=ids[1], before_id=ids[5], limit=2)
    assert ([m["id"] for m in between["data"]], between["has_more"]) == (ids[2:4], True)
    assert list_page(CATALOG, lifecycle=[])["first_id"] == ids[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": 0}, "limit: Input should be greater than or equal to 1"),
        ({"limit": 1001}, "limit: Input should be less than or equal to 1000"),
        ({"limit": True}, "limit: Input should be a valid integer"),
        ({"after_id": "claude-nope"}, "after_id: Invalid model ID: claude-nope"),
        ({"before_id": "claude-nope"}, "before_id: Invalid model ID: claude-nope"),
        ({"lifecycle": ["active", "x"]}, "lifecycle.1: Input should be 'active', 'deprecated' or 'retired'"),
        ({"lifecycle": ["x"] * 4}, "lifecycle: List should have at most 3 items after validation, not 4"),
    ],
)
def test_list_page_rejects_bad_parameters(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        list_page(CATALOG, **kwargs)
    assert info.value.message == message
    assert info.value.status == 400


def test_limit_bounds_are_inclusive() -> None:
    assert len(list_page(CATALOG, limit=1)["data"]) == 1
    assert len(list_page(CATALOG, limit=1000, lifecycle=EVERY_STAGE)["data"]) == len(ALL)
