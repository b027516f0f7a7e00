"""``MockClaude``: the facade a test holds. The pytest plugin hands one out; it also works alone:

    with MockClaude() as mock:
        mock.expect(last_user_text={"contains": "weather"}).once().respond(text="Sunny, 21 °C")
        client = mock.client()  # or anthropic.Anthropic(base_url=mock.url, api_key="sk-mock")
        ...
    # leaving the block stops the server, then runs check()

Every method is a thin call into the pipeline's engine, journal, cache and clock: the same calls the
``/_mock/...`` admin routes make (DESIGN.md rule 9).
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self, Unpack

from aiohttp import web

from mockclaude.clock import Clock, ManualClock
from mockclaude.engine.journal import Journal, JournalEntry, problems, search, summary
from mockclaude.files import metadata as file_metadata
from mockclaude.mock.expectation import Expectation
from mockclaude.mock.options import MatchArgs, MockOptions, ScriptPath
from mockclaude.pipeline import Pipeline, Settings, check_tool_use
from mockclaude.record.config import RecordConfig, check_mode
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.recorder import RECORDER, Recorder
from mockclaude.server.runner import ServerThread

# Settings a pipeline is built with: changing one rebuilds the pipeline in place (see Pipeline.reconfigure).
_REBUILD_FIELDS = ("seed", "any_model", "api_keys", "tokenizer", "rate_limits", "time_scale", "chaos")


class CheckError(AssertionError):
    """``check()`` found a surprise: an unmatched request (strict mode), a stub not used up, or an exception
    raised in a reply callback."""


class CacheView:
    """A read-only view of the prompt cache (what ``GET /_mock/cache`` shows)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    def snapshot(
        self, *, api_key: str | None = None, model: str | None = None, limit: int = 100
    ) -> dict[str, Any]:
        """Counters, entries per (API key, model), and up to ``limit`` live entries, most recently used first."""
        return self._pipeline.cache.snapshot(api_key=api_key, model=model, limit=limit)

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The live entries (up to 100), most recently used first."""
        data: list[dict[str, Any]] = self.snapshot()["data"]
        return data

    def __len__(self) -> int:
        count: int = self.snapshot(limit=0)["entries"]
        return count

    def __repr__(self) -> str:
        return f"<CacheView {len(self)} entries>"


FACADE = web.AppKey("mockclaude_facade", object)


class MockClaude:
    """One mock: an aiohttp app, its pipeline, and (once started) a server thread on 127.0.0.1.

    ``options`` are :class:`~mockclaude.mock.options.MockOptions`. ``settings`` provides every other
    :class:`~mockclaude.pipeline.Settings` field (rate limits, latency, chaos...); ``options`` override it. The
    clock is ``clock``, else the clock of ``settings``, else a :class:`~mockclaude.clock.ManualClock`: time
    then moves only with ``mock.clock.advance(...)``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        path_prefix: str = "",
        clock: Clock | None = None,
        settings: Settings | None = None,
        **options: Unpack[MockOptions],
    ) -> None:
        base = settings or Settings(clock=ManualClock())
        self._base = base if clock is None else dataclasses.replace(base, clock=clock)
        self._defaults: MockOptions = _checked(options)
        self._clock_start = self._base.clock.now()
        self._pending: list[Expectation] = []
        self._url: str | None = None
        self.app = create_app(self._settings_for(options), path_prefix=path_prefix)
        """The aiohttp application (for pytest-aiohttp's ``aiohttp_client(mock.app)``)."""
        self.app[FACADE] = self
        self._server: ServerThread | None = ServerThread(self.app, host, port)
        self._load(options)

    @classmethod
    def of(cls, app: web.Application, *, url: str | None = None) -> MockClaude:
        """The facade of ``app``: the one a ``MockClaude`` / ``mockclaude_app`` built, or a new one over a
        ``create_app()`` app. ``url`` says where it is served when someone else serves it (pytest-aiohttp:
        ``str(client.make_url(""))``)."""
        mock = app.get(FACADE)
        if not isinstance(mock, MockClaude):
            mock = cls.__new__(cls)
            mock.app = app
            mock._base = app[PIPELINE].settings
            mock._defaults = {}
            mock._clock_start = mock._base.clock.now()
            mock._pending = []
            mock._server = None
            mock._url = None
        if url is not None:
            mock._url = url.rstrip("/")
        return mock

    # -- serving -------------------------------------------------------------------------------------------
    def start(self) -> Self:
        """Serve from a thread with its own event loop; returns once the socket accepts connections."""
        if self._server is None:
            raise RuntimeError("this app is served elsewhere (MockClaude.of(app)); it cannot start a server")
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._server is not None:
            self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        if exc_type is None:
            self.check()

    @property
    def url(self) -> str:
        """The base URL for clients: ``http://127.0.0.1:PORT``."""
        if self._url is not None:
            return self._url
        if self._server is None or not self._server.port:
            raise RuntimeError("not serving: call start() (or give MockClaude.of(app) the url)")
        return self._server.url

    @property
    def api_key(self) -> str:
        """A key the mock accepts: the first of ``api_keys``, else ``sk-mock``."""
        keys = self.pipeline.settings.api_keys
        return min(keys) if keys else "sk-mock"

    def env(self) -> dict[str, str]:
        """``ANTHROPIC_BASE_URL`` and ``ANTHROPIC_API_KEY`` for code that builds its own client."""
        return {"ANTHROPIC_BASE_URL": self.url, "ANTHROPIC_API_KEY": self.api_key}

    def client(self, **kwargs: Any) -> Any:
        """An official ``anthropic.Anthropic`` pointed at this mock (``kwargs`` go to the constructor)."""
        sdk = importlib.import_module("anthropic")  # a test dependency: never imported at run time
        return sdk.Anthropic(**{"base_url": self.url, "api_key": self.api_key, **kwargs})

    def async_client(self, **kwargs: Any) -> Any:
        """An official ``anthropic.AsyncAnthropic`` pointed at this mock."""
        sdk = importlib.import_module("anthropic")
        return sdk.AsyncAnthropic(**{"base_url": self.url, "api_key": self.api_key, **kwargs})

    # -- state ---------------------------------------------------------------------------------------------
    @property
    def pipeline(self) -> Pipeline:
        """The request path and its state: what the admin routes drive."""
        return self.app[PIPELINE]

    @property
    def seed(self) -> int:
        """The current seed."""
        return self.pipeline.seed

    @property
    def strict(self) -> bool:
        """Strict mode: an unmatched request gets a 400 naming the nearest stubs, and fails ``check()``."""
        return self.pipeline.engine.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self.pipeline.engine.strict = bool(value)

    @property
    def journal(self) -> Journal:
        """Every request since the last reset, with what was served (``mock.journal[-1].body``...)."""
        return self.pipeline.journal

    @property
    def clock(self) -> Clock:
        """The mock's clock (manual unless told otherwise: ``mock.clock.advance(minutes=5)``)."""
        return self.pipeline.settings.clock

    @property
    def cache(self) -> CacheView:
        """A read-only view of the prompt cache."""
        return CacheView(self.pipeline)

    def usage(self, *, api_key: str | None = None, model: str | None = None) -> dict[str, Any]:
        """Tokens and USD served per API key and model, with what caching saved."""
        return self.pipeline.ledger.report(api_key=api_key, model=model)

    def add_file(
        self,
        content: bytes | str,
        *,
        filename: str,
        mime_type: str | None = None,
        downloadable: bool = True,
        api_key: str | None = None,
    ) -> dict[str, Any]:
        """Put a file in an organization (``api_key``, default :attr:`api_key`) as a skill or the code execution
        tool would have created it: downloadable unless told otherwise. Returns its ``FileMetadata``."""
        data = content.encode() if isinstance(content, str) else content
        record = self.pipeline.files.add(
            api_key or self.api_key, data, filename=filename, mime_type=mime_type, downloadable=downloadable
        )
        return file_metadata(record)

    @property
    def stubs(self) -> list[dict[str, Any]]:
        """The registered stubs as JSON (id, name, source, lifetime, matched, remaining...)."""
        return self.pipeline.engine.stubs.list()

    @property
    def scenarios(self) -> dict[str, str]:
        """Every scenario that left its start state, with its state."""
        return self.pipeline.engine.scenarios.snapshot()

    def set_scenario(self, name: str, state: str) -> None:
        """Move scenario ``name`` to ``state``."""
        self.pipeline.engine.scenarios.set(name, state)

    def reset_scenarios(self, name: str | None = None) -> None:
        """Put one scenario (or all of them) back in its start state."""
        self.pipeline.engine.scenarios.reset(name)

    # -- scripting -----------------------------------------------------------------------------------------
    def expect(self, **match: Unpack[MatchArgs]) -> Expectation:
        """Start a stub for requests matching ``match`` (:class:`~mockclaude.mock.options.MatchArgs`; none:
        every request). Give it a reply with ``respond`` / ``respond_with`` / ``sequence``."""
        # Lambdas, not bound objects: a reset with a new seed rebuilds the pipeline's engine and journal.
        expectation = Expectation(lambda: self.pipeline.engine.stubs, lambda: self.journal.entries())
        self._pending.append(expectation._match(match))
        return expectation

    def use_cassette(
        self,
        path: ScriptPath,
        *,
        mode: str = "once",
        upstream: str | None = None,
        upstream_key: str | None = None,
        redact: Sequence[str] = (),
        redact_paths: Sequence[str] = (),
    ) -> RecordConfig:
        """Record and replay through ``path`` (a cassette file or directory) until :meth:`eject_cassette` or
        the next reset: requests replay from it or go to ``upstream`` and are recorded, as ``mode`` says
        (:class:`~mockclaude.mock.options.MockOptions` ``record_mode``). ``POST /_mock/cassette`` does the same."""
        config = RecordConfig(
            path=Path(path),
            mode=check_mode(mode),
            upstream=upstream,
            upstream_key=upstream_key,
            redact=tuple(redact),
            redact_paths=tuple(redact_paths),
        )
        self.recorder.start(config, self.pipeline)
        return config

    def eject_cassette(self) -> None:
        """End the recording session: its recordings leave the engine (what was recorded stays on disk)."""
        self.recorder.stop(self.pipeline)

    @property
    def recorder(self) -> Recorder:
        """The app's recording session (``recorder.config`` is None when none runs)."""
        return self.app[RECORDER]

    def load_script(self, path: ScriptPath) -> list[str]:
        """Load a script file or a directory of them (all or nothing); returns the new stubs' ids."""
        return [stub.id for stub in self.pipeline.engine.stubs.load(Path(path))]

    def reset(self, **options: Unpack[MockOptions]) -> None:
        """Back to a fresh mock: no stubs, empty journal, cache and usage, scenarios, rate limits and (manual)
        clock at their start, ids from the beginning. ``options`` apply until the next reset, on top of the
        constructor's."""
        wanted: MockOptions = {**self._defaults, **_checked(options)}
        settings = self._settings_for(wanted)
        pipeline = self.pipeline
        if any(getattr(pipeline.settings, f) != getattr(settings, f) for f in _REBUILD_FIELDS):
            pipeline.reconfigure(settings)
        else:
            if not settings.batch_seconds >= 0:  # as Pipeline() checks it (NaN included) when it rebuilds
                raise ValueError(f"batch_seconds: must be a number >= 0, got {settings.batch_seconds!r}")
            pipeline.settings.strict = settings.strict
            pipeline.settings.tool_use = check_tool_use(settings.tool_use)
            pipeline.settings.batch_seconds = settings.batch_seconds  # read when a batch is created
            pipeline.settings.recount = settings.recount
            pipeline.reset()
        if isinstance(self.clock, ManualClock):
            self.clock.set(self._clock_start)
        self._pending.clear()
        self._load(wanted)

    # -- checking ------------------------------------------------------------------------------------------
    def assert_called(
        self,
        times: int | None = None,
        *,
        endpoint: Literal["messages", "count_tokens", "batches"] = "messages",
        **match: Unpack[MatchArgs],
    ) -> list[JournalEntry]:
        """Assert requests matching ``match`` were received: at least one, or exactly ``times``. Returns them.

        The failure message lists every journaled request with the reasons it did not match.
        """
        entries = [e for e in self.journal.entries() if e.endpoint == endpoint]
        found, misses = search(entries, match, self.pipeline.policy)
        if (times is None and found) or len(found) == times:
            return found
        want = "at least 1" if times is None else str(times)
        lines = [f"expected {want} {endpoint} request(s) matching {dict(match) or '{}'}, got {len(found)}"]
        lines.extend(f"  {summary(entry)}: {'; '.join(why)}" for entry, why in misses)
        if not entries:
            lines.append(f"  (no {endpoint} requests in the journal)")
        raise CheckError("\n".join(lines))

    def report(self) -> str:
        """What ``check()`` would fail on, as text ("" when all is well)."""
        lines = problems(self.pipeline.engine, self.journal)
        for pending in self._pending:
            if not pending.answered:
                lines.append(f"expect(...) was never given a reply (respond...): {pending!r}")
        return "\n".join(lines)

    def check(self) -> None:
        """Raise :class:`CheckError` for unmatched requests in strict mode, stubs whose ``once`` / ``times`` /
        ordered / sequence lifetime was not used up, and exceptions raised in reply callbacks."""
        report = self.report()
        if report:
            raise CheckError("mockclaude check failed:\n" + report)

    # -- internals -----------------------------------------------------------------------------------------
    def _settings_for(self, options: MockOptions) -> Settings:
        keys = options.get("api_keys")
        return dataclasses.replace(
            self._base,
            seed=int(options.get("seed", self._base.seed)),
            strict=bool(options.get("strict", self._base.strict)),
            any_model=bool(options.get("any_model", bool(options.get("cassette")) or self._base.any_model)),
            api_keys=frozenset([keys] if isinstance(keys, str) else keys) if keys else self._base.api_keys,
            tokenizer=options.get("tokenizer") or self._base.tokenizer,
            rate_limits=options.get("rate_limits", self._base.rate_limits),
            time_scale=float(options.get("time_scale", self._base.time_scale)),
            chaos=options.get("chaos", self._base.chaos),
            batch_seconds=float(options.get("batch_seconds", self._base.batch_seconds)),
            tool_use=options.get("tool_use", self._base.tool_use),
            recount=bool(options.get("recount", self._base.recount)),
        )

    def _load(self, options: MockOptions) -> None:
        script = options.get("script")
        if script is not None:
            for path in [script] if isinstance(script, str | os.PathLike) else script:
                self.load_script(path)
        cassette = options.get("cassette")
        if cassette is None or cassette is False:
            if self.recorder.config is not None:
                self.eject_cassette()
            return
        if cassette is True:
            raise TypeError("cassette=True names a file by the test (the pytest plugin's); give a path here")
        self.use_cassette(
            cassette,
            mode=options.get("record_mode", "once"),
            upstream=options.get("upstream"),
            redact=options.get("redact", ()),
            redact_paths=options.get("redact_paths", ()),
        )

    def __repr__(self) -> str:
        where = self._url or (self._server.url if self._server and self._server.port else "not serving")
        return f"<MockClaude {where} seed={self.seed}>"


def _checked(options: MockOptions) -> MockOptions:
    """The options, or a TypeError naming the unknown ones (a typo in a marker must not pass silently)."""
    unknown = sorted(set(options) - set(MockOptions.__annotations__))
    if unknown:
        allowed = ", ".join(MockOptions.__annotations__)
        raise TypeError(f"unknown mockclaude option(s) {', '.join(map(repr, unknown))}; allowed: {allowed}")
    return options
