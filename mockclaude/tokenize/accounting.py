"""Input token accounting by part: system, messages, tools and the fixed overheads (api-spec §11).

First version for the foundation; the usage issue calibrates the constants against the documented examples.
Counts are memoised per text (bounded), so a conversation that grows by one turn only tokenizes the new turn.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

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


class InputAccountant:
    """Counts the input tokens of a validated request, part by part."""

    def __init__(self, counter: TokenCounter) -> None:
        self.memo = MemoCounter(counter)

    def block_tokens(self, block: Any) -> int:
        """Tokens of one content block."""
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

    def count(self, req: ValidatedRequest) -> int:
        """Total input tokens before caching: what ``count_tokens`` returns."""
        params = req.params
        total = REQUEST_FRAMING
        system = getattr(params, "system", None)
        if system:
            total += SYSTEM_FRAMING + sum(self.block_tokens(b) for b in system)
        for message in params.messages:
            total += MESSAGE_FRAMING + sum(self.block_tokens(b) for b in message.content)
        tools = getattr(params, "tools", None)
        if tools:
            choice = getattr(params, "tool_choice", None)
            forced = getattr(choice, "type", "auto") in ("any", "tool")
            total += req.model.tool_overhead[1 if forced else 0]
            total += sum(self.memo.count(orjson.dumps(_dump(t)).decode()) for t in tools)
        return max(1, round(total * req.model.token_ratio))
