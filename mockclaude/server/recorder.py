"""The recording proxy: ``mockclaude serve --upstream URL --record DIR [--record-mode MODE]``.

A ``Recorder`` sits in front of every API route (an aiohttp middleware; the ``/_mock/`` routes are the mock's
own). While a session runs (``start``), each request is either replayed or sent upstream, by the mode
(record/config.py):

- ``POST /v1/messages`` replays through the pipeline as usual: the cassette's stubs are loaded into the engine,
  which serves recordings like any stub (journal, ``--recount``, and in strict mode a miss is the 400 naming the
  nearest recording and how the request differs from it). When the mode records, a request no recording would
  answer (asked of the engine without counting a use) goes upstream instead;
- every other route (count_tokens, models, batches, chat completions...) replays from the same stubs here
  (record/replay.py), or goes upstream.

What goes upstream is relayed to the client as it arrives and then written to the cassette, redacted
(record/redact.py), as one stub. Recordings made in a session are not replayed to it (the client already had
them), but their thinking signatures are accepted when the client sends them back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from aiohttp import web

from mockclaude.engine.canonical import DEFAULT_IGNORE, DEFAULT_RULES
from mockclaude.engine.issues import Issues, ScriptError
from mockclaude.engine.matchers import DEFAULT_ROUTE
from mockclaude.engine.recorded import compile_recorded, frame, replay_headers
from mockclaude.engine.view import RequestView
from mockclaude.model.errors import ApiError, InvalidRequestError
from mockclaude.pipeline import Pipeline
from mockclaude.record.cassette import Cassette, Exchange
from mockclaude.record.config import RecordConfig, public_url
from mockclaude.record.redact import Redactor
from mockclaude.record.replay import find, live_request, miss_message, recorded_answer
from mockclaude.script.check import validate as validate_scripts
from mockclaude.server.admin import admin_route
from mockclaude.server.admin.base import json_object
from mockclaude.server.proxy import SSE, forward, upstream_headers, upstream_url
from mockclaude.server.respond import JSON_TYPE, base_headers, error_response, json_response, organization_id
from mockclaude.server.stream import wait_for_client

log = logging.getLogger("mockclaude")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NO_RETRY = {"x-should-retry": "false"}
COUNT_ROUTE = "POST /v1/messages/count_tokens"
RECORDED_BASE = "http://recorded.upstream.invalid"
"""What a recording writes in place of the proxy's own base URL (in a batch's ``results_url``); a replay writes
its own base URL back, so the client fetches the results from the replaying mock."""


class RecorderError(ValueError):
    """A session cannot start: no upstream for a mode that records, or a cassette that does not load."""


class Recorder:
    """The recording session of one app; inactive (every request passes straight through) until ``start``."""

    def __init__(self, path_prefix: str = "") -> None:
        self.prefix = "/" + path_prefix.strip("/") if path_prefix.strip("/") else ""
        self.config: RecordConfig | None = None
        self.replays = False
        self.records = False
        self.cassette: Cassette | None = None
        self.redactor = Redactor()
        self._rules = DEFAULT_RULES
        self._loaded: tuple[int, int] | None = None
        self._client: aiohttp.ClientSession | None = None

    # -- the session -----------------------------------------------------------------------------------------
    def start(self, config: RecordConfig, pipeline: Pipeline) -> None:
        """Begin a session: decide what the mode does with this cassette, load what it replays."""
        replays, records = config.plan()
        if records and config.upstream is None:
            raise RecorderError(f"record mode {config.mode} sends requests upstream: give --upstream URL")
        if not records and not config.existing():
            raise RecorderError(
                f"no cassette at {config.path} to replay (record mode {config.mode}): record it first "
                "(record mode once or new_episodes, with an upstream)"
            )
        if config.mode != "all" and config.target.is_file():  # appended to: it must be a sound script first
            report = validate_scripts([config.target])
            if not report.ok:
                problems = "\n".join(f"  {issue}" for issue in report.issues)
                raise RecorderError(f"cannot record into {config.target}:\n{problems}")
        cassette = Cassette(config.target, fresh=config.mode == "all")
        recording = cassette.recording
        try:
            redactor = Redactor(
                [*recording.get("redact", []), *config.redact],
                [*recording.get("redact_paths", []), *config.redact_paths],
            )
        except ValueError as exc:
            raise RecorderError(str(exc)) from None
        upstream = public_url(config.upstream) if config.upstream else None
        self._rules = cassette.configure(upstream, redactor, config.ignore)
        redactor.add_secret(config.key)
        self.stop(pipeline)
        self.config, self.replays, self.records = config, replays, records
        self.cassette, self.redactor = cassette, redactor
        self.sync(pipeline)

    def stop(self, pipeline: Pipeline | None = None) -> None:
        """End the session: the cassette's stubs leave the engine, strict mode is what the settings say."""
        config, self.config = self.config, None
        if config is not None and pipeline is not None and self.replays:
            registry = pipeline.engine.stubs
            root = str(config.path)
            for stub in registry.stubs():
                if stub.source == root or stub.source.startswith(root.rstrip("/") + "/"):
                    registry.remove(stub.id)
            pipeline.engine.strict = pipeline.settings.strict
        self.replays = self.records = False
        self._loaded = None

    def sync(self, pipeline: Pipeline) -> None:
        """Load the cassette into the engine again if its stubs were dropped (a reset, a new seed)."""
        registry = pipeline.engine.stubs
        if self.config is None or self._loaded == (id(registry), registry.epoch):
            return
        if self.replays:
            if self.config.existing():
                try:
                    registry.load(self.config.path)
                except ScriptError as exc:
                    raise RecorderError(f"cannot load the cassette {self.config.path}:\n{exc}") from None
            pipeline.engine.strict = True  # a miss is an error, never a generated reply
        self._loaded = (id(registry), registry.epoch)

    def describe(self) -> str:
        """One line for the server's banner: what the session does."""
        config = self.config
        if config is None:
            return "no recording session"
        if not self.records:
            return (
                f"Replaying {config.path} (record mode {config.mode}): a request nothing recorded gets a 400."
            )
        verb = "replaying what it holds and recording" if self.replays else "recording"
        upstream = public_url(config.upstream) if config.upstream else "?"
        return f"Proxying {upstream}, {verb} into {config.target} (record mode {config.mode})."

    async def close(self, app: web.Application | None = None) -> None:
        """Close the connection pool to the upstream (the app's cleanup)."""
        if self._client is not None:
            await self._client.close()
            self._client = None

    # -- one request -----------------------------------------------------------------------------------------
    async def handle(self, request: web.Request, handler: Handler, pipeline: Pipeline) -> web.StreamResponse:
        """Replay ``request``, or send it upstream and record what comes back."""
        try:
            self.sync(pipeline)
            body = await request.read()
        except RecorderError as exc:
            log.error("%s", exc)
            return self._error(pipeline, InvalidRequestError(str(exc), headers=dict(NO_RETRY)))
        except web.HTTPException:
            return await handler(request)  # an oversized body: the endpoint answers its 413
        route = (
            request.path[len(self.prefix) :]
            if self.prefix and request.path.startswith(self.prefix + "/")
            else request.path
        )
        key = f"{request.method} {route}"
        if key == COUNT_ROUTE and self.replays and pipeline.settings.recount:
            return await handler(request)  # --recount: the mock counts, as it does for replayed usage
        if key == DEFAULT_ROUTE:
            if self.replays and (not self.records or self._replayable(pipeline, body, request)):
                return await handler(request)
        elif self.replays:
            parsed = _json(body)
            live = live_request(parsed, dict(request.query))
            stream = isinstance(parsed, dict) and bool(parsed.get("stream"))
            stub = find(pipeline.engine.stubs.stubs(), key, live, stream)
            if stub is not None:
                return await self._serve(request, recorded_answer(stub), pipeline)
            if not self.records:
                mode = self.config.mode if self.config else "none"
                text = miss_message(pipeline.engine.stubs.stubs(), key, live, stream, mode)
                return self._error(pipeline, InvalidRequestError(text, headers=dict(NO_RETRY)))
        if not self.records:
            return await handler(request)
        try:
            return await self._proxy(request, route, body, pipeline)
        except ApiError as error:
            return self._error(pipeline, error)

    def _replayable(self, pipeline: Pipeline, body: bytes, request: web.Request) -> bool:
        """Whether the engine has a recording for this Messages request (asked without counting a use)."""
        headers = {name.lower(): value for name, value in request.headers.items()}
        try:
            front = pipeline.front(body, headers, "messages")
        except ApiError:
            return False  # the mock would refuse it: the upstream decides
        return pipeline.engine.stubs.would_match(RequestView(front.req))

    async def _proxy(
        self, request: web.Request, route: str, body: bytes, pipeline: Pipeline
    ) -> web.StreamResponse:
        config, cassette = self.config, self.cassette
        assert config is not None and config.upstream is not None and cassette is not None
        for name in ("x-api-key", "authorization"):
            self.redactor.add_secret(request.headers.get(name))
        url = upstream_url(config.upstream, route, request.query_string)
        own, theirs = self._base(request).encode(), config.upstream.rstrip("/").encode()
        messages = f"{request.method} {route}" == DEFAULT_ROUTE
        answer, relayed = await forward(
            self._session(),
            request,
            url,
            body,
            upstream_headers(request.headers, config.key),
            None if messages else (lambda content: content.replace(theirs, own)),
        )
        if not relayed.complete:
            return answer
        self.redactor.add_secret(relayed.headers.get("anthropic-organization-id"))
        content = relayed.content
        if content and not messages:
            content = content.replace(own, RECORDED_BASE.encode())
        exchange = Exchange(
            method=request.method,
            route=route,
            query=dict(request.query),
            body=_json(body),
            status=relayed.status,
            headers=relayed.headers,
            content=content,
            events=relayed.events,
            ms=relayed.ms,
        )
        stub = cassette.add(exchange, self.redactor, self._rules)
        cassette.save()
        spec = compile_recorded(stub["reply"]["recorded"], Issues(), "recorded")
        if spec is not None:  # the client may send these thinking blocks back next turn
            pipeline.engine.stubs.signatures.update(spec.signatures)
        return answer

    def _base(self, request: web.Request) -> str:
        """This server's base URL as the client reached it (origin and path prefix)."""
        return f"{request.scheme}://{request.host}{self.prefix}"

    def _session(self) -> aiohttp.ClientSession:
        if self._client is None or self._client.closed:
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=600)
            self._client = aiohttp.ClientSession(timeout=timeout, auto_decompress=True, trust_env=False)
        return self._client

    async def _serve(self, request: web.Request, spec: Any, pipeline: Pipeline) -> web.StreamResponse:
        """Write a recorded answer as recorded, paced by its times multiplied by ``time_scale``."""
        settings = pipeline.settings
        scale = settings.time_scale
        headers = replay_headers(spec.headers, framing=True)
        if spec.events is None:
            if scale > 0 and not await wait_for_client(request, settings.clock, spec.ms / 1000.0 * scale):
                return web.Response(status=200)  # the client left: never sent
            content = orjson.dumps(spec.body) if spec.text is None else spec.text.encode()
            content = content.replace(RECORDED_BASE.encode(), self._base(request).encode())
            headers.setdefault("content-type", JSON_TYPE)
            return web.Response(status=spec.status, body=content, headers=headers)
        headers.setdefault("content-type", SSE)
        answer = web.StreamResponse(status=spec.status, headers=headers)
        await answer.prepare(request)
        previous = 0.0
        try:
            for at, name, data in spec.events:
                wait = max(at - previous, 0.0) / 1000.0 * scale
                previous = max(previous, at)
                if wait > 0 and not await wait_for_client(request, settings.clock, wait):
                    return answer
                await answer.write(frame(name, data))
            await answer.write_eof()
        except ConnectionResetError:
            pass
        return answer

    def _error(self, pipeline: Pipeline, error: ApiError) -> web.Response:
        headers = base_headers(
            pipeline.next_request_id(), organization_id(pipeline.seed), pipeline.settings.clock
        )
        return error_response(error, headers)


def _json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


RECORDER = web.AppKey("recorder", Recorder)


_CASSETTE_KEYS = frozenset({"path", "mode", "upstream", "upstream_key", "redact", "redact_paths", "ignore"})


@admin_route("POST", "/cassette")
async def start_cassette(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``POST /_mock/cassette {"path", "mode", "upstream", "redact", "redact_paths", "ignore"}``: start a
    recording session (``MockClaude.use_cassette``); ``GET`` shows it, ``DELETE`` ends it."""
    data = await json_object(request, _CASSETTE_KEYS)
    if not isinstance(data.get("path"), str):
        raise InvalidRequestError("path: Input should be a valid string (a cassette file or directory)")
    lists = {k: data.get(k, []) for k in ("redact", "redact_paths", "ignore")}
    if not all(isinstance(v, list) and all(isinstance(i, str) for i in v) for v in lists.values()):
        raise InvalidRequestError("redact, redact_paths, ignore: Input should be a list of strings")
    try:
        config = RecordConfig(
            path=Path(data["path"]),
            mode=data.get("mode", "once"),
            upstream=data.get("upstream"),
            upstream_key=data.get("upstream_key"),
            redact=tuple(lists["redact"]),
            redact_paths=tuple(lists["redact_paths"]),
            ignore=tuple(lists["ignore"]) if "ignore" in data else DEFAULT_IGNORE,
        )
        request.app[RECORDER].start(config, pipeline)
    except ValueError as exc:  # RecorderError included
        raise InvalidRequestError(str(exc)) from None
    return await get_cassette(request, pipeline, headers)


@admin_route("GET", "/cassette")
async def get_cassette(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``GET /_mock/cassette``: the session (``{"active": false}`` when none runs)."""
    recorder = request.app[RECORDER]
    config = recorder.config
    if config is None:
        return json_response({"active": False}, headers)
    cassette = recorder.cassette
    payload = {
        "active": True,
        "path": str(config.path),
        "target": str(config.target),
        "mode": config.mode,
        "upstream": public_url(config.upstream) if config.upstream else None,
        "replays": recorder.replays,
        "records": recorder.records,
        "recorded": len(cassette.stubs) if cassette is not None else 0,
        "summary": recorder.describe(),
    }
    return json_response(payload, headers)


@admin_route("DELETE", "/cassette")
async def stop_cassette(
    request: web.Request, pipeline: Pipeline, headers: dict[str, str]
) -> web.StreamResponse:
    """``DELETE /_mock/cassette``: end the session (what it recorded stays on disk)."""
    request.app[RECORDER].stop(pipeline)
    return json_response({"active": False}, headers)
