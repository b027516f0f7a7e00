"""Input token accounting by part: system, messages, tools and the fixed overheads (api-spec §11).

First version for the foundation; the usage issue calibrates the constants against the documented examples.
Counts are memoised per text (bounded), so a conversation that grows by one turn only tokenizes the new turn.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from mockclaude.model.request import ValidatedRequest
from mockclaude.tokenize.encoding import TokenCounter

# Framing around the whole prompt and around each message turn. From ctok's measured frame (7 tokens for a
# one-message request on Claude 3-4.6, api-spec tokenizer.md §4), split as 3 per request + 4 per turn.
REQUEST_FRAMING = 3
MESSAGE_FRAMING = 4
SYSTEM_FRAMING = 2
IMAGE_FALLBACK_TOKENS = 1_600  # an image whose size cannot be read is billed as the maximal un-resized image


class MemoCounter:
    """A token counter with a bounded memo keyed by the text itself."""

    def __init__(self, counter: TokenCounter, size: int = 65_536) -> None:
        self.counter = counter
        self._memo: OrderedDict[str, int] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def count(self, text: str) -> int:
        """Tokens of ``text``; short texts skip the memo (hashing costs more than counting them)."""
        if len(text) < 64:
            return self.counter.count(text) if text else 0
        with self._lock:
            hit = self._memo.get(text)
            if hit is not None:
                self._memo.move_to_end(text)
                return hit
        n = self.counter.count(text)
        with self._lock:
            self._memo[text] = n
            if len(self._memo) > self._size:
                self._memo.popitem(last=False)
        return n


def _dump(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", exclude_none=True) if callable(dump) else value


Part = Literal["tools", "system", "messages"]


@dataclass(frozen=True, slots=True)
class Segment:
    """One cacheable unit of the prompt, in prefix order tools -> system -> messages (api-spec §6.2)."""

    part: Part
    path: str                    # "tools.0", "system.1", "messages.3.content.2" (indices after merging)
    digest: bytes                # content hash of the block, cache_control left out
    tokens: int                  # tokens of this block, its share of framing/overheads included
    end: int                     # prefix length in tokens through this block (what a breakpoint here caches)
    cache_ttl: str | None        # "5m" | "1h" when the block carries cache_control, else None
    kind: str                    # block type ("text", "image", "tool", ...)


@dataclass(frozen=True, slots=True)
class PromptLayout:
    """The prompt as the cache and the usage calculator see it. ``total`` is what count_tokens returns."""

    segments: tuple[Segment, ...]
    total: int


def _digest(block: Any) -> bytes:
    dump_json = getattr(block, "model_dump_json", None)
    raw = dump_json(exclude={"cache_control"}, exclude_none=True).encode() if callable(dump_json) else repr(block).encode()
    return hashlib.blake2b(raw, digest_size=16).digest()


def _ttl(block: Any) -> str | None:
    control = getattr(block, "cache_control", None)
    if control is None:
        return None
    return getattr(control, "ttl", None) or "5m"


class InputAccountant:
    """Counts the input tokens of a validated request, part by part, as a ``PromptLayout``."""

    def __init__(self, counter: TokenCounter) -> None:
        self.memo = MemoCounter(counter)

    def block_tokens(self, block: Any) -> int:
        """Tokens of one content block (before the model's token ratio)."""
        kind = getattr(block, "type", None)
        count = self.memo.count
        if kind == "text":
            return count(block.text)
        if kind == "tool_use" or kind == "server_tool_use":
            return count(block.name) + count(orjson.dumps(_dump(block.input)).decode()) + 6
        if kind == "tool_result":
            content = getattr(block, "content", None)
            if content is None:
                return 4
            if isinstance(content, str):
                return count(content) + 4
            return sum(self.block_tokens(b) for b in content) + 4
        if kind == "thinking":
            return count(block.thinking)
        if kind == "image":
            return IMAGE_FALLBACK_TOKENS
        return count(orjson.dumps(_dump(block)).decode())

    def layout(self, req: ValidatedRequest) -> PromptLayout:
        """Every block with its tokens and prefix position; overheads folded into the first block of a part."""
        params = req.params
        ratio = req.model.token_ratio
        raw: list[tuple[Part, str, Any, int, str]] = []
        tools = params.tools or []
        if tools:
            forced = params.tool_choice is not None and params.tool_choice.type in ("any", "tool")
            overhead = req.model.tool_overhead[1 if forced else 0]
            for i, tool in enumerate(tools):
                n = self.memo.count(orjson.dumps(_dump(tool)).decode()) + (overhead if i == 0 else 0)
                raw.append(("tools", f"tools.{i}", tool, n, "tool"))
        framing = REQUEST_FRAMING
        for i, system_block in enumerate(params.system or []):
            n = self.block_tokens(system_block) + (SYSTEM_FRAMING if i == 0 else 0)
            raw.append(("system", f"system.{i}", system_block, n, system_block.type))
        for m, message in enumerate(params.messages):
            for b, block in enumerate(message.content):
                n = self.block_tokens(block) + (MESSAGE_FRAMING if b == 0 else 0)
                raw.append(("messages", f"messages.{m}.content.{b}", block, n, block.type))
            if not message.content:
                framing += MESSAGE_FRAMING
        segments: list[Segment] = []
        end = 0
        for part, path, block, n, kind in raw:
            tokens = round(n * ratio)
            end += tokens
            segments.append(Segment(part, path, _digest(block), tokens, end, _ttl(block), kind))
        total = max(1, end + round(framing * ratio))
        return PromptLayout(tuple(segments), total)

    def count(self, req: ValidatedRequest) -> int:
        """Total input tokens before caching: what ``count_tokens`` returns."""
        return self.layout(req).total
