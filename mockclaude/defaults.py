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

MAX_TIME_SCALE = 1000.0
"""The largest ``time_scale``: a thousand times a model's real latency is minutes a reply, never for ever."""
MAX_BATCH_SECONDS = 1e9
"""The largest ``batch_seconds`` (about 31 years: any batch that long has expired after its 24 hours anyway)."""


def check_pacing(time_scale: object, batch_seconds: object) -> None:
    """Refuse (``ValueError``, naming the field) a ``time_scale`` or ``batch_seconds`` that would stall every later
    reply or batch (``time_scale: 1e308`` paced every reply for ever; NaN kept batches running for ever)."""
    if not (isinstance(time_scale, int | float) and 0 <= time_scale <= MAX_TIME_SCALE):
        raise ValueError(f"time_scale: must be a number from 0 to {MAX_TIME_SCALE:g}, got {time_scale!r}")
    if not (isinstance(batch_seconds, int | float) and 0 <= batch_seconds <= MAX_BATCH_SECONDS):
        raise ValueError(
            f"batch_seconds: must be a number from 0 to {MAX_BATCH_SECONDS:g}, got {batch_seconds!r}"
        )
