"""mockclaude: an offline, deterministic stand-in for Claude's Messages API.

The public API, importable from the package root::

    from mockclaude import MockClaude

Names are resolved on first use (PEP 562), so ``import mockclaude`` stays cheap and the layers below never
import the facade by accident; ``__init__.pyi`` gives type checkers the same names.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "MockClaude": "mockclaude.mock",
    "Expectation": "mockclaude.mock",
    "CheckError": "mockclaude.mock",
    "MockOptions": "mockclaude.mock",
    "MatchArgs": "mockclaude.mock",
    "ReplyArgs": "mockclaude.mock",
    "Settings": "mockclaude.pipeline",
    "Clock": "mockclaude.clock",
    "ManualClock": "mockclaude.clock",
    "SystemClock": "mockclaude.clock",
    "Journal": "mockclaude.engine.journal",
    "JournalEntry": "mockclaude.engine.journal",
    "ScriptError": "mockclaude.engine.issues",
    "create_app": "mockclaude.server.app",
    "ServerThread": "mockclaude.server.runner",
    "ApiError": "mockclaude.model.errors",
    "InvalidRequestError": "mockclaude.model.errors",
    "AuthenticationError": "mockclaude.model.errors",
    "RateLimitError": "mockclaude.model.errors",
    "OverloadedError": "mockclaude.model.errors",
    "InternalServerError": "mockclaude.model.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mockclaude' has no attribute {name!r}")
    from mockclaude.boot import gc_paused

    with gc_paused():  # the first public name imports most of the package (see gc_paused)
        value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
