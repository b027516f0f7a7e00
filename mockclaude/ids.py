"""Seeded, content-addressed ids and signatures (DESIGN.md rule 3: one source of nondeterminism).

Every id is a pure function of ``(seed, fingerprint, occurrence, kind)``: the same request sent again gets a new
id (occurrence moves on) while its content stays the same, and one test's ids never depend on another's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections import OrderedDict

# Base58 without 0/O/I/l, as the real ids look (msg_01XFDUDYJgAACzvnptvVoYEL).
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


_BYTE_TO_CHAR = [_ALPHABET[b % 58] for b in range(256)]


def _encode(digest: bytes, length: int) -> str:
    # One character per byte (byte mod 58): a slight bias, irrelevant for opaque ids, and no bignum arithmetic.
    return "".join([_BYTE_TO_CHAR[b] for b in digest[:length]])


def derive(seed: int, *parts: object) -> bytes:
    """32 bytes determined by the seed and the parts; the root of every id and generated value."""
    h = hashlib.blake2b(digest_size=32, key=seed.to_bytes(16, "big", signed=True))
    for part in parts:
        h.update(str(part).encode())
        h.update(b"\x1f")
    return h.digest()


def make_id(prefix: str, seed: int, *parts: object) -> str:
    """An id in the 2026 form: ``msg_011C`` + 20 base58 characters (24 after the underscore)."""
    return f"{prefix}_011C{_encode(derive(seed, prefix, *parts), 20)}"


def message_id(seed: int, fingerprint: str, occurrence: int) -> str:
    """``msg_…`` for the ``occurrence``-th reply to the request with this fingerprint."""
    return make_id("msg", seed, fingerprint, occurrence)


def tool_use_id(seed: int, fingerprint: str, occurrence: int, index: int, server: bool = False) -> str:
    """``toolu_01…`` or ``srvtoolu_01…`` for the block at ``index`` (22 chars after ``01``, as real ids)."""
    prefix = "srvtoolu" if server else "toolu"
    return f"{prefix}_01{_encode(derive(seed, prefix, fingerprint, occurrence, index), 22)}"


def batch_id(seed: int, fingerprint: str, occurrence: int) -> str:
    """``msgbatch_01…`` (22 chars after ``01``, as real batch ids): the ``occurrence``-th batch of this body."""
    return f"msgbatch_01{_encode(derive(seed, 'msgbatch', fingerprint, occurrence), 22)}"


def skill_id(seed: int, *parts: object) -> str:
    """``skill_01…`` (22 chars after ``01``, as the docs' ``skill_01AbCdEfGhIjKlMnOpQrStUv``)."""
    return f"skill_01{_encode(derive(seed, 'skill', *parts), 22)}"


def request_id(seed: int, counter: int) -> str:
    """``req_011C…`` for the ``counter``-th request the server received."""
    return make_id("req", seed, counter)


def _secret(seed: int) -> bytes:
    return derive(seed, "thinking-signature-secret")


_SIG_MAGIC = b"\x12\xa4"  # base64 of bytes starting 0x12 0xa4 begins "Eq", like the real signatures


def sign_thinking(seed: int, thinking: str, nonce: bytes = b"") -> str:
    """The ``signature`` of a thinking block: a MAC of its text under the seed's secret.

    ``nonce`` (any bytes, hashed to 16) makes two blocks with the same text (``display: "omitted"`` blocks are
    all empty) get different signatures; it travels inside the signature, so verification needs only the text.
    The result is shaped like the real ones (base64, starting ``Eq``, a few hundred characters).
    """
    n16 = hashlib.blake2b(nonce, digest_size=16).digest()
    mac = hmac.new(_secret(seed), n16 + thinking.encode(), hashlib.sha256).digest()
    padding = hashlib.sha512(mac).digest() + hashlib.sha512(mac[::-1]).digest()
    return base64.b64encode(_SIG_MAGIC + n16 + mac + padding).decode()


def verify_thinking(seed: int, thinking: str, signature: str) -> bool:
    """True when ``signature`` is what this mock (with this seed) issued for ``thinking``."""
    try:
        raw = base64.b64decode(signature.encode(), validate=True)
    except (ValueError, UnicodeEncodeError):
        return False
    if len(raw) != 2 + 16 + 32 + 128 or raw[:2] != _SIG_MAGIC:
        return False
    n16, mac = raw[2:18], raw[18:50]
    expected = hmac.new(_secret(seed), n16 + thinking.encode(), hashlib.sha256).digest()
    return hmac.compare_digest(mac, expected)


def redacted_data(seed: int, fingerprint: str, index: int) -> str:
    """Opaque ``data`` of a ``redacted_thinking`` block."""
    raw = derive(seed, "redacted", fingerprint, index) * 6
    return base64.b64encode(b"\x12\x6c" + raw).decode()


OCCURRENCES_KEPT = 100_000
"""How many distinct fingerprints :class:`Occurrences` remembers (about 10 MB)."""


class Occurrences:
    """How many times each fingerprint was seen: the ``occurrence`` of its ids. Thread-safe and bounded: the
    least recently seen fingerprints are forgotten past ``limit`` (a long soak of unique requests grew without
    end), so a request not repeated for ``limit`` other fingerprints counts from 0 again."""

    def __init__(self, limit: int = OCCURRENCES_KEPT) -> None:
        self.limit = max(1, limit)
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def next(self, fingerprint: str) -> int:
        """This fingerprint's occurrence (0 the first time), counting it."""
        with self._lock:
            n = self._counts.pop(fingerprint, 0)
            self._counts[fingerprint] = n + 1
            if len(self._counts) > self.limit:
                self._counts.popitem(last=False)
            return n

    def clear(self) -> None:
        """Forget every count."""
        with self._lock:
            self._counts.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._counts)
