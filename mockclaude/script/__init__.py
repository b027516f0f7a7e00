"""Layer 5: script files (fixtures) — YAML reading, the published JSON Schema, ``mockclaude validate``, reloading.

Importing this package lets the engine read ``.yaml`` / ``.yml`` script files (the engine itself reads JSON
only, and never imports a YAML library). The server app imports it, so ``serve --fixtures`` and the test
facade read YAML without further ado.
"""

from __future__ import annotations

from mockclaude.engine.documents import register_reader
from mockclaude.script.yamlio import parse_yaml, read_yaml

register_reader((".yaml", ".yml"), read_yaml)

__all__ = ["parse_yaml", "read_yaml"]
