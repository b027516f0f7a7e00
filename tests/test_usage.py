"""Input accounting: the documented ``count_tokens`` examples, a pinned table of requests, and the invariant
``count_tokens == usage.input_tokens + cache_creation_input_tokens + cache_read_input_tokens``, through the SDK."""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import anthropic
import pytest

from mockclaude import ids
from mockclaude.model.catalog import get_catalog

MODEL = "claude-sonnet-4-5"  # the model of the documented examples (api-spec §11)
pytestmark = pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")


# --- synthetic media: headers with the size in them are all the mock reads ---------------------------------


def jpeg(width: int, height: int) -> str:
    """A JPEG (JFIF + baseline frame header) of the given size, base64."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = (
        b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x01\x03\x11\x01"
    )
    return base64.b64encode(b"\xff\xd8" + app0 + sof + b"\xff\xd9").decode()


def png(width: int, height: int) -> str:
    """A PNG with a real IHDR (and a CRC), base64."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + chunk).decode()


def gif(width: int, height: int) -> str:
    """A GIF89a logical screen descriptor, base64."""
    return base64.b64encode(b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;").decode()


def webp(width: int, height: int) -> str:
    """A WebP (VP8X extended header), base64."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return base64.b64encode(b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x).decode()


def pdf(pages: list[str], box: tuple[int, int] = (612, 792)) -> str:
    """A valid PDF, one Helvetica line of text per page in a Flate-compressed content stream, base64."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    for i, text in enumerate(pages):
        page = f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {box[0]} {box[1]}] /Contents {4 + 2 * i} 0 R"
        objects.append(page.encode() + b" /Resources " + font + b" >>")
        data = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data))
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return base64.b64encode(out).decode()


def image_block(data: str, media_type: str = "image/jpeg") -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


# --- the documented examples (DOCS token-counting.md, claude-sonnet-4-5) --------------------------------------

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Get the current weather in a given location",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"}
        },
        "required": ["location"],
    },
}
THOUGHT = "This is a nice number theory question. Lets think about it step by step..."
# ⚠ inferred: the docs' ant JPEG as a 3:2 photo over the size limit (scaled to 1344x896, see tokenize/media.py).
ANT_PHOTO = jpeg(2560, 1707)

DOCUMENTED: list[tuple[str, dict[str, Any], int]] = [
    ("basic", {"system": "You are a scientist", "messages": [{"role": "user", "content": "Hello, Claude"}]}, 14),
    (
        "tools",
        {"tools": [WEATHER_TOOL], "messages": [{"role": "user", "content": "What's the weather like in San Francisco?"}]},
        403,
    ),
    (
        "image",
        {"messages": [{"role": "user", "content": [image_block(ANT_PHOTO), {"type": "text", "text": "Describe this image"}]}]},
        1551,
    ),
    (
        "thinking",
        {
            "thinking": {"type": "enabled", "budget_tokens": 16000},
            "messages": [
                {"role": "user", "content": "Are there an infinite number of prime numbers such that n mod 4 == 3?"},
                {
                    "role": "assistant",
                    "content": [
                        # Signed by this mock (seed 0) so validation accepts it; the docs' signature is a stub.
                        {"type": "thinking", "thinking": THOUGHT, "signature": ids.sign_thinking(0, THOUGHT)},
                        {"type": "text", "text": "Yes, there are infinitely many prime numbers p such that p mod 4 = 3..."},
                    ],
                },
                {"role": "user", "content": "Can you write a formal proof?"},
            ],
        },
        88,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "request_", "documented"), DOCUMENTED, ids=[d[0] for d in DOCUMENTED])
def test_documented_count_tokens_examples_within_5_percent(
    client: anthropic.Anthropic, name: str, request_: dict[str, Any], documented: int
) -> None:
    counted = client.messages.count_tokens(model=MODEL, **request_).input_tokens
    assert abs(counted - documented) <= 0.05 * documented, (name, counted, documented)


def test_documented_basic_example_is_exact(client: anthropic.Anthropic) -> None:
    request_ = DOCUMENTED[0][1]
    assert client.messages.count_tokens(model=MODEL, **request_).input_tokens == 14


# --- a pinned table, and count_tokens == the input side of usage for each ------------------------------------

LONG_SYSTEM = " ".join(f"Rule {i}: answer in plain words, cite the section you rely on." for i in range(120))
TOOL_LOOP = [
    {"role": "user", "content": "What's the weather like in Paris and in Rome?"},
    {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "I'll check both cities."},
            {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"location": "Paris"}},
            {"type": "tool_use", "id": "toolu_01B", "name": "get_weather", "input": {"location": "Rome"}},
        ],
    },
    {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_01A", "content": "18°C, cloudy"},
            {
                "type": "tool_result",
                "tool_use_id": "toolu_01B",
                "content": [{"type": "text", "text": "24°C, sunny"}],
            },
        ],
    },
    {"role": "assistant", "content": "Paris is 18°C and cloudy; Rome is 24°C and sunny."},
    {"role": "user", "content": "And tomorrow?"},
]
SEARCH_TOOL = {
    "name": "search_docs",
    "description": "Search the product documentation.",
    "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
}

TABLE: list[tuple[str, dict[str, Any], int]] = [
    ("plain text", {"messages": [{"role": "user", "content": "Hello, Claude"}]}, 10),
    (
        "system blocks",
        {
            "system": [{"type": "text", "text": "You are a scientist."}, {"type": "text", "text": "Answer in one line."}],
            "messages": [{"role": "user", "content": "Why is the sky blue?"}],
        },
        23,
    ),
    ("tools, auto", {"tools": [WEATHER_TOOL, SEARCH_TOOL], "tool_choice": {"type": "auto"}, "messages": TOOL_LOOP[:1]}, 435),
    ("tools, any", {"tools": [WEATHER_TOOL, SEARCH_TOOL], "tool_choice": {"type": "any"}, "messages": TOOL_LOOP[:1]}, 402),
    (
        "tools, tool",
        {"tools": [WEATHER_TOOL, SEARCH_TOOL], "tool_choice": {"type": "tool", "name": "get_weather"}, "messages": TOOL_LOOP[:1]},
        402,
    ),
    ("tools, none", {"tools": [WEATHER_TOOL, SEARCH_TOOL], "tool_choice": {"type": "none"}, "messages": TOOL_LOOP[:1]}, 435),
    (
        "image",
        {"messages": [{"role": "user", "content": [image_block(png(800, 600), "image/png"), {"type": "text", "text": "What is this?"}]}]},
        651,
    ),
    (
        "pdf",
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": pdf(["Quarterly report: revenue grew 12 percent."])}},
                        {"type": "text", "text": "Please summarize this document."},
                    ],
                }
            ]
        },
        1589,
    ),
    ("multi-turn tool loop", {"tools": [WEATHER_TOOL], "messages": TOOL_LOOP}, 499),
    (
        "cached system prompt",
        {"system": [{"type": "text", "text": LONG_SYSTEM, "cache_control": {"type": "ephemeral"}}], "messages": [{"role": "user", "content": "Hi"}]},
        1808,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "request_", "pinned"), TABLE, ids=[t[0] for t in TABLE])
def test_count_tokens_is_pinned_and_equals_messages_input(
    client: anthropic.Anthropic, name: str, request_: dict[str, Any], pinned: int
) -> None:
    counted = client.messages.count_tokens(model=MODEL, **request_).input_tokens
    assert counted == pinned, name
    for _ in range(2):  # the second call of the cached row reads what the first wrote: the sum stays the same
        usage = client.messages.create(model=MODEL, max_tokens=64, **request_).usage
        cache_creation = usage.cache_creation_input_tokens or 0
        cache_read = usage.cache_read_input_tokens or 0
        assert usage.input_tokens + cache_creation + cache_read == counted, (name, usage)


def test_cached_row_really_splits_the_input(client: anthropic.Anthropic) -> None:
    request_ = dict(TABLE[-1][1], messages=[{"role": "user", "content": "A question only this test asks"}])
    total = client.messages.count_tokens(model=MODEL, **request_).input_tokens
    first = client.messages.create(model=MODEL, max_tokens=16, **request_).usage
    second = client.messages.create(model=MODEL, max_tokens=16, **request_).usage
    assert (second.cache_read_input_tokens or 0) > 0
    for usage in (first, second):
        assert (
            usage.input_tokens
            + (usage.cache_creation_input_tokens or 0)
            + (usage.cache_read_input_tokens or 0)
            == total
        )


def test_streamed_usage_matches_count_tokens(client: anthropic.Anthropic) -> None:
    request_ = TABLE[8][1]
    counted = client.messages.count_tokens(model=MODEL, **request_).input_tokens
    with client.messages.stream(model=MODEL, max_tokens=64, **request_) as stream:
        usage = stream.get_final_message().usage
    assert (
        usage.input_tokens + (usage.cache_creation_input_tokens or 0) + (usage.cache_read_input_tokens or 0)
        == counted
    )


async def test_async_client_counts_the_same(aclient: anthropic.AsyncAnthropic) -> None:
    counted = await aclient.messages.count_tokens(model=MODEL, **TABLE[1][1])
    assert counted.input_tokens == TABLE[1][2]


# --- rules by part -------------------------------------------------------------------------------------------


def _count(client: anthropic.Anthropic, model: str = MODEL, **request_: Any) -> int:
    return client.messages.count_tokens(model=model, **request_).input_tokens


def test_forced_tool_choice_uses_the_smaller_tool_prompt(client: anthropic.Anthropic) -> None:
    base = {"tools": [WEATHER_TOOL], "messages": TOOL_LOOP[:1]}
    auto = _count(client, **base)
    forced = _count(client, **base, tool_choice={"type": "any"})
    assert auto - forced == 346 - 313  # §11 tool-use system prompt, claude-sonnet-4-5
    assert _count(client, **base, tool_choice={"type": "none"}) == auto
    no_tools = _count(client, messages=TOOL_LOOP[:1])
    assert auto - no_tools == 346 + 45  # the prompt + the get_weather definition


@pytest.mark.parametrize(
    ("data", "media_type", "expected"),
    [
        (png(200, 200), "image/png", 54),  # DOCS vision.md table: 200x200 ≈ 54
        (jpeg(1000, 1000), "image/jpeg", 1334),  # 1000x1000 ≈ 1334
        (gif(1092, 1092), "image/gif", 1590),  # 1092x1092 ≈ 1590, the largest 1:1 not resized
        (webp(896, 1344), "image/webp", 1606),  # 2:3 table entry, not resized
        (png(4000, 4000), "image/png", 1590),  # downscaled to 1092x1092
        (jpeg(2560, 1707), "image/jpeg", 1606),  # downscaled to 1344x896
    ],
)
def test_image_tokens_follow_the_resize_rules(
    client: anthropic.Anthropic, data: str, media_type: str, expected: int
) -> None:
    with_image = _count(
        client,
        messages=[
            {"role": "user", "content": [image_block(data, media_type), {"type": "text", "text": "x"}]}
        ],
    )
    without = _count(client, messages=[{"role": "user", "content": "x"}])
    assert with_image - without == expected


def test_image_by_url_is_billed_as_the_largest_unresized_square(client: anthropic.Anthropic) -> None:
    # count_tokens refuses url sources (validate/counting.py), so the bill is read from a Messages reply.
    url_image = {"type": "image", "source": {"type": "url", "url": "https://example.com/ant.jpg"}}

    def billed(content: Any) -> int:
        reply = client.messages.create(
            model=MODEL, max_tokens=8, messages=[{"role": "user", "content": content}]
        )
        return reply.usage.input_tokens

    assert billed([url_image, {"type": "text", "text": "x"}]) - billed("x") == 1590


def test_high_res_models_allow_bigger_images(client: anthropic.Anthropic) -> None:
    big = [{"role": "user", "content": [image_block(jpeg(2560, 1707)), {"type": "text", "text": "x"}]}]
    small = [{"role": "user", "content": [image_block(jpeg(200, 200)), {"type": "text", "text": "x"}]}]
    text = [{"role": "user", "content": "x"}]
    # Opus 4.7: 2576-px vision (§11), and images are not scaled by the token ratio.
    assert (
        _count(client, "claude-opus-4-7", messages=big) - _count(client, "claude-opus-4-7", messages=text)
        == 4918
    )
    assert (
        _count(client, "claude-opus-4-7", messages=small) - _count(client, "claude-opus-4-7", messages=text)
        == 54
    )


def test_pdf_pages_cost_text_plus_a_page_image(client: anthropic.Anthropic) -> None:
    def doc(pages: list[str]) -> int:
        source = {"type": "base64", "media_type": "application/pdf", "data": pdf(pages)}
        return _count(
            client,
            messages=[
                {
                    "role": "user",
                    "content": [{"type": "document", "source": source}, {"type": "text", "text": "x"}],
                }
            ],
        )

    one, two = doc(["alpha"]), doc(["alpha", "beta"])
    assert two - one == 1564 + 2  # one more letter page image (1275x1650 scaled to 952x1232), "\nbeta"
    assert doc(["alpha " * 50]) - one == 49  # the page text is counted


def test_plain_text_document_counts_its_text(client: anthropic.Anthropic) -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 20
    source = {"type": "text", "media_type": "text/plain", "data": text}
    counted = _count(
        client,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "document", "source": source, "title": "Fox"},
                    {"type": "text", "text": "x"},
                ],
            }
        ],
    )
    assert counted == _count(client, messages=[{"role": "user", "content": "x"}]) + 4 + 1 + 201


def test_token_ratio_scales_text_counts(client: anthropic.Anthropic) -> None:
    request_ = {"system": LONG_SYSTEM, "messages": [{"role": "user", "content": "Hello, Claude"}]}
    old = _count(client, "claude-sonnet-4-6", **request_)  # ratio 1.0
    new = _count(client, "claude-opus-4-7", **request_)  # ratio 1.3 (§11 newer tokenizer)
    assert new == pytest.approx(old * 1.3, abs=2)


def _thinking_turns(final_user: Any) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "Is 7919 prime?"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": THOUGHT, "signature": ids.sign_thinking(0, THOUGHT)},
                {
                    "type": "tool_use",
                    "id": "toolu_01P",
                    "name": "get_weather",
                    "input": {"location": "Paris"},
                },
            ],
        },
        {"role": "user", "content": final_user},
    ]


@pytest.mark.parametrize(
    ("model", "kept"), [("claude-sonnet-4-5", False), ("claude-haiku-4-5", False), ("claude-opus-4-5", True)]
)
def test_thinking_of_earlier_turns_is_stripped_unless_the_model_keeps_it(
    client: anthropic.Anthropic, model: str, kept: bool
) -> None:
    thinking = {"type": "enabled", "budget_tokens": 2048}
    tool_result = [{"type": "tool_result", "tool_use_id": "toolu_01P", "content": "sunny"}]
    new_turn = [*tool_result, {"type": "text", "text": "Thanks"}]
    in_loop = _count(
        client, model, tools=[WEATHER_TOOL], thinking=thinking, messages=_thinking_turns(tool_result)
    )
    after = _count(client, model, tools=[WEATHER_TOOL], thinking=thinking, messages=_thinking_turns(new_turn))
    thought = 16  # THOUGHT in claude-v1 tokens
    # In a tool loop the thinking belongs to the current turn and always counts; once the user writes, it is an
    # earlier turn's thinking: stripped (§9.1) unless the model keeps it (§2.2).
    assert after - in_loop == 1 - (0 if kept else thought)  # "Thanks" is 1 token


@pytest.mark.parametrize("model", [spec.id for spec in get_catalog().models()])
def test_every_model_reports_what_count_tokens_counts(client: anthropic.Anthropic, model: str) -> None:
    request_ = {"system": "You are terse.", "tools": [WEATHER_TOOL], "messages": TOOL_LOOP}
    counted = client.messages.count_tokens(model=model, **request_).input_tokens
    usage = client.messages.create(model=model, max_tokens=256, **request_).usage
    cache = (usage.cache_creation_input_tokens or 0) + (usage.cache_read_input_tokens or 0)
    assert usage.input_tokens + cache == counted
