"""Generated answers cite ``document`` and ``search_result`` blocks that enable citations (api-spec §3.3): the right
citation type per source, ``cited_text`` exactly as the source has it, the request-wide indices; in JSON and as
``citations_delta`` events, which the SDK's stream accumulator turns back into the same citations."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import anthropic
import pytest

from mockclaude.engine.citing import sentence_spans
from mockclaude.tokenize.encoding import get_counter
from mockclaude.tokenize.media import pdf_page_texts
from tests import rawhttp
from tests.test_usage import pdf, png

MODEL = "claude-sonnet-4-6"
COUNTER = get_counter("claude-v1")
COLOURS = "The grass is green. The sky is blue. Water is wet.\n\nFire is hot, and ice is cold."
ON = {"enabled": True}


def text_doc(data: str, title: str | None = "Colours", citations: Any = ON) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": data},
    }
    if title is not None:
        doc["title"] = title
    if citations is not None:
        doc["citations"] = citations
    return doc


def ask(*content: Any, question: str, **extra: Any) -> dict[str, Any]:
    return {
        "model": MODEL,
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": [*content, {"type": "text", "text": question}]}],
        **extra,
    }


def both(client: anthropic.Anthropic, params: dict[str, Any]) -> anthropic.types.Message:
    """The created reply, after checking the SDK's stream accumulator builds the same message."""
    created = client.messages.create(**params)
    with client.messages.stream(**params) as stream:
        events = list(stream)
        final = stream.get_final_message()
    assert created.model_dump(exclude={"id"}) == final.model_dump(exclude={"id"})
    streamed = [e.citation.model_dump() for e in events if e.type == "citation"]
    assert streamed == [
        c.model_dump() for b in created.content if b.type == "text" for c in b.citations or []
    ]
    return created


def citations(message: anthropic.types.Message) -> list[dict[str, Any]]:
    return [c.model_dump() for b in message.content if b.type == "text" for c in b.citations or []]


def test_plain_text_document_gets_char_locations(client: anthropic.Anthropic) -> None:
    message = both(client, ask(text_doc(COLOURS), question="What colour is the sky?"))
    assert message.stop_reason == "end_turn"
    found = citations(message)
    assert found and all(c["type"] == "char_location" for c in found)
    spans = sentence_spans(COLOURS)
    for cite in found:
        assert cite["cited_text"] == COLOURS[cite["start_char_index"] : cite["end_char_index"]]
        assert (cite["start_char_index"], cite["end_char_index"]) in spans
        assert cite["document_index"] == 0 and cite["document_title"] == "Colours" and cite["file_id"] is None
    # The chunk sharing most words with the question is cited; chunks keep their trailing space, as the API's do.
    assert {"type": "char_location", "cited_text": "The sky is blue. ", "document_index": 0,
            "document_title": "Colours", "start_char_index": 20, "end_char_index": 37, "file_id": None} in found  # fmt: skip
    first, *cited, last = message.content
    assert (first.type, first.citations) == ("text", None) and first.text == "According to the document:\n"  # type: ignore[union-attr]
    assert [b.citations is not None for b in cited] == [True] * len(cited)  # type: ignore[union-attr]
    assert last.citations is None and last.text.startswith("\n\n")  # type: ignore[union-attr]
    # cited_text is not output: the usage counts the answer's text only.
    text = "".join(b.text for b in message.content if b.type == "text")
    assert message.usage.output_tokens == sum(
        COUNTER.count(b.text) for b in message.content if b.type == "text"
    )
    assert all(not b.text.isspace() for b in message.content if b.type == "text") and text


def test_the_stream_starts_cited_blocks_with_empty_citations(server: Any) -> None:
    body = {**ask(text_doc(COLOURS), question="What colour is the sky?"), "stream": True}
    response = rawhttp.post(server.url + "/v1/messages", json_body=body)
    events = [json.loads(f.split("data: ", 1)[1]) for f in response.text.strip().split("\n\n")]
    cited = {
        e["index"]
        for e in events
        if e["type"] == "content_block_delta" and e["delta"]["type"] == "citations_delta"
    }
    assert cited
    for event in events:
        if event["type"] == "content_block_start":
            start = event["content_block"]
            assert start == ({"type": "text", "text": "", "citations": []} if event["index"] in cited else {"type": "text", "text": ""})  # fmt: skip
    for index in cited:  # the citation comes before the block's text
        kinds = [
            e["delta"]["type"] for e in events if e["type"] == "content_block_delta" and e["index"] == index
        ]
        assert kinds[0] == "citations_delta" and set(kinds[1:]) == {"text_delta"}


def test_pdf_pages_get_page_locations(client: anthropic.Anthropic) -> None:
    pages = [
        "The answer is 42. It was computed by a machine.",
        "Page two talks about the blue sky. Nothing else.",
    ]
    doc = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": pdf(pages)},
           "title": "Report", "citations": ON}  # fmt: skip
    message = both(client, ask(doc, question="What is said about the sky?"))
    found = citations(message)
    assert found and all(c["type"] == "page_location" for c in found)
    for cite in found:
        page = cite["start_page_number"]
        assert cite["end_page_number"] == page + 1 and cite["cited_text"] in pages[page - 1]
        assert cite["document_index"] == 0 and cite["document_title"] == "Report"
    assert {"type": "page_location", "cited_text": "Page two talks about the blue sky. ", "document_index": 0,
            "document_title": "Report", "start_page_number": 2, "end_page_number": 3, "file_id": None} in found  # fmt: skip


def test_custom_content_gets_content_block_locations(client: anthropic.Anthropic) -> None:
    blocks = [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png(8, 8)}},
        {"type": "text", "text": "Minutes of the meeting."},
        {"type": "text", "text": "The budget for the sky project was approved."},
    ]
    doc = {"type": "document", "source": {"type": "content", "content": blocks}, "citations": ON}
    message = both(client, ask(doc, question="Was the sky project budget approved?"))
    found = citations(message)
    assert found and all(c["type"] == "content_block_location" for c in found)
    for cite in found:
        start = cite["start_block_index"]
        assert cite["end_block_index"] == start + 1 and cite["cited_text"] == blocks[start]["text"]
        assert start in (1, 2) and cite["document_title"] is None  # the image is indexed, never cited
    assert {"type": "content_block_location", "cited_text": "The budget for the sky project was approved.",
            "document_index": 0, "document_title": None, "start_block_index": 2, "end_block_index": 3,
            "file_id": None} in found  # fmt: skip


def search_result(source: str, *texts: str) -> dict[str, Any]:
    return {"type": "search_result", "source": source, "title": source.rsplit("/", 1)[-1].upper(),
            "content": [{"type": "text", "text": t} for t in texts], "citations": ON}  # fmt: skip


def test_search_results_in_a_tool_result_get_search_result_locations(client: anthropic.Anthropic) -> None:
    tool = {"name": "kb_search", "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}}
    first = search_result("https://kb/a", "Alpha is the first letter.")
    second = search_result("https://kb/b", "Unrelated text.", "Our refund policy lasts thirty days.")
    messages = [
        {"role": "user", "content": [first, {"type": "text", "text": "How long does the refund policy last?"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01", "name": "kb_search", "input": {"q": "refund"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": [second]}]},
    ]  # fmt: skip
    message = both(client, {"model": MODEL, "max_tokens": 1024, "tools": [tool], "messages": messages})
    assert message.stop_reason == "end_turn"
    found = citations(message)
    assert found and all(c["type"] == "search_result_location" for c in found)
    sources = [first, second]
    for cite in found:
        result = sources[cite["search_result_index"]]
        start = cite["start_block_index"]
        assert (cite["source"], cite["title"]) == (result["source"], result["title"])
        assert cite["end_block_index"] == start + 1 and cite["cited_text"] == result["content"][start]["text"]
    assert {"type": "search_result_location", "cited_text": "Our refund policy lasts thirty days.",
            "source": "https://kb/b", "title": "B", "search_result_index": 1, "start_block_index": 1,
            "end_block_index": 2} in found  # fmt: skip
    assert message.content[0].text == "Based on the search results:\n"  # type: ignore[union-attr]


def test_document_index_counts_every_document_in_the_request(client: anthropic.Anthropic) -> None:
    url_doc = {
        "type": "document",
        "source": {"type": "url", "url": "https://example.com/a.pdf"},
        "citations": ON,
    }
    messages = [
        {"role": "user", "content": [url_doc, text_doc("Cats purr when content.", "Cats"), {"type": "text", "text": "Read these."}]},
        {"role": "assistant", "content": "Done."},
        {"role": "user", "content": [text_doc("Saturn has rings of ice.", "Planets"), {"type": "text", "text": "What are Saturn's rings made of?"}]},
    ]  # fmt: skip
    message = both(client, {"model": MODEL, "max_tokens": 1024, "messages": messages})
    found = citations(message)
    assert {c["document_index"] for c in found} <= {1, 2}  # the URL document (0) has no text to cite
    assert {"type": "char_location", "cited_text": "Saturn has rings of ice.", "document_index": 2,
            "document_title": "Planets", "start_char_index": 0, "end_char_index": 24, "file_id": None} in found  # fmt: skip


@pytest.mark.parametrize("config", [None, {"enabled": False}])
def test_no_citations_unless_enabled(client: anthropic.Anthropic, config: Any) -> None:
    message = both(client, ask(text_doc(COLOURS, citations=config), question="What colour is the sky?"))
    assert citations(message) == [] and [b.type for b in message.content] == ["text"]


def test_a_cut_keeps_the_citation_of_the_cut_block(client: anthropic.Anthropic) -> None:
    params = ask(text_doc(COLOURS), question="What colour is the sky?")
    whole = client.messages.create(**params)
    lead = COUNTER.count(whole.content[0].text)  # type: ignore[union-attr]
    cut = both(client, {**params, "max_tokens": lead + 2})
    assert cut.stop_reason == "max_tokens" and cut.usage.output_tokens == lead + 2
    assert [b.type for b in cut.content] == ["text", "text"]
    assert cut.content[1].citations == whole.content[1].citations  # type: ignore[union-attr]
    assert whole.content[1].text.startswith(cut.content[1].text)  # type: ignore[union-attr]


def test_a_cited_reply_can_be_sent_back(client: anthropic.Anthropic) -> None:
    params = ask(text_doc(COLOURS), question="What colour is the sky?")
    first = client.messages.create(**params)
    messages = [*params["messages"], first.to_param(),
                {"role": "user", "content": "And the grass?"}]  # fmt: skip
    again = both(client, {**params, "messages": messages})
    assert "The grass is green. " in [c["cited_text"] for c in citations(again)]


def test_pdf_page_texts_follow_the_page_tree() -> None:
    # Pages whose objects come in another order than the tree's /Kids, one with two content streams, one plain.
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [5 0 R 3 0 R] /Count 2 >>",
        3: b"<< /Type /Page /Parent 2 0 R /Contents [4 0 R 7 0 R] >>",
        4: b"<< /Length 30 >>\nstream\nBT (Second page.) Tj ET\nendstream",
        5: b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R >>",
        6: b"<< /Length 30 /Filter /FlateDecode >>\nstream\n" + zlib.compress(b"BT (First page.) Tj ET") + b"\nendstream",
        7: b"<< /Length 30 >>\nstream\nBT [(More) -300 (text.)] TJ ET\nendstream",
    }  # fmt: skip
    raw = b"%PDF-1.4\n" + b"".join(b"%d 0 obj\n%s\nendobj\n" % (n, body) for n, body in objects.items())
    assert pdf_page_texts(raw) == ["First page.", "Second page.\nMore text."]
    assert pdf_page_texts(b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj") == []
    assert pdf_page_texts(base64.b64decode(pdf(["One.", "Two."]))) == ["One.", "Two."]
