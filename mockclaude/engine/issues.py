"""Problems found in a stub or a script file, each with its location: file, line, stub name and path.

Compiling a stub never stops at the first problem: every issue is collected, so ``mockclaude validate`` and a
failing ``load`` report all of them at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def join(path: str, key: str | int) -> str:
    """``path`` extended by a mapping key or a list index: ``reply.content[0].type``, ``headers["x.y"]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    part = key if _IDENT.match(key) else '["' + key.replace('"', '\\"') + '"]'
    if not path:
        return part
    return f"{path}{part}" if part.startswith("[") else f"{path}.{part}"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: where it is and what is wrong."""

    source: str  # a file path, or "<api>" for stubs added from Python / the admin routes
    stub: str | None  # the stub's name, or its position ("stubs[3]") when it has none
    path: str  # inside the stub (or the file, for file-level problems), e.g. "reply.content[0].type"
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        stub = f" stub {self.stub!r}" if self.stub else ""
        path = f" at {self.path}" if self.path else ""
        return f"{where}:{stub}{path}: {self.message}" if stub or path else f"{where}: {self.message}"

    def to_json(self) -> dict[str, object]:
        """A JSON-able form (for the admin routes)."""
        return {
            "source": self.source,
            "line": self.line,
            "stub": self.stub,
            "path": self.path,
            "message": self.message,
        }


@dataclass(slots=True)
class Issues:
    """A collector bound to one stub (or one file): ``add(path, message)`` records an ``Issue``."""

    source: str = "<api>"
    stub: str | None = None
    root: str = ""  # the stub's path in its file ("stubs[2]"), to find line numbers
    lines: Mapping[str, int] = field(default_factory=dict)
    items: list[Issue] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        """Record a problem at ``path`` (relative to the stub)."""
        self.items.append(Issue(self.source, self.stub, path, message, self._line(path)))

    def _line(self, path: str) -> int | None:
        if not self.lines:
            return None
        if path and self.root:
            full = self.root + path if path.startswith("[") else f"{self.root}.{path}"
        else:
            full = path or self.root
        while full:
            if full in self.lines:
                return self.lines[full]
            cut = max(full.rfind("."), full.rfind("["))
            full = full[:cut] if cut > 0 else ""
        return self.lines.get("")

    def __bool__(self) -> bool:
        return bool(self.items)


class ScriptError(ValueError):
    """A stub or a script file is invalid; ``issues`` lists every problem with its location."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        count = len(self.issues)
        super().__init__(f"{count} problem{'s' * (count != 1)} in the script:\n{lines}")
