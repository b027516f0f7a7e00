"""Generated answers that cite the request's documents and search results (api-spec §3.3).

A ``document`` or ``search_result`` block with ``citations: {"enabled": true}`` can be cited. Sources are chunked
as the citations docs describe: plain text into sentences (``char_location``, character indices, end exclusive),
PDFs into the sentences of each page (``page_location``, 1-based pages, end exclusive), custom content and search
results by their text blocks (``content_block_location`` / ``search_result_location``, block indices, end
exclusive). ``cited_text`` is the chunk exactly as the source has it, so it is always a substring of the source
(for a PDF, of the text the mock reads from its page). ``document_index`` counts every ``document`` block of the
request and ``search_result_index`` every ``search_result`` block, each in the order they appear across messages
and tool results (SDK ``CitationsSearchResultLocation``). Documents given by URL or file id have no text the mock
can read, so they are never cited (they still count).

The answer follows the shape of recorded replies: an uncited lead-in, then one text block per cited chunk carrying
its citation (streamed as a ``citations_delta`` before the text), then an uncited closing line. The chunks cited
are those sharing most words with the question.
"""

from __future__ import annotations

import base64
import binascii
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mockclaude.engine import prose
from mockclaude.engine.plan import PlanBlock
from mockclaude.engine.view import RequestView
from mockclaude.model import wire
from mockclaude.model.reply import JSON
from mockclaude.tokenize.encoding import TokenCounter
from mockclaude.tokenize.media import pdf_page_texts

__all__ = ["Passage", "cited_answer", "passages", "sentence_spans"]

MAX_CITED = 3
"""At most this many chunks are cited in one answer. Not measured on the real models."""
MAX_CLAIM_CHARS = 300  # a longer chunk is restated in a generated sentence rather than repeated whole

# A sentence: up to terminal punctuation (and closing quotes/brackets) before whitespace, a blank line, or the end;
# its trailing whitespace belongs to it, as in the real API's chunks ("The grass is green. " then "The sky...").
_SENTENCE = re.compile(r"\S.*?(?:[.!?]+[\"')\]]*(?=\s|\Z)|(?=\n[ \t]*\n)|\Z)\s*", re.S)
_WORD = re.compile(r"[a-z0-9]{3,}")


@dataclass(frozen=True, slots=True)
class Passage:
    """One citable chunk of a source: its text as the source has it, and the citation that points at it."""

    text: str
    citation: JSON
    order: int  # position among all chunks of the request


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence chunk of ``text``; ``text[start:end]`` is the chunk."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]


def _enabled(block: Any) -> bool:
    cfg = getattr(block, "citations", None)
    return bool(cfg is not None and cfg.enabled)


def _sources(view: RequestView) -> Iterator[Any]:
    """``document`` and ``search_result`` blocks in request order: message content and tool results."""
    for message in view.messages:
        for block in message.content:
            if isinstance(block, wire.ToolResultBlock):
                yield from (
                    b for b in block.content if isinstance(b, wire.DocumentBlock | wire.SearchResultBlock)
                )
            elif isinstance(block, wire.DocumentBlock | wire.SearchResultBlock):
                yield block


def _document_chunks(doc: wire.DocumentBlock, index: int) -> Iterator[tuple[str, JSON]]:
    head: JSON = {"cited_text": "", "document_index": index, "document_title": doc.title}
    source = doc.source
    if isinstance(source, wire.PlainTextSource):
        for start, end in sentence_spans(source.data):
            cited = source.data[start:end]
            loc = {"start_char_index": start, "end_char_index": end}
            yield cited, {"type": "char_location", **head, "cited_text": cited, **loc, "file_id": None}
    elif isinstance(source, wire.ContentBlockSource):
        for i, item in enumerate(source.content):
            if isinstance(item, wire.TextBlock) and item.text.strip():
                loc = {"start_block_index": i, "end_block_index": i + 1}
                cite = {
                    "type": "content_block_location",
                    **head,
                    "cited_text": item.text,
                    **loc,
                    "file_id": None,
                }
                yield item.text, cite
    elif isinstance(source, wire.Base64PDFSource):
        try:
            data = base64.b64decode(source.data, validate=False)
        except (binascii.Error, ValueError):
            return
        for page, text in enumerate(pdf_page_texts(data), 1):
            for start, end in sentence_spans(text):
                cited = text[start:end]
                loc = {"start_page_number": page, "end_page_number": page + 1}
                yield cited, {"type": "page_location", **head, "cited_text": cited, **loc, "file_id": None}


def _search_chunks(result: wire.SearchResultBlock, index: int) -> Iterator[tuple[str, JSON]]:
    for i, item in enumerate(result.content):
        if item.text.strip():
            yield (
                item.text,
                {
                    "type": "search_result_location",
                    "cited_text": item.text,
                    "source": result.source,
                    "title": result.title,
                    "search_result_index": index,
                    "start_block_index": i,
                    "end_block_index": i + 1,
                },
            )


def passages(view: RequestView) -> list[Passage]:
    """Every citable chunk of the request, in request order (``[]`` when no source enables citations)."""
    out: list[Passage] = []
    documents = results = 0
    for block in _sources(view):
        if isinstance(block, wire.DocumentBlock):
            chunks = _document_chunks(block, documents) if _enabled(block) else iter(())
            documents += 1
        else:
            chunks = _search_chunks(block, results) if _enabled(block) else iter(())
            results += 1
        out += [Passage(text, cite, len(out) + k) for k, (text, cite) in enumerate(chunks)]
    return out


def _question_words(view: RequestView) -> frozenset[str]:
    for message in reversed(view.messages):
        if message.role == "user":
            text = " ".join(b.text for b in message.content if isinstance(b, wire.TextBlock))
            if text.strip():
                return frozenset(_WORD.findall(text.lower()))
    return frozenset()


def _lead_in(cited: list[Passage]) -> str:
    kinds = {p.citation["type"] == "search_result_location" for p in cited}
    if kinds == {True}:
        return "Based on the search results:\n"
    if kinds == {False}:
        many = len({p.citation["document_index"] for p in cited}) > 1
        return f"According to the document{'s' * many}:\n"
    return "According to the sources:\n"


def cited_answer(
    view: RequestView, counter: TokenCounter, words: random.Random, rng: random.Random
) -> list[PlanBlock]:
    """The planned blocks of an answer citing the request's sources; ``[]`` (and no draw from ``rng``) when the
    request has nothing citable. ``words`` draws the words of generated sentences (``engine.prose``)."""
    found = passages(view)
    if not found:
        return []
    asked = _question_words(view)
    count = min(len(found), rng.randint(1, MAX_CITED))
    ranked = sorted(found, key=lambda p: (-len(asked & set(_WORD.findall(p.text.lower()))), p.order))
    cited = sorted(ranked[:count], key=lambda p: p.order)

    def block(text: str, citations: list[JSON] | None = None) -> PlanBlock:
        return PlanBlock("text", text=text, tokens=counter.count(text), citations=citations or [])

    out = [block(_lead_in(cited))]
    for i, passage in enumerate(cited):
        claim = passage.text.strip()
        if len(claim) > MAX_CLAIM_CHARS:
            claim = prose.sentence(words, rng.randint(8, 16))
        # The separator rides on the claim: a whitespace-only block could not be sent back (it is a 400).
        out.append(block(claim + (" " if i < len(cited) - 1 else ""), [dict(passage.citation)]))
    out.append(block("\n\n" + prose.sentence(words, rng.randint(8, 16))))
    return out
