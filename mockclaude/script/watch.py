"""Reloading a fixture directory when its files change (``serve --fixtures DIR``).

The watcher polls modification times. A change reloads every file under the path in one step
(``StubRegistry.load(path, replace=True)``); a broken file keeps the last good script and logs each problem,
so editing fixtures can never take the server down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from mockclaude.engine.documents import KNOWN_SUFFIXES
from mockclaude.engine.issues import ScriptError
from mockclaude.engine.registry import StubRegistry

log = logging.getLogger("mockclaude.fixtures")

Snapshot = dict[str, tuple[int, int]]


class FixtureWatcher:
    """Polls ``path`` (a script file or directory) and reloads the registry's stubs from it on change.

    ``stubs`` is the registry, or a function returning the current one: a server whose pipeline is rebuilt (a new
    seed through ``/_mock/seed`` or a reset with a seed) gets a new registry, and reloads must go there.
    """

    def __init__(self, stubs: StubRegistry | Callable[[], StubRegistry], path: str | Path) -> None:
        self._stubs = stubs
        self.path = Path(path)
        self._seen = self._scan()
        self.reloads = 0
        self.failures = 0

    @property
    def stubs(self) -> StubRegistry:
        """The registry reloads go to."""
        return self._stubs if isinstance(self._stubs, StubRegistry) else self._stubs()

    def _scan(self) -> Snapshot:
        root = self.path
        try:
            files = (
                [root]
                if root.is_file()
                else [p for p in root.rglob("*") if p.suffix.lower() in KNOWN_SUFFIXES]
            )
            return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.is_file()}
        except OSError:
            return {}

    def poll(self) -> bool:
        """Reload when a file was added, removed or changed; True when the registry now holds the new stubs."""
        now = self._scan()
        if now == self._seen:
            return False
        self._seen = now
        try:
            stubs = self.stubs.load(self.path, replace=True)  # the registry current at reload time
        except ScriptError as exc:
            self.failures += 1
            log.error("fixtures under %s not reloaded (keeping the last good script):", self.path)
            for issue in exc.issues:
                log.error("  %s", issue)
            return False
        except Exception:  # a watcher must never take the server down
            self.failures += 1
            log.exception("fixtures under %s not reloaded", self.path)
            return False
        self.reloads += 1
        log.warning("reloaded %d stub%s from %s", len(stubs), "s" * (len(stubs) != 1), self.path)
        return True

    async def run(self, interval: float = 1.0) -> None:
        """Poll every ``interval`` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval)
            self.poll()
