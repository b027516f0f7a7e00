"""Named scenarios: small state machines that stubs read (``requires``) and move (``sets``), as WireMock's.

Every scenario starts in ``STARTED``. A stub with ``scenario: checkout, requires: paid`` only matches while
``checkout`` is in state ``paid``; ``sets: shipped`` moves it once the stub has served a reply.
"""

from __future__ import annotations

import threading

STARTED = "started"
"""The state of a scenario nothing has moved yet."""


class Scenarios:
    """Scenario name -> current state. Thread-safe; ``reset`` puts every scenario back to ``STARTED``."""

    def __init__(self) -> None:
        self._states: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> str:
        """The current state of ``name`` (``STARTED`` when never set)."""
        return self._states.get(name, STARTED)

    def set(self, name: str, state: str) -> None:
        """Move ``name`` to ``state``."""
        with self._lock:
            self._states[name] = state

    def reset(self, name: str | None = None) -> None:
        """Back to ``STARTED``: one scenario, or all of them."""
        with self._lock:
            if name is None:
                self._states.clear()
            else:
                self._states.pop(name, None)

    def snapshot(self) -> dict[str, str]:
        """Every scenario that left ``STARTED``, with its state (JSON-able)."""
        with self._lock:
            return dict(self._states)
