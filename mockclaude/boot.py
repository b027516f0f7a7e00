"""Start-up helpers shared by the entry points (layer 0, stdlib only)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while long-lived state is built (module imports, the app).

    Importing the request models and the engine, and loading the tokenizer, allocate only objects that live as
    long as the process; a collection in the middle frees nothing but scans everything, and inside a test session
    (the SDK and pytest already loaded, a large heap) one full collection costs about 100 ms of the start-up
    budget. Nests: only the outermost pause turns the collector back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
