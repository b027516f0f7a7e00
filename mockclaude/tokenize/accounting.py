"""Input token accounting by part: tools, system, messages and the fixed overheads (api-spec §3.4, §9.1, §11).

``InputAccountant.layout(req)`` lays the prompt out as the prompt cache and ``usage`` see it: one
:class:`Segment` per top-level block in prefix order tools → system → messages, each with its tokens and the
prefix length through it, and the ``total`` that ``count_tokens`` returns. The cache splits that total into
read / written / uncached; it never changes it, so ``count_tokens == input + cache_creation + cache_read``.

Where the overheads go (calibrated on the documented ``count_tokens`` examples of §11 for claude-sonnet-4-5 with
the default claude-v1 tokenizer; ``tests/test_usage.py`` checks them):

* ``MESSAGE_FRAMING`` (4) on the first block of every turn and ``REQUEST_FRAMING`` (3) at the end of the prompt:
  ``system: "You are a scientist"`` (4) + ``"Hello, Claude"`` (3) + 4 + 3 = **14**, as documented; one message
  ``"a"`` gives 1 + 7 = 8, ctoc's measurement for claude-sonnet-4 (tokenizer.md §4). No separate system framing.
* The tool-use system prompt (catalog ``tool_overhead``: 346 for ``auto``/``none``, 313 for ``any``/``tool``,
  §11) on the first tool: one ``get_weather`` tool (45) + 346 + the question (9) + 7 = 407 vs documented 403.
* ``THINKING_PROMPT_TOKENS`` (33) when thinking is on ("a specialized system prompt is injected", §7.4): the
  documented extended-thinking example counts 88; its three turns (40) + 3 x 4 + 3 = 55, so the prompt is 33.
* Images: ``w*h/750`` after the API's downscaling (``tokenize/media.py``): the docs' ant photo (a 3:2 JPEG,
  scaled to 1344x896) + "Describe this image" gives 1606 + 3 + 7 = 1616 vs documented 1551 (+4.2 %).

The tail after the last block (request framing, thinking prompt) belongs to no segment: it is never cached.

Thinking blocks of earlier assistant turns are stripped (0 tokens) unless the model keeps them (catalog
``keeps_thinking``, §2.2); the current turn's thinking always counts (§9.1). A stripped block keeps its segment,
with a digest of its own, so the cached prefix changes from that block on, as §6.10 describes.

The model's ``token_ratio`` (newer tokenizers count ~30 % more, §11) multiplies every text-derived count,
overheads included; image tokens depend on pixels only and are not scaled.

Counting is incremental: each block's :class:`~mockclaude.tokenize.blocks.Cost` is memoised (bounded LRU) by its
content digest, so a conversation that grows by one turn only tokenizes the new turn.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from mockclaude.model.catalog import ModelSpec
from mockclaude.model.request import ValidatedRequest
from mockclaude.tokenize.blocks import Cost, FileContents, block_cost, tool_cost
from mockclaude.tokenize.counters import TokenCounter
from mockclaude.tokenize.media import image_tokens

__all__ = [
    "MESSAGE_FRAMING",
    "REQUEST_FRAMING",
    "THINKING_PROMPT_TOKENS",
    "InputAccountant",
    "Part",
    "PromptLayout",
    "Segment",
]

REQUEST_FRAMING = 3  # end of prompt / start of the assistant turn (calibration in the module docstring)
MESSAGE_FRAMING = 4  # role header of each turn (calibration in the module docstring)
SYSTEM_FRAMING = 0  # folded into the others by the calibration: "14" leaves nothing for it
THINKING_PROMPT_TOKENS = 33  # the thinking system prompt, from the documented 88 (module docstring)
MEMO_SIZE = 65_536  # block costs remembered (LRU); a 150k-token conversation needs a few hundred

Part = Literal["tools", "system", "messages"]
_STRIPPED = b"stripped-thinking\x00"
_THINKING = frozenset({"thinking", "redacted_thinking"})


@dataclass(frozen=True, slots=True)
class Segment:
    """One cacheable unit of the prompt, in prefix order tools -> system -> messages (api-spec §6.2)."""

    part: Part
    path: str  # "tools.0", "system.1", "messages.3.content.2" (indices after merging)
    digest: bytes  # content hash of the block, cache_control marks (nested ones too) left out
    tokens: int  # tokens of this block, its share of framing/overheads included
    end: int  # prefix length in tokens through this block (what a breakpoint here caches)
    cache_ttl: str | None  # "5m" | "1h" when the block carries cache_control, else None
    kind: str  # block type ("text", "image", "tool", ...)


@dataclass(frozen=True, slots=True)
class PromptLayout:
    """The prompt as the cache and the usage calculator see it. ``total`` is what count_tokens returns."""

    segments: tuple[Segment, ...]
    total: int


# cache_control marks change nothing in the prompt: left out of digests, nested ones (tool_result content,
# document content sources) included, so marking a block never changes a prefix fingerprint.
_NO_MARKS: dict[str, Any] = {
    "cache_control": True,
    "content": {"__all__": {"cache_control": True}},
    "source": {"content": {"__all__": {"cache_control": True}}},
}


def _digest(block: Any) -> bytes:
    dump_json = getattr(block, "model_dump_json", None)
    raw = (
        dump_json(exclude=_NO_MARKS, exclude_none=True).encode()
        if callable(dump_json)
        else repr(block).encode()
    )
    return hashlib.blake2b(raw, digest_size=16).digest()


def _ttl(block: Any) -> str | None:
    control = getattr(block, "cache_control", None)
    if control is None:
        return None
    return getattr(control, "ttl", None) or "5m"


def current_turn_start(messages: list[Any]) -> int:
    """Index of the first message of the current assistant turn: after the last user message that is not only
    tool results (a tool loop continues the turn; a new question starts one). Thinking before it is "previous"."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if message.role == "user" and any(block.type != "tool_result" for block in message.content):
            return index + 1
    return 0


class InputAccountant:
    """Counts the input tokens of a validated request, part by part, as a :class:`PromptLayout`."""

    def __init__(
        self,
        counter: TokenCounter,
        *,
        memo_size: int = MEMO_SIZE,
        files: Callable[[str, str], tuple[str, bytes] | None] | None = None,
    ) -> None:
        self.counter = counter
        # (API key, file_id) -> (mime_type, bytes): what `file` sources are counted by (the Files API). An id
        # always names the same bytes, so a block's cost stays memoisable by its digest.
        self.files = files
        self._memo: OrderedDict[bytes, Cost] = OrderedDict()
        self._memo_size = memo_size
        self._lock = threading.Lock()

    def _count(self, text: str) -> int:
        return self.counter.count(text) if text else 0

    def block_tokens(self, block: Any, model: ModelSpec | None = None) -> int:
        """Tokens of one content block on ``model`` (ratio and image limits applied; default: ratio 1, classic
        1568-px vision). Not memoised: :meth:`layout` is the fast path."""
        cost = block_cost(block, self._count)
        return self._scale(cost, model)

    @staticmethod
    def _scale(cost: Cost, model: ModelSpec | None) -> int:
        ratio = model.token_ratio if model is not None else 1.0
        edge = model.image_max_edge if model is not None else 1568
        patches = model.image_max_patches if model is not None else 1568
        return round(cost.text * ratio) + sum(image_tokens(size, edge, patches) for size in cost.images)

    def _costs(self, keyed: list[tuple[bytes, Any, bool]], files: FileContents | None = None) -> list[Cost]:
        """The cost of each ``(digest, item, is_tool)``: memo hits under one lock, misses counted outside it."""
        with self._lock:
            memo = self._memo
            found = [memo.get(digest) for digest, _, _ in keyed]
            for digest, cost in zip((k[0] for k in keyed), found, strict=True):
                if cost is not None:
                    memo.move_to_end(digest)
        fresh: list[tuple[bytes, Cost]] = []
        for i, (digest, item, is_tool) in enumerate(keyed):
            if found[i] is None:
                cost = Cost(tool_cost(item, self._count)) if is_tool else block_cost(item, self._count, files)
                found[i] = cost
                fresh.append((digest, cost))
        if fresh:
            with self._lock:
                for digest, cost in fresh:
                    self._memo[digest] = cost
                while len(self._memo) > self._memo_size:
                    self._memo.popitem(last=False)
        return [cost for cost in found if cost is not None]

    def layout(self, req: ValidatedRequest) -> PromptLayout:
        """Every block with its tokens and prefix position; overheads folded in as the module docstring says."""
        params = req.params
        model = req.model
        ratio = model.token_ratio
        # (part, path, block, digest, overhead tokens before the ratio, kind, stripped)
        rows: list[tuple[Part, str, Any, bytes, int, str, bool]] = []
        tools = params.tools or []
        if tools:
            forced = params.tool_choice is not None and params.tool_choice.type in ("any", "tool")
            overhead = model.tool_overhead[1 if forced else 0]
            for i, tool in enumerate(tools):
                rows.append(
                    ("tools", f"tools.{i}", tool, _digest(tool), overhead if i == 0 else 0, "tool", False)
                )
        for i, system_block in enumerate(params.system or []):
            rows.append(
                (
                    "system",
                    f"system.{i}",
                    system_block,
                    _digest(system_block),
                    SYSTEM_FRAMING if i == 0 else 0,
                    "text",
                    False,
                )
            )
        tail = REQUEST_FRAMING
        if req.thinking.mode in ("enabled", "adaptive"):
            tail += THINKING_PROMPT_TOKENS
        current = current_turn_start(params.messages)
        for m, message in enumerate(params.messages):
            if not message.content:
                tail += MESSAGE_FRAMING
            strip = m < current and not model.keeps_thinking and message.role == "assistant"
            for b, block in enumerate(message.content):
                stripped = strip and block.type in _THINKING
                framing = MESSAGE_FRAMING if b == 0 else 0
                path = f"messages.{m}.content.{b}"
                rows.append(("messages", path, block, _digest(block), framing, block.type, stripped))
        lookup = self.files
        scoped = functools.partial(lookup, req.api_key) if lookup is not None else None
        costs = self._costs([(row[3], row[2], row[0] == "tools") for row in rows], scoped)
        segments: list[Segment] = []
        end = 0
        for (part, path, block, digest, overhead, kind, stripped), cost in zip(rows, costs, strict=True):
            if stripped:
                # Stripped thinking is not in the prompt; its own digest makes the cached prefix change here.
                tokens = round(overhead * ratio)
                digest = hashlib.blake2b(_STRIPPED + digest, digest_size=16).digest()
            else:
                tokens = self._scale(Cost(cost.text + overhead, cost.images), model)
            end += tokens
            segments.append(Segment(part, path, digest, tokens, end, _ttl(block), kind))
        total = max(1, end + round(tail * ratio))
        return PromptLayout(tuple(segments), total)

    def count(self, req: ValidatedRequest) -> int:
        """Total input tokens before caching: what ``count_tokens`` returns."""
        return self.layout(req).total
