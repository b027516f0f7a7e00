"""Admin routes for scripting and inspection: stubs, scripts, journal, check, reset, seed, scenarios."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from mockclaude.engine.chaos import Chaos, ChaosConfig
from mockclaude.engine.documents import inside
from mockclaude.engine.issues import ScriptError
from mockclaude.engine.journal import problems, search
from mockclaude.engine.stubs import Stub, check_file
from mockclaude.model.errors import (
    InvalidRequestError,
    NotFoundError,
)
from mockclaude.pipeline import TOOL_USE_RULES, Pipeline
from mockclaude.server.admin.base import (
    Hdrs,
    Out,
    Req,
    _int_query,
    admin_route,
    json_object,
)
from mockclaude.server.respond import json_response
from mockclaude.tokenize.encoding import TokenizerUnavailableError, get_counter

# -- stubs and scripts ------------------------------------------------------------------------------------------


def _script_error(exc: ScriptError) -> InvalidRequestError:
    return InvalidRequestError(str(exc), details={"issues": [issue.to_json() for issue in exc.issues]})


def _add_all(pipeline: Pipeline, specs: list[Any], source: str) -> list[Stub]:
    """Add stubs all or nothing (a bad one removes the ones added before it)."""
    stubs = pipeline.engine.stubs
    added: list[Stub] = []
    try:
        for spec in specs:
            added.append(stubs.add(spec, source=source))
    except ScriptError as exc:
        for stub in added:
            stubs.remove(stub.id)
        raise _script_error(exc) from None
    return added


def _confined(pipeline: Pipeline, path: str, field: str) -> None:
    """Refuse a script path outside ``Settings.script_root`` (``serve``: the fixtures folder, else its working
    directory), before anything is read: an admin caller must not make the server read, and echo parts of, any
    file it can open."""
    root = pipeline.settings.script_root
    if root is not None and not inside(path, root):
        raise InvalidRequestError(
            f"{field}: scripts are read only from {os.path.realpath(root)} (serve --script-root changes it)"
        )


@admin_route("GET", "/stubs")
async def list_stubs(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/stubs``: every stub in matching order, with its counters."""
    return json_response({"data": pipeline.engine.stubs.list()}, headers)


@admin_route("POST", "/stubs")
async def add_stubs(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/stubs``: one stub entry of the script vocabulary, or ``{"stubs": [...]}``."""
    data = await json_object(request, None)
    specs = data["stubs"] if set(data) == {"stubs"} else [data]
    if not isinstance(specs, list):
        raise InvalidRequestError("stubs: Input should be a valid list")
    added = _add_all(pipeline, specs, "<admin>")
    return json_response({"data": [stub.describe() for stub in added]}, headers)


@admin_route("DELETE", "/stubs")
async def clear_stubs(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``DELETE /_mock/stubs``: remove every stub."""
    count = len(pipeline.engine.stubs)
    pipeline.engine.stubs.clear()
    return json_response({"deleted": count}, headers)


@admin_route("DELETE", "/stubs/{stub_id}")
async def delete_stub(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``DELETE /_mock/stubs/{id}``: remove one stub (404 when there is none)."""
    stub_id = request.match_info["stub_id"]
    if not pipeline.engine.stubs.remove(stub_id):
        raise NotFoundError(f"stub: {stub_id}")
    return json_response({"deleted": 1}, headers)


@admin_route("POST", "/script")
async def load_script(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/script``: ``{"path": ...}`` (a file or directory the server can read; ``"replace": true``
    first drops what was loaded from it) or ``{"script": {"version": 1, "stubs": [...]}}``. All or nothing."""
    data = await json_object(request, frozenset({"path", "replace", "script"}))
    if ("path" in data) == ("script" in data):
        raise InvalidRequestError("give exactly one of path or script")
    if "path" in data:
        if not isinstance(data["path"], str):
            raise InvalidRequestError("path: Input should be a valid string")
        _confined(pipeline, data["path"], "path")
        try:
            stubs = pipeline.engine.stubs.load(data["path"], replace=data.get("replace") is True)
        except ScriptError as exc:
            raise _script_error(exc) from None
    else:
        try:
            entries = check_file(data["script"], "<admin script>", {})
        except ScriptError as exc:
            raise _script_error(exc) from None
        stubs = _add_all(pipeline, [entry for entry, _ in entries], "<admin script>")
    return json_response({"data": [stub.describe() for stub in stubs]}, headers)


# -- journal, check, reset, seed, scenarios ------------------------------------------------------------------


@admin_route("GET", "/journal")
async def get_journal(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/journal``: the kept requests, oldest first (``?limit=N``: the last N; ``?unmatched=true``)."""
    entries = pipeline.journal.entries()
    if request.query.get("unmatched", "").lower() in ("1", "true"):
        entries = [e for e in entries if e.unmatched]
    limit = _int_query(request, "limit", len(entries), minimum=0)
    entries = entries[len(entries) - limit :] if limit < len(entries) else entries
    payload = {"data": [e.to_json() for e in entries], "total": pipeline.journal.total}
    return json_response(payload, headers)


@admin_route("GET", "/journal/unmatched")
async def get_unmatched(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/journal/unmatched``: requests no stub matched, each with ``near_misses`` (stub, reasons)."""
    data = []
    for entry in pipeline.journal.unmatched():
        near = pipeline.engine.near_misses(entry.request) if entry.request is not None else []
        data.append({**entry.to_json(), "near_misses": near})
    return json_response({"data": data}, headers)


@admin_route("POST", "/journal/search")
async def search_journal(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/journal/search {"match": {...}, "endpoint": "messages"}``: what ``assert_called`` reads."""
    data = await json_object(request, frozenset({"match", "endpoint"}))
    match = data.get("match") or {}
    endpoint = data.get("endpoint", "messages")
    if not isinstance(match, dict):
        raise InvalidRequestError("match: Input should be a valid dictionary")
    entries = [e for e in pipeline.journal.entries() if e.endpoint == endpoint]
    try:
        found, misses = search(entries, match, pipeline.policy)
    except ScriptError as exc:
        raise _script_error(exc) from None
    payload = {
        "count": len(found),
        "data": [e.to_json() for e in found],
        "misses": [{"index": e.index, "reasons": why} for e, why in misses],
    }
    return json_response(payload, headers)


@admin_route("DELETE", "/journal")
async def clear_journal(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``DELETE /_mock/journal``: forget every entry."""
    count = len(pipeline.journal)
    pipeline.journal.clear()
    return json_response({"deleted": count}, headers)


@admin_route("GET", "/check")
async def check(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/check``: unmatched requests (strict mode), stubs not used up, callback errors."""
    lines = problems(pipeline.engine, pipeline.journal)
    return json_response({"ok": not lines, "problems": lines}, headers)


_RESET_KEYS = frozenset(
    {
        "seed",
        "strict",
        "any_model",
        "api_keys",
        "tokenizer",
        "script",
        "rate_limits",
        "time_scale",
        "chaos",
        "batch_seconds",
        "tool_use",
    }
)


@admin_route("POST", "/reset")
async def reset(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/reset``: stubs, journal, cache, usage, scenarios, rate limits and ids back to a fresh
    instance's; the optional options change the settings from now on (a new seed rebuilds the mock)."""
    data = await json_object(request, _RESET_KEYS)
    settings = pipeline.settings
    changes: dict[str, Any] = {}
    if "tool_use" in data:
        if data["tool_use"] not in TOOL_USE_RULES:
            raise InvalidRequestError(f"tool_use: Input should be one of {', '.join(TOOL_USE_RULES)}")
        changes["tool_use"] = data["tool_use"]
    for key, kind in (("seed", int), ("strict", bool), ("any_model", bool), ("tokenizer", str)):
        if key in data:
            if not isinstance(data[key], kind) or (kind is int and isinstance(data[key], bool)):
                raise InvalidRequestError(f"{key}: Input should be a valid {kind.__name__}")
            changes[key] = data[key]
    if "api_keys" in data:
        keys = data["api_keys"]
        if keys is not None and not (isinstance(keys, list) and all(isinstance(k, str) and k for k in keys)):
            raise InvalidRequestError("api_keys: Input should be a list of non-empty strings, or null")
        changes["api_keys"] = frozenset(keys) if keys else None
    if "rate_limits" in data:  # a tier name or "RPM,ITPM,OTPM[,N]"; null turns them off
        if data["rate_limits"] is not None and not isinstance(data["rate_limits"], str):
            raise InvalidRequestError("rate_limits: Input should be a valid string or null")
        changes["rate_limits"] = data["rate_limits"]
    for key in ("time_scale", "chaos", "batch_seconds"):
        if key in data:
            value = data[key]
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                raise InvalidRequestError(f"{key}: Input should be a non-negative number")
            changes[key] = value if key == "chaos" else (value or 0.0)
    script = data.get("script")
    paths = [script] if isinstance(script, str) else script or []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise InvalidRequestError("script: Input should be a path or a list of paths")
    for path in paths:
        _confined(pipeline, path, "script")
    if "tokenizer" in changes:
        if changes["tokenizer"].startswith("file:"):  # admin callers read files only under the script root
            _confined(pipeline, os.path.expanduser(changes["tokenizer"].removeprefix("file:")), "tokenizer")
        try:  # before rebuilding: a rebuild that fails half-way would leave a broken mock
            get_counter(changes["tokenizer"])
        except (ValueError, TokenizerUnavailableError) as exc:
            raise InvalidRequestError(f"tokenizer: {exc}") from None
    # A broken --fixtures file is a 400 naming its problems, never a 500: a rebuild then changes nothing; a plain
    # reset has reset everything else and loads the file again once it is fixed (serve reloads it on change).
    if any(getattr(settings, k) != v for k, v in changes.items() if k not in ("strict", "tool_use")):
        try:  # the new state is built aside first: bad settings leave the mock as it was
            pipeline.reconfigure(dataclasses.replace(settings, **changes))
        except ScriptError as exc:  # (a ValueError too)
            raise _script_error(exc) from None
        except ValueError as exc:  # e.g. an unknown rate-limit tier
            raise InvalidRequestError(str(exc)) from None
    else:
        settings.strict = changes.get("strict", settings.strict)
        settings.tool_use = changes.get("tool_use", settings.tool_use)
        try:
            pipeline.reset()
        except ScriptError as exc:
            raise _script_error(exc) from None
    try:
        for path in paths:
            pipeline.engine.stubs.load(path)
    except ScriptError as exc:
        raise _script_error(exc) from None
    return json_response({"seed": pipeline.seed, "strict": pipeline.engine.strict}, headers)


@admin_route("GET", "/seed")
async def get_seed(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/seed``: ``{"seed": N}``."""
    return json_response({"seed": pipeline.seed}, headers)


@admin_route("POST", "/seed")
async def set_seed(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/seed {"seed": N}``: a new seed rebuilds the mock (a fresh instance, as ``--seed N``)."""
    data = await json_object(request, frozenset({"seed"}))
    seed = data.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidRequestError("seed: Input should be a valid integer")
    if seed != pipeline.seed:
        try:  # a broken --fixtures file: a 400 naming its problems, the seed unchanged
            pipeline.reconfigure(dataclasses.replace(pipeline.settings, seed=seed))
        except ScriptError as exc:
            raise _script_error(exc) from None
    return json_response({"seed": pipeline.seed}, headers)


@admin_route("POST", "/strict")
async def set_strict(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/strict {"strict": true}``: turn strict mode on or off (until the next reset)."""
    data = await json_object(request, frozenset({"strict"}))
    if not isinstance(data.get("strict"), bool):
        raise InvalidRequestError("strict: Input should be a valid boolean")
    pipeline.engine.strict = data["strict"]
    return json_response({"strict": pipeline.engine.strict}, headers)


@admin_route("GET", "/strict")
async def get_strict(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/strict``: ``{"strict": bool}``."""
    return json_response({"strict": pipeline.engine.strict}, headers)


def _chaos_json(pipeline: Pipeline) -> dict[str, Any]:
    return {"chaos": pipeline.chaos.config.rate if pipeline.chaos is not None else 0.0}


@admin_route("GET", "/chaos")
async def get_chaos(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/chaos``: ``{"chaos": rate}`` (0: off)."""
    return json_response(_chaos_json(pipeline), headers)


@admin_route("POST", "/chaos")
async def set_chaos(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/chaos {"chaos": 0.2}``: the share of Messages requests that fail (0 or null: off), from now
    on, without resetting anything else (``POST /_mock/reset {"chaos": ...}`` does the same and resets)."""
    data = await json_object(request, frozenset({"chaos"}))
    rate = data.get("chaos")
    if rate is not None and (
        isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1
    ):
        raise InvalidRequestError("chaos: Input should be a number between 0 and 1, or null")
    current = pipeline.settings.chaos
    if rate:  # keep a configured mix and retry-after; only the rate changes
        config = dataclasses.replace(current, rate=float(rate)) if isinstance(current, ChaosConfig) else None
        config = config or ChaosConfig(rate=float(rate))
        pipeline.settings.chaos, pipeline.chaos = config, Chaos(pipeline.seed, config)
    else:
        pipeline.settings.chaos, pipeline.chaos = None, None
    return json_response(_chaos_json(pipeline), headers)


@admin_route("GET", "/scenarios")
async def get_scenarios(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``GET /_mock/scenarios``: every scenario that left its start state."""
    return json_response({"scenarios": pipeline.engine.scenarios.snapshot()}, headers)


@admin_route("POST", "/scenarios")
async def set_scenario(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``POST /_mock/scenarios {"name": ..., "state": ...}``: move a scenario."""
    data = await json_object(request, frozenset({"name", "state"}))
    for key in ("name", "state"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise InvalidRequestError(f"{key}: Input should be a non-empty string")
    pipeline.engine.scenarios.set(data["name"], data["state"])
    return json_response({"scenarios": pipeline.engine.scenarios.snapshot()}, headers)


@admin_route("DELETE", "/scenarios")
async def reset_scenarios(request: Req, pipeline: Pipeline, headers: Hdrs) -> Out:
    """``DELETE /_mock/scenarios`` (``?name=``): back to the start state."""
    pipeline.engine.scenarios.reset(request.query.get("name"))
    return json_response({"scenarios": pipeline.engine.scenarios.snapshot()}, headers)
