"""The pytest plugin, registered through the ``pytest11`` entry point (``pip install mockclaude`` is enough).

Fixtures:

- ``mockclaude_server`` (session): one :class:`~mockclaude.MockClaude` on 127.0.0.1 and a free port, served from
  its own thread and event loop, so the official sync client never deadlocks it. Under pytest-xdist every worker
  is its own session, hence its own server.
- ``mockclaude`` (function): the same mock, reset before the test (stubs, journal, scenarios, cache, usage,
  clock, ids); after the test, ``check()`` fails the test with near misses for unmatched requests in strict mode,
  unused ``once`` / ``times`` / ordered stubs and exceptions raised in ``respond_with`` callbacks.
- ``mockclaude_env``: ``mockclaude`` plus ``ANTHROPIC_BASE_URL`` / ``ANTHROPIC_API_KEY`` set for code that
  builds its own client (``ANTHROPIC_AUTH_TOKEN`` is removed); all three are restored after the test.
- ``mockclaude_app``: a factory of aiohttp applications for pytest-aiohttp's ``aiohttp_client(app)`` (served on
  the test's own loop: use the async SDK client there); ``MockClaude.of(app)`` scripts one.

Marker ``@pytest.mark.mockclaude(seed=..., strict=..., script=..., any_model=..., api_keys=..., tokenizer=...)``
(the keys of :class:`~mockclaude.MockOptions`): the settings apply to that test only, on the shared server. The
seed, ``any_model``, ``api_keys`` and the tokenizer rebuild the server's pipeline in place when they differ from
the previous test's (a few milliseconds); ``strict`` and ``script`` are applied by the reset itself. An unknown
key is an error. ``-p no:mockclaude`` turns the plugin off.

Record and replay: ``@pytest.mark.mockclaude(cassette="cassettes/weather.yaml", record_mode="none")`` (a path
relative to the test file; ``cassette=True``: ``cassettes/<module>/<test>.yaml``). The default mode is
``none``, so CI never leaves the machine; ``pytest --mockclaude-record-mode=once`` records the cassettes that do
not exist yet, ``=new_episodes`` what is missing from them, ``=all`` re-records every one
(``--mockclaude-upstream URL``, ``$MOCKCLAUDE_UPSTREAM_KEY``).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, Protocol, Unpack

import pytest

if TYPE_CHECKING:  # the plugin loads with pytest: import mockclaude only when a fixture is used
    from aiohttp import web

    from mockclaude.mock import MockClaude, MockOptions

_MOCKS = pytest.StashKey[list["MockClaude"]]()

MARKER = (
    "mockclaude(seed=0, strict=False, script=None, any_model=False, api_keys=None, tokenizer=None, "
    'rate_limits=None, time_scale=0, chaos=None, batch_seconds=0, tool_use="intent", cassette=None, '
    'record_mode="none", upstream=None, redact=(), redact_paths=(), recount=False): '
    "settings of the mockclaude fixture for this test (see mockclaude.MockOptions)"
)
DEFAULT_UPSTREAM = "https://api.anthropic.com"
UPSTREAM_ENV = "MOCKCLAUDE_UPSTREAM"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--mockclaude-record-mode`` and ``--mockclaude-upstream``: how tests with a cassette record."""
    group = parser.getgroup("mockclaude", "mockclaude record and replay")
    group.addoption(
        "--mockclaude-record-mode",
        choices=("none", "once", "new_episodes", "all"),
        default=None,
        help="record mode of every test with a cassette (default: each marker's, else none); "
        "all re-records them",
    )
    group.addoption(
        "--mockclaude-upstream",
        default=None,
        metavar="URL",
        help=f"API to record through (default: ${UPSTREAM_ENV}, else {DEFAULT_UPSTREAM}); "
        "the key: $MOCKCLAUDE_UPSTREAM_KEY, else the client's own",
    )


class AppFactory(Protocol):
    """The ``mockclaude_app`` fixture: ``mockclaude_app(**options) -> aiohttp.web.Application``."""

    def __call__(self, **options: Unpack[MockOptions]) -> web.Application: ...


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line("markers", MARKER)


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The test's marker keywords (closest marker wins per key, so a class marker can be refined per test)."""
    merged: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("mockclaude"))):
        if marker.args:
            raise pytest.UsageError(
                "@pytest.mark.mockclaude takes keyword arguments only (seed=..., strict=...)"
            )
        merged.update(marker.kwargs)
    if merged.get("cassette") not in (None, False):
        _cassette(request, merged)
    return merged


def _cassette(request: pytest.FixtureRequest, options: dict[str, Any]) -> None:
    """Resolve a test's cassette options: the path against the test file, the mode and the upstream."""
    import os
    from pathlib import Path

    here = Path(str(request.node.fspath)).parent
    cassette = options["cassette"]
    if cassette is True:
        module = Path(str(request.node.fspath)).stem
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        cassette = Path("cassettes") / module / f"{name}.yaml"
    path = Path(cassette)
    options["cassette"] = path if path.is_absolute() else here / path
    config = request.config
    options["record_mode"] = config.getoption("mockclaude_record_mode") or options.get("record_mode", "none")
    options.setdefault(
        "upstream",
        config.getoption("mockclaude_upstream") or os.environ.get(UPSTREAM_ENV) or DEFAULT_UPSTREAM,
    )


def _track(node: pytest.Item | Any, mock: MockClaude) -> None:
    stash = getattr(node, "stash", None)
    if stash is not None:
        stash.setdefault(_MOCKS, []).append(mock)


def session_server() -> MockClaude:
    """Import mockclaude and start the session's server (what ``mockclaude_server`` does; the bench times it)."""
    from mockclaude.boot import gc_paused

    with gc_paused():  # imports and the app build long-lived objects only (see gc_paused)
        from mockclaude.mock import MockClaude

        return MockClaude().start()


@pytest.fixture(scope="session")
def mockclaude_server() -> Iterator[MockClaude]:
    """The session's mock server (started once; stopped at the end of the session)."""
    mock = session_server()
    try:
        yield mock
    finally:
        mock.stop()


@pytest.fixture
def mockclaude(mockclaude_server: MockClaude, request: pytest.FixtureRequest) -> MockClaude:
    """The session's mock, reset for this test; ``check()`` runs when the test body returns."""
    mockclaude_server.reset(**_options(request))
    _track(request.node, mockclaude_server)
    return mockclaude_server


@pytest.fixture
def mockclaude_env(mockclaude: MockClaude, monkeypatch: pytest.MonkeyPatch) -> MockClaude:
    """``mockclaude`` with the environment pointing the SDK at it (``anthropic.Anthropic()`` just works)."""
    for name, value in mockclaude.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    return mockclaude


@pytest.fixture
def mockclaude_app(request: pytest.FixtureRequest) -> AppFactory:
    """A factory ``mockclaude_app(**options) -> aiohttp.web.Application`` for pytest-aiohttp's ``aiohttp_client``.

    Each application is a fresh mock (``MockClaude.of(app)`` scripts it) and is checked after the test like
    the ``mockclaude`` fixture.
    """
    from mockclaude.mock import MockClaude

    def make(**options: Unpack[MockOptions]) -> web.Application:
        mock = MockClaude(**{**_options(request), **options})
        _track(request.node, mock)
        return mock.app

    return make


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Run ``check()`` on the test's mocks in the call phase, so a surprise fails the test itself.

    When the test already failed, the mock's report is attached to it as a "mockclaude" section instead, next
    to the test's own error (an SDK error caused by an unmatched request then shows the near misses).
    """
    try:
        result = yield
    except BaseException:
        for mock in item.stash.get(_MOCKS, []):
            report = mock.report()
            if report:
                item.add_report_section("call", "mockclaude", report)
        raise
    for mock in item.stash.get(_MOCKS, []):
        mock.check()
    return result
