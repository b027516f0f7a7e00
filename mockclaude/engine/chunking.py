"""How generated content is cut into stream deltas. Decided here, in the engine, never in the renderer."""

from __future__ import annotations

import random
import re

from mockclaude.model.reply import JSON

_WORDS = re.compile(r"\s*\S+")


def text_chunks(text: str, rng: random.Random, *, min_words: int = 1, max_words: int = 4) -> list[str]:
    """Split ``text`` into delta pieces of a few words each; concatenated they give ``text`` back exactly."""
    if not text:
        return []
    pieces = _WORDS.findall(text)
    consumed = len("".join(pieces))
    if consumed < len(text):  # trailing whitespace the pattern leaves behind
        pieces.append(text[consumed:])
    out: list[str] = []
    i, total, span = 0, len(pieces), max_words - min_words + 1
    random_ = rng.random  # a uniform draw per chunk; randint's pure-Python path costs several times more
    while i < total:
        n = min_words + int(random_() * span)
        out.append("".join(pieces[i : i + n]))
        i += n
    return out


def json_chunks(payload: str, rng: random.Random) -> list[str]:
    """Split a JSON text into ``partial_json`` pieces: an empty first piece (as the real API sends), then
    pieces of 4-24 characters. Concatenated, they give ``payload`` back exactly."""
    out = [""]
    i = 0
    while i < len(payload):
        n = rng.randint(4, 24)
        out.append(payload[i : i + n])
        i += n
    return out


def sentence_chunks(text: str, rng: random.Random) -> list[str]:
    """``thinking_delta`` pieces: thinking arrives in "chunky" batches of one to three sentences."""
    if not text:
        return []
    sentences = re.findall(r"[^.!?\n]*[.!?\n]+\s*|[^.!?\n]+$", text)
    if "".join(sentences) != text:  # a shape the pattern does not cover: fall back to word chunks
        return text_chunks(text, rng, min_words=6, max_words=18)
    out: list[str] = []
    i = 0
    while i < len(sentences):
        n = rng.randint(1, 3)
        out.append("".join(sentences[i : i + n]))
        i += n
    return out


def text_deltas(chunks: list[str]) -> list[JSON]:
    """``text_delta`` objects for the chunks."""
    return [{"type": "text_delta", "text": c} for c in chunks]
