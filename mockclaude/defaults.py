"""Defaults the command line shows in ``--help`` and the library uses (layer 0, no imports).

They live here, not beside the code they configure, so that ``mockclaude --help`` and argument parsing do not
import the server: ``serve`` starts building the tokenizer before the heavy imports (see :mod:`mockclaude.cli`).
"""

from __future__ import annotations

DEFAULT_MAX_ENTRIES = 100_000
"""Prompt-cache entries kept before the least recently used is evicted (≈ 25 MB; tools/bench_cache.py)."""

RECORD_MODES = ("none", "once", "new_episodes", "all")
"""Record modes, as vcrpy names them (mockclaude/record/config.py says what each does)."""
UPSTREAM_KEY_ENV = "MOCKCLAUDE_UPSTREAM_KEY"
"""The environment variable holding the key a recording session sends upstream when none is given."""
