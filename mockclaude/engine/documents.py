"""Reading script files into plain data, with the line of every path when the format can tell.

The engine reads JSON itself; other formats register a reader (``mockclaude.script`` registers YAML, the only
YAML user, so the engine never imports a YAML library: layers of ARCHITECTURE.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from mockclaude.engine.issues import Issue, ScriptError
from mockclaude.model.jsonbody import loads


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed script file: its data and, when known, the line of each path (``stubs[0].reply.text``)."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)


Reader = Callable[[Path], Document]
"""Reads one file; raises ``ScriptError`` (with a located issue) when the file cannot be parsed."""


def _read_json(path: Path) -> Document:
    try:
        return Document(loads(path.read_bytes()))  # nesting bounded as for request bodies
    except orjson.JSONDecodeError as exc:
        raise ScriptError([Issue(str(path), None, "", f"not valid JSON: {exc}")]) from None


_READERS: dict[str, Reader] = {".json": _read_json}
KNOWN_SUFFIXES = (".json", ".yaml", ".yml")
"""Suffixes a script directory is searched for."""


def register_reader(suffixes: Iterable[str], reader: Reader) -> None:
    """Let ``read_document`` read files with these suffixes (``mockclaude.script`` registers YAML)."""
    for suffix in suffixes:
        _READERS[suffix.lower()] = reader


def read_document(path: Path) -> Document:
    """Parse one script file by its suffix."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        hint = " (import mockclaude.script to read YAML)" if path.suffix.lower() in KNOWN_SUFFIXES else ""
        raise ScriptError([Issue(str(path), None, "", f"cannot read {path.suffix or 'this'} files{hint}")])
    try:
        return reader(path)
    except OSError as exc:
        raise ScriptError(
            [Issue(str(path), None, "", f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    except UnicodeDecodeError:  # a broken file is a script problem (a 400, a CLI message), never a 500
        raise ScriptError(
            [Issue(str(path), None, "", "cannot read the file: it is not UTF-8 text")]
        ) from None
    except RecursionError:
        raise ScriptError([Issue(str(path), None, "", "the file is nested too deeply")]) from None


MAX_SCAN = 10_000
"""The most directory entries a script directory scan visits (a directory path of ``/`` walked the disk)."""


def inside(path: Path | str, root: Path | str) -> bool:
    """Whether ``path``, symlinks resolved, is ``root`` or lies under it (symlinks resolved too); a path that is
    not one (a NUL byte) is not."""
    try:
        real, base = os.path.realpath(path), os.path.realpath(root)
    except (ValueError, OSError):
        return False
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def script_files(path: Path) -> list[Path]:
    """A file itself, or every script file under a directory (sorted, so load order is stable). Under a
    directory, a file whose real path lies outside it (a symlink out of the folder) is skipped, and so are hidden
    entries (``.git``, ``.venv``); past :data:`MAX_SCAN` entries the scan is refused."""
    try:
        if path.is_dir():
            found: list[Path] = []
            seen = 0
            for folder, dirs, files in os.walk(path):  # symlinked folders are not entered
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                seen += len(dirs) + len(files)
                if seen > MAX_SCAN:
                    problem = f"over {MAX_SCAN:,} entries: not a script folder"
                    raise ScriptError([Issue(str(path), None, "", problem)])
                for name in files:
                    p = Path(folder, name)
                    script = not name.startswith(".") and p.suffix.lower() in KNOWN_SUFFIXES
                    if script and p.is_file() and inside(p, path):
                        found.append(p)
            return sorted(found)
        if not path.exists():
            raise ScriptError([Issue(str(path), None, "", "no such file or directory")])
    except (ValueError, OSError) as exc:  # a NUL byte in the path, an unreadable folder
        raise ScriptError([Issue(repr(str(path))[1:-1], None, "", f"cannot read this path: {exc}")]) from None
    return [path]
