"""``mockclaude validate PATH...``: every problem of every script file, each with file, line, stub and path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mockclaude.engine.documents import script_files
from mockclaude.engine.issues import Issue, ScriptError
from mockclaude.engine.registry import StubRegistry


@dataclass(slots=True)
class Report:
    """What ``validate`` found: stubs and files checked, and every problem."""

    files: int = 0
    stubs: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is nothing to report."""
        return not self.issues


def validate(paths: Iterable[str | Path]) -> Report:
    """Check script files (or directories of them) as ``serve --fixtures`` would load them."""
    report = Report()
    for path in paths:
        try:
            files = script_files(Path(path))
        except ScriptError as exc:
            report.issues.extend(exc.issues)
            continue
        for file in files:
            report.files += 1
            try:
                report.stubs += len(StubRegistry().load(file))
            except ScriptError as exc:
                report.issues.extend(exc.issues)
    return report
