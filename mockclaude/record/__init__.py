"""Layer 5: record through a real upstream, replay offline (README "Record and replay").

The pure parts: what a session is told and what its mode means (``config``), redaction (``redact``), reading a
stream as it arrives (``sse``), writing exchanges as ordinary script files (``cassette``) and finding the
recordings the engine does not serve (``replay``). The proxy itself, the only part that talks HTTP, is
``server/recorder.py`` over ``server/proxy.py``; the engine serves Messages recordings (engine/recorded.py,
the ``request`` matcher of engine/canonical.py).
"""

from __future__ import annotations

from mockclaude.defaults import RECORD_MODES, UPSTREAM_KEY_ENV
from mockclaude.record.config import RecordConfig, RecordMode, check_mode
from mockclaude.record.redact import Redactor

__all__ = ["RECORD_MODES", "UPSTREAM_KEY_ENV", "RecordConfig", "RecordMode", "Redactor", "check_mode"]
