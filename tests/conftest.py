"""Shared fixtures: one mock server per test session, official SDK clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread


@pytest.fixture(scope="session")
def server() -> Iterator[ServerThread]:
    """A mock server (seed 0) on 127.0.0.1 and a free port, for the whole session."""
    with ServerThread(create_app(Settings(seed=0), path_prefix="/anthropic")) as srv:
        yield srv


@pytest.fixture
def client(server: ServerThread) -> anthropic.Anthropic:
    """The official sync client (API version 2026-10-21, Bearer auth) with retries off."""
    return anthropic.Anthropic(base_url=server.url, api_key="sk-test", max_retries=0)


@pytest.fixture
def aclient(server: ServerThread) -> anthropic.AsyncAnthropic:
    """The official async client."""
    return anthropic.AsyncAnthropic(base_url=server.url, api_key="sk-test", max_retries=0)
