"""Input tokens of images and PDFs (api-spec §11): sizes from the file headers, the API's downscaling, ``w*h/750``.

Images
    The size comes from the PNG/JPEG/GIF/WebP header of base64 data (``mockclaude.model.media``). The API first
    scales an image down, keeping its aspect ratio, when its long edge is over the model's limit or it is "more
    than ~1,600 tokens"; then it costs about ``width * height / 750`` tokens (DOCS vision.md). We read "~1,600
    tokens" as "more than 1568 patches of 28x28 pixels": that single rule reproduces every entry of the docs'
    table of the largest images that are *not* resized (1:1 1092x1092, 2:3 896x1344, 9:16 819x1456, 1:2
    784x1568; 3:4 gives 952x1269 against the table's 951x1268), and its high-res form (2576 px, 4784 patches
    ≈ 3.75 MP) matches the "up to 2576 px / 3.75 MP, ~4,784 tokens" of the newer models. The limits live in the
    catalog (``image_max_edge``, ``image_max_patches``). An image without bytes (``url`` or ``file`` source)
    is billed as the largest square the model takes without resizing: 1590 tokens on most models.
PDFs
    Every page costs its extracted text plus an image of the page (DOCS pdf-support.md "Estimate your costs").
    The text is what the page content streams draw (best effort: literal and hex strings of ``Tj``/``TJ``);
    the page image is the page's MediaBox rendered at 150 dpi, then downscaled like any image. A PDF without
    bytes counts as one letter page with ``PDF_TEXT_TOKENS_PER_PAGE`` tokens of text.
"""

from __future__ import annotations

import functools
import re
import zlib
from dataclasses import dataclass

from mockclaude.model.media import b64_prefix, decoded_base64_size, image_size, pdf_page_count

__all__ = [
    "IMAGE_PIXELS_PER_TOKEN",
    "PDF_TEXT_TOKENS_PER_PAGE",
    "PdfFacts",
    "fit_image",
    "image_dims_from_base64",
    "image_tokens",
    "pdf_facts",
    "pdf_page_texts",
]

IMAGE_PIXELS_PER_TOKEN = 750  # DOCS vision.md "Calculate image costs": tokens = (width px * height px) / 750
PATCH_PX = (
    28  # the patch side that makes 1568 patches reproduce the docs' un-resized table (module docstring)
)
UNKNOWN_IMAGE = (8000, 8000)  # no bytes to read: the largest accepted image, downscaled to the model's limit
PDF_DPI = 150  # page rasterisation resolution ⚠ unconfirmed (any dpi >= ~140 hits the size limit anyway)
PDF_DEFAULT_PAGE_PT = (612.0, 792.0)  # US letter in points, when a page has no readable MediaBox
# ⚠ unconfirmed: "each page typically uses 1,500-3,000 tokens" of text (DOCS pdf-support.md); the low end is used
# only for a PDF whose bytes we do not have (url/file sources).
PDF_TEXT_TOKENS_PER_PAGE = 1500
_MAX_INFLATE = 64 * 1024 * 1024  # total decompressed stream bytes examined per PDF (bounds a zip bomb)


def _patches(width: int, height: int) -> int:
    return -(-width // PATCH_PX) * -(-height // PATCH_PX)


@functools.lru_cache(maxsize=4096)
def fit_image(width: int, height: int, max_edge: int, max_patches: int) -> tuple[int, int]:
    """The size the API processes an image at: scaled down (aspect kept) until within both limits."""
    if width <= 0 or height <= 0:
        return 0, 0
    if max(width, height) <= max_edge and _patches(width, height) <= max_patches:
        return width, height
    # Start from the area bound, then walk the long side down to the first size that fits (patch counts
    # round up, so the area bound alone can overshoot by a row or column of patches).
    scale = min(
        max_edge / max(width, height), (max_patches * PATCH_PX * PATCH_PX / (width * height)) ** 0.5, 1.0
    )
    landscape = width >= height
    long_side, short_side = (width, height) if landscape else (height, width)
    new_long = max(1, int(long_side * scale))
    while True:
        new_short = max(1, round(short_side * new_long / long_side))
        w, h = (new_long, new_short) if landscape else (new_short, new_long)
        if (max(w, h) <= max_edge and _patches(w, h) <= max_patches) or new_long == 1:
            return w, h
        new_long -= 1


def image_tokens(size: tuple[int, int] | None, max_edge: int, max_patches: int) -> int:
    """Tokens of one image of ``size`` pixels (``None``: size unknown) on a model with these limits."""
    width, height = fit_image(*(size or UNKNOWN_IMAGE), max_edge, max_patches)
    return -(-(width * height) // IMAGE_PIXELS_PER_TOKEN)


def image_dims_from_base64(data: str) -> tuple[int, int] | None:
    """``(width, height)`` from the header of base64 image data; ``None`` when unreadable."""
    dims = image_size(b64_prefix(data, 64 * 1024))
    if dims is None and data[:4] == "/9j/":  # JPEG: the frame header can sit after a large EXIF block
        dims = image_size(b64_prefix(data, decoded_base64_size(data)))
    if dims is None or dims[0] <= 0 or dims[1] <= 0:
        return None
    return dims


# --- PDF --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PdfFacts:
    """What the token count of a PDF depends on: its pages' pixel sizes and the text its pages draw."""

    page_pixels: tuple[tuple[int, int], ...]
    text: str


_NUM = rb"(-?\d+(?:\.\d+)?|-?\.\d+)"
_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*" + rb"\s+".join([_NUM] * 4) + rb"\s*\]")
_STREAM = re.compile(rb"stream\r?\n")
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")  # as mockclaude.model.media, for pages in object streams
_TEXT_OP = re.compile(
    rb"\[((?:[^\]\\]|\\.)*)\]\s*TJ|(\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)|<[0-9A-Fa-f\s]*>)\s*(?:Tj|'|\")",
    re.S,
)
_STRING = re.compile(rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)|<[0-9A-Fa-f\s]*>|(-?\d+(?:\.\d+)?)", re.S)
_ESCAPES = {
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"b": b"\b",
    b"f": b"\f",
    b"(": b"(",
    b")": b")",
    b"\\": b"\\",
}
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match[1]
    if code[:1].isdigit():
        return bytes([int(code, 8) & 0xFF])
    return _ESCAPES.get(code, code)


def _string_text(token: bytes) -> str:
    """The characters of one PDF string operand (literal ``(...)`` or hex ``<...>``), as Latin-1."""
    if token.startswith(b"("):
        raw = _ESCAPE.sub(_unescape, token[1:-1])
    else:
        digits = re.sub(rb"\s", b"", token[1:-1])
        raw = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
    return "".join(ch for ch in raw.decode("latin-1") if ch.isprintable() or ch in "\n\t")


def _content_text(stream: bytes) -> list[str]:
    """The strings a content stream shows; a large negative kerning inside ``TJ`` is a word space."""
    pieces: list[str] = []
    for match in _TEXT_OP.finditer(stream):
        if match[2] is not None:
            pieces += (_string_text(match[2]), " ")
            continue
        for part in _STRING.finditer(match[1]):
            if part[1] is not None:
                if float(part[1]) < -200:
                    pieces.append(" ")
            else:
                pieces.append(_string_text(part[0]))
        pieces.append(" ")
    return pieces


def _streams(data: bytes) -> list[bytes]:
    """Every stream's bytes, inflated when its dictionary says ``/FlateDecode`` (others are kept as they are)."""
    out: list[bytes] = []
    budget = _MAX_INFLATE
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        raw = data[start:end]
        header = data[max(0, match.start() - 512) : match.start()]
        if b"/FlateDecode" in header[header.rfind(b"<<") :]:
            try:
                raw = zlib.decompressobj().decompress(raw, budget)
            except zlib.error:
                continue
        budget -= len(raw)
        out.append(raw)
        if budget <= 0:
            break
    return out


def _page_pixels(width_pt: float, height_pt: float) -> tuple[int, int]:
    scale = PDF_DPI / 72
    return max(1, round(abs(width_pt) * scale)), max(1, round(abs(height_pt) * scale))


def pdf_facts(data: bytes) -> PdfFacts:
    """Pages (as pixel sizes) and text of a PDF's bytes; a PDF whose pages cannot be counted counts as one."""
    streams = _streams(data)
    pages = pdf_page_count(data) or sum(len(_PAGE.findall(s)) for s in streams if b"/Type" in s) or 1
    boxes = [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in _MEDIABOX.findall(data)]
    boxes = [box for box in boxes if box[0] and box[1]]
    # Page objects usually carry their own MediaBox, in page order; otherwise the first (inherited) one serves.
    sizes = boxes[-pages:] if len(boxes) >= pages else [boxes[0] if boxes else PDF_DEFAULT_PAGE_PT] * pages
    text: list[str] = []
    for stream in streams:
        if b"BT" in stream and b"ET" in stream:
            text += _content_text(stream)
            text.append("\n")
    joined = re.sub(r" *\n+ *", "\n", re.sub(r"[ \t]+", " ", "".join(text))).strip()
    return PdfFacts(tuple(_page_pixels(w, h) for w, h in sizes), joined)


_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_REF = re.compile(rb"(\d+)\s+\d+\s+R\b")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_CONTENTS = re.compile(rb"/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)")
_PAGES_NODE = re.compile(rb"/Type\s*/Pages\b")


def _objects(data: bytes) -> dict[int, bytes]:
    """Each ``N G obj`` body up to the next object (the file's last copy of a number wins, as an update does)."""
    marks = list(_OBJ.finditer(data))
    return {
        int(m[1]): data[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(data)]
        for i, m in enumerate(marks)
    }


def _stream_of(body: bytes) -> bytes:
    """The (inflated) stream of one object body, ``b""`` when it has none or it cannot be read."""
    match = _STREAM.search(body)
    if match is None:
        return b""
    end = body.rfind(b"endstream")
    raw = body[match.end() : end if end > match.end() else len(body)]
    if b"/FlateDecode" in body[: match.start()]:
        try:
            return zlib.decompressobj().decompress(raw, _MAX_INFLATE)
        except zlib.error:
            return b""
    return raw


def _page_order(objects: dict[int, bytes]) -> list[int]:
    """Page object numbers in reading order: the page tree's ``/Kids`` from its root, else file order."""
    pages = [n for n, body in objects.items() if _PAGE.search(body) and not _PAGES_NODE.search(body)]
    roots = [n for n, body in objects.items() if _PAGES_NODE.search(body) and b"/Parent" not in body]
    order: list[int] = []
    seen: set[int] = set()

    def walk(number: int) -> None:
        if number in seen or number not in objects:
            return
        seen.add(number)
        body = objects[number]
        if not _PAGES_NODE.search(body):
            if number in pages:
                order.append(number)
            return
        kids = _KIDS.search(body)
        for ref in _REF.finditer(kids[1] if kids else b""):
            walk(int(ref[1]))

    for root in roots:
        walk(root)
    return order if sorted(order) == sorted(pages) else pages


def pdf_page_texts(data: bytes) -> list[str]:
    """The text each page of a PDF draws, page by page (best effort, as :func:`pdf_facts`): a page's
    ``/Contents`` streams in order. A file whose pages cannot be read (object streams) gives all its text as one
    page; one without text gives ``[]``."""
    objects = _objects(data)
    texts: list[str] = []
    for number in _page_order(objects):
        contents = _CONTENTS.search(objects[number])
        pieces: list[str] = []
        for ref in _REF.finditer(contents[1] if contents else b""):
            stream = _stream_of(objects.get(int(ref[1]), b""))
            if b"BT" in stream:
                pieces += _content_text(stream)
                pieces.append("\n")
        texts.append(re.sub(r" *\n+ *", "\n", re.sub(r"[ \t]+", " ", "".join(pieces))).strip())
    if not any(texts):
        whole = pdf_facts(data).text
        return [whole] if whole else []
    return texts


def unknown_pdf() -> PdfFacts:
    """The documented default for a PDF given by URL or file id: one letter page (its text counted separately)."""
    return PdfFacts((_page_pixels(*PDF_DEFAULT_PAGE_PT),), "")
