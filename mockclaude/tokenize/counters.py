"""The token counter protocol and its two implementations (tiktoken-backed and characters-based).

:mod:`mockclaude.tokenize.backends` builds them from data; :func:`mockclaude.tokenize.encoding.get_counter` is the
public way to get one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import tiktoken

__all__ = ["CharsCounter", "TiktokenCounter", "TokenCounter", "TokenizerUnavailableError"]


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


class TiktokenCounter:
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


class CharsCounter:
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
