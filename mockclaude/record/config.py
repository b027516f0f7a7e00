"""What a recording session is told (``--upstream``, ``--record``, ``--record-mode``...), and what its mode means.

Modes, as vcrpy names them:

======================  ==============================  ===============================================
mode                    recordings served               a request nothing recorded answers
======================  ==============================  ===============================================
``none``                yes                             a 400 naming the nearest recording and its difference
``once``                yes, when the cassette exists   goes upstream and is recorded, when it does not
                                                        (then like ``all``); else as ``none``
``new_episodes``        yes                             goes upstream and is appended
``all``                 no                              every request goes upstream; the cassette is written
                                                        afresh with this session's exchanges
======================  ==============================  ===============================================

A recording is played once (each exchange is a stub with ``times: 1``): a request sent twice needs two
recordings, as with vcrpy's default. What a session records it does not replay to itself: the client already had
that answer from the upstream, so a retry of a recorded 529 goes upstream again and is recorded after it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urlsplit, urlunsplit

from mockclaude.defaults import RECORD_MODES, UPSTREAM_KEY_ENV
from mockclaude.engine.canonical import DEFAULT_IGNORE
from mockclaude.engine.documents import KNOWN_SUFFIXES

RecordMode = Literal["none", "once", "new_episodes", "all"]
assert get_args(RecordMode) == RECORD_MODES
CASSETTE_NAME = "cassette.yaml"
"""The file new recordings go to when ``--record`` names a directory."""


def check_mode(value: object) -> RecordMode:
    """``value`` when it names a record mode, else a ValueError naming the modes."""
    if value not in RECORD_MODES:
        raise ValueError(f"record mode: must be one of {', '.join(RECORD_MODES)}, got {value!r}")
    return value  # type: ignore[return-value]


def public_url(url: str) -> str:
    """``url`` without credentials, query or fragment: what a cassette may say about where it was recorded."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


@dataclass(frozen=True, slots=True)
class RecordConfig:
    """A recording session: where the cassette is, the mode, the upstream and the redaction rules.

    ``path`` is a cassette file (``.yaml``, ``.yml``, ``.json``) or a directory: every script file under it is
    replayed and new recordings go to ``cassette.yaml`` in it. ``upstream_key`` replaces the client's own key
    upstream (else the ``MOCKCLAUDE_UPSTREAM_KEY`` environment variable, else the client's key goes through).
    ``redact`` (regular expressions) and ``redact_paths`` (JSON paths) add to the built-in redaction;
    ``ignore`` are the request paths a new cassette leaves out of matching.
    """

    path: Path
    mode: RecordMode = "once"
    upstream: str | None = None
    upstream_key: str | None = None
    redact: tuple[str, ...] = ()
    redact_paths: tuple[str, ...] = ()
    ignore: tuple[str, ...] = DEFAULT_IGNORE
    env_key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        check_mode(self.mode)
        if self.upstream is not None:
            parts = urlsplit(self.upstream)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"upstream: expected an http(s) URL, got {self.upstream!r}")
        if self.env_key is None:
            object.__setattr__(self, "env_key", os.environ.get(UPSTREAM_KEY_ENV) or None)

    @property
    def target(self) -> Path:
        """The file new recordings are written to."""
        if self.path.suffix.lower() in KNOWN_SUFFIXES and not self.path.is_dir():
            return self.path
        return self.path / CASSETTE_NAME

    @property
    def key(self) -> str | None:
        """The key sent upstream in place of the client's (None: the client's own goes through)."""
        return self.upstream_key or self.env_key or None

    def existing(self) -> bool:
        """Whether the cassette already holds a file to replay (what ``once`` decides on)."""
        if self.path.is_dir():
            return any(p.is_file() and p.suffix.lower() in KNOWN_SUFFIXES for p in self.path.rglob("*"))
        return self.path.is_file()

    def plan(self) -> tuple[bool, bool]:
        """``(replays, records)`` for this mode and the cassette as it is now (see the module's table)."""
        if self.mode == "none":
            return True, False
        if self.mode == "new_episodes":
            return True, True
        if self.mode == "once" and self.existing():
            return True, False
        return False, True

    def needs_upstream(self) -> bool:
        """Whether this session may send requests upstream (so an upstream URL is required)."""
        return self.plan()[1]
