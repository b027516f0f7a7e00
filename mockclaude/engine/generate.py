"""Generated replies: what the mock says when no script decides (deterministic from seed + request).

Content is a pure function of ``(seed, fingerprint)``; only ids take the occurrence. The expensive part (faker
text, tokenizing, schema-driven tool input) is memoised per fingerprint in a bounded LRU, so repeating a request
costs an id derivation and a dict copy.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import orjson
from faker import Faker

from mockclaude import ids
from mockclaude.engine import chunking
from mockclaude.engine.schema_gen import generate_instance
from mockclaude.model import wire
from mockclaude.model.reply import JSON, Reply, ReplyBlock, Usage
from mockclaude.model.request import ValidatedRequest
from mockclaude.tokenize.encoding import TokenCounter

REDACTED_THINKING_TRIGGER = (
    "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_46C9A13E193C177646C7398A98432ECCCE4C1253D5E2D82641AC0E52CC2876CB"
)
"""The documented test prompt that makes the real API answer with ``redacted_thinking`` (api-spec §7.4)."""

# Natural answer lengths in tokens per effort level. Not measured on the real models: chosen so that levels
# give visibly different lengths while a default answer (high) fits comfortably in a typical max_tokens.
EFFORT_TEXT_TOKENS: dict[str, tuple[int, int]] = {
    "low": (8, 30),
    "medium": (20, 70),
    "high": (35, 130),
    "xhigh": (60, 200),
    "max": (90, 280),
}
# Thinking lengths in tokens, per effort; an enabled budget caps them (budget_tokens is a target, §7.3).
EFFORT_THINKING_TOKENS: dict[str, tuple[int, int]] = {
    "low": (20, 80),
    "medium": (60, 200),
    "high": (120, 400),
    "xhigh": (200, 700),
    "max": (300, 1000),
}
# Output tokens a tool_use block costs beyond its name and JSON input: the call's own framing. An estimate.
TOOL_USE_FRAMING_TOKENS = 12


@dataclass(slots=True)
class _Block:
    """A block of a plan, before ids are attached."""

    kind: str
    text: str = ""                 # text / visible thinking
    hidden: str = ""               # full thinking when display is "omitted"
    name: str = ""                 # tool name
    input: Any = None              # tool input
    tokens: int = 0


@dataclass(slots=True)
class Plan:
    """The content decided for one fingerprint: blocks, stop reason, output usage."""

    blocks: list[_Block] = field(default_factory=list)
    stop_reason: str = "end_turn"
    stop_sequence: str | None = None
    output_tokens: int = 0
    thinking_tokens: int = 0
    rendered: list[ReplyBlock] = field(default_factory=list)  # blocks with deltas; tool ids filled per reply
    start_output_tokens: int = 0


class Generator:
    """Decides generated replies. One per server instance (its Faker is not shared across threads)."""

    def __init__(self, seed: int, counter: TokenCounter, *, memo_size: int = 2048) -> None:
        self.seed = seed
        self.counter = counter
        self._faker = Faker("en_US")
        self._lock = threading.Lock()
        self._memo: OrderedDict[str, Plan] = OrderedDict()
        self._memo_size = memo_size

    # -- public ------------------------------------------------------------------------------------------
    def reply(
        self, req: ValidatedRequest, fingerprint: str, content_key: str, occurrence: int, usage: Usage
    ) -> Reply:
        """The generated reply to ``req``; ``usage`` carries the input side, the output side is filled here.

        ``fingerprint`` keys the request (memo, ids with ``occurrence``); ``content_key`` seeds the content and
        leaves out the cut parameters, so a ``max_tokens`` or stop-sequence cut is a prefix of the uncut reply.
        """
        plan = self._plan(req, fingerprint, content_key)
        usage.output_tokens = plan.output_tokens
        return self.assemble(req, plan, fingerprint, occurrence, usage)

    def assemble(
        self, req: ValidatedRequest, plan: Plan, fingerprint: str, occurrence: int, usage: Usage
    ) -> Reply:
        """Turn a plan into a ``Reply``: the plan's rendered blocks (shared, never mutated) with fresh tool ids."""
        blocks = [
            self._with_tool_id(block, ids.tool_use_id(self.seed, fingerprint, occurrence, i))
            if block.final["type"] == "tool_use"
            else block
            for i, block in enumerate(plan.rendered)
        ]
        return Reply(
            id=ids.message_id(self.seed, fingerprint, occurrence),
            model=req.params.model,
            blocks=blocks,
            stop_reason=plan.stop_reason,
            stop_sequence=plan.stop_sequence,
            usage=usage,
            start_output_tokens=plan.start_output_tokens,
        )

    @staticmethod
    def _with_tool_id(block: ReplyBlock, tool_id: str) -> ReplyBlock:
        return ReplyBlock(final={**block.final, "id": tool_id}, start={**block.start, "id": tool_id}, deltas=block.deltas)

    def _render(self, plan: Plan, content_key: str) -> None:
        """Fix the deltas of every block once per plan (they depend on content only)."""
        rng = random.Random(ids.derive(self.seed, "chunks", content_key))
        plan.rendered = [self._render_block(b, i, content_key, rng) for i, b in enumerate(plan.blocks)]
        plan.start_output_tokens = min(plan.output_tokens, 1 + int(rng.random() * 4))

    # -- planning ----------------------------------------------------------------------------------------
    def _plan(self, req: ValidatedRequest, fingerprint: str, content_key: str) -> Plan:
        with self._lock:
            plan = self._memo.get(fingerprint)
            if plan is not None:
                self._memo.move_to_end(fingerprint)
                return plan
            plan = self._decide(req, content_key)
            self._render(plan, content_key)
            self._memo[fingerprint] = plan
            if len(self._memo) > self._memo_size:
                self._memo.popitem(last=False)
            return plan

    def _decide(self, req: ValidatedRequest, content_key: str) -> Plan:
        params = req.params
        rng = random.Random(ids.derive(self.seed, "content", content_key))
        self._faker.seed_instance(rng.getrandbits(64))
        max_tokens = params.max_tokens if isinstance(params, wire.MessageCreateParams) else 0
        if max_tokens == 0:  # cache pre-warm (§6.8): nothing generated
            return Plan(stop_reason="max_tokens")
        effort = req.effort or "high"
        wanted: list[_Block] = []
        thinking = req.thinking
        if thinking.mode in ("enabled", "adaptive") and self._will_think(thinking.mode, effort, rng):
            if _contains_trigger(req):
                wanted.append(_Block("redacted_thinking", tokens=rng.randint(40, 160)))
            else:
                lo, hi = EFFORT_THINKING_TOKENS.get(effort, EFFORT_THINKING_TOKENS["high"])
                target = rng.randint(lo, hi)
                if thinking.budget_tokens is not None:
                    target = min(target, max(16, thinking.budget_tokens * 3 // 4))
                full = self._prose(target, rng, style="thinking")
                visible = "" if thinking.display == "omitted" else full
                wanted.append(_Block("thinking", text=visible, hidden=full, tokens=self.counter.count(full)))
        tool = _choose_tool(req, rng)
        if tool is not None:
            name, schema, forced = tool
            if not forced:
                preamble = f"I'll use the {name} tool to help with that."
                wanted.append(_Block("text", text=preamble, tokens=self.counter.count(preamble)))
            value = generate_instance(schema, rng, hint=name)
            if not isinstance(value, dict):
                value = {}
            as_json = orjson.dumps(value).decode()
            tokens = self.counter.count(name) + self.counter.count(as_json) + TOOL_USE_FRAMING_TOKENS
            wanted.append(_Block("tool_use", name=name, input=value, tokens=tokens))
        else:
            lo, hi = EFFORT_TEXT_TOKENS.get(effort, EFFORT_TEXT_TOKENS["high"])
            text = self._prose(rng.randint(lo, hi), rng, style="answer")
            wanted.append(_Block("text", text=text, tokens=self.counter.count(text)))
        stops = params.stop_sequences if isinstance(params, wire.MessageCreateParams) else None
        return self._fit(wanted, max_tokens, list(stops or []))

    @staticmethod
    def _will_think(mode: str, effort: str, rng: random.Random) -> bool:
        # Adaptive thinking may skip thinking for easy, low-effort requests (§7.1); enabled always thinks.
        return mode == "enabled" or effort != "low" or rng.random() < 0.5

    def _prose(self, target_tokens: int, rng: random.Random, *, style: str) -> str:
        """Faker sentences until about ``target_tokens`` tokens."""
        fake = self._faker
        sentences: list[str] = []
        tokens = 0
        if style == "thinking":
            sentences.append(rng.choice(_THINKING_OPENERS))
            tokens += self.counter.count(sentences[0])
        while tokens < target_tokens:
            s = fake.sentence(nb_words=rng.randint(6, 16))
            sentences.append(s)
            tokens += self.counter.count(s) + 1
            if len(sentences) % rng.randint(3, 6) == 0 and style == "answer" and tokens < target_tokens:
                sentences.append("\n\n")
        return " ".join(sentences).replace(" \n\n ", "\n\n").strip()

    def _fit(self, wanted: list[_Block], max_tokens: int, stop_sequences: list[str]) -> Plan:
        """Apply stop sequences and the max_tokens cut (cut exactly at a token boundary) to the blocks."""
        plan = Plan()
        remaining = max_tokens
        for block in wanted:
            if block.kind == "text" and stop_sequences:
                hit = _first_stop(block.text, stop_sequences)
                if hit is not None:
                    pos, seq = hit
                    upto = self.counter.count(block.text[: pos + len(seq)])
                    if upto <= remaining:
                        kept = block.text[:pos]
                        plan.blocks.append(_Block("text", text=kept, tokens=upto))
                        plan.output_tokens += upto
                        plan.stop_reason, plan.stop_sequence = "stop_sequence", seq
                        return plan
            if block.tokens <= remaining:
                plan.blocks.append(block)
                plan.output_tokens += block.tokens
                remaining -= block.tokens
                if block.kind in ("thinking", "redacted_thinking"):
                    plan.thinking_tokens += block.tokens
                continue
            # The block does not fit: cut it where max_tokens runs out and stop.
            if block.kind == "text" and remaining > 0:
                plan.blocks.append(_Block("text", text=self.counter.truncate(block.text, remaining), tokens=remaining))
            elif block.kind == "thinking" and remaining > 0:
                full = self.counter.truncate(block.hidden, remaining)
                visible = full if block.text else ""
                plan.blocks.append(_Block("thinking", text=visible, hidden=full, tokens=remaining))
                plan.thinking_tokens += remaining
            plan.output_tokens += max(remaining, 0)
            plan.stop_reason = "max_tokens"
            return plan
        plan.stop_reason = "tool_use" if any(b.kind == "tool_use" for b in plan.blocks) else "end_turn"
        return plan

    # -- rendering a planned block into its three forms -----------------------------------------------------
    def _render_block(self, block: _Block, index: int, content_key: str, rng: random.Random) -> ReplyBlock:
        if block.kind == "text":
            return ReplyBlock(
                final={"type": "text", "text": block.text},
                start={"type": "text", "text": ""},
                deltas=chunking.text_deltas(chunking.text_chunks(block.text, rng)),
            )
        if block.kind == "thinking":
            signature = ids.sign_thinking(self.seed, block.text, nonce=f"{content_key}:{index}".encode())
            deltas: list[JSON] = [
                {"type": "thinking_delta", "thinking": c} for c in chunking.sentence_chunks(block.text, rng)
            ]
            deltas.append({"type": "signature_delta", "signature": signature})
            return ReplyBlock(
                final={"type": "thinking", "thinking": block.text, "signature": signature},
                start={"type": "thinking", "thinking": "", "signature": ""},
                deltas=deltas,
            )
        if block.kind == "redacted_thinking":
            data = ids.redacted_data(self.seed, content_key, index)
            final = {"type": "redacted_thinking", "data": data}
            return ReplyBlock(final=final, start=dict(final))
        # tool_use: the id is set per reply by ``assemble``
        tool_id = ""
        payload = orjson.dumps(block.input).decode()
        return ReplyBlock(
            final={"type": "tool_use", "id": tool_id, "name": block.name, "input": block.input},
            start={"type": "tool_use", "id": tool_id, "name": block.name, "input": {}},
            deltas=[{"type": "input_json_delta", "partial_json": c} for c in chunking.json_chunks(payload, rng)],
        )


_THINKING_OPENERS = (
    "Let me think about what is being asked here.",
    "Let me work through this step by step.",
    "The user wants a clear answer, so I should plan it first.",
    "I need to consider the request carefully before answering.",
)


def _first_stop(text: str, stop_sequences: list[str]) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for seq in stop_sequences:
        if not seq:
            continue
        pos = text.find(seq)
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, seq)
    return best


def _texts(message: wire.MessageParam) -> list[str]:
    return [b.text for b in message.content if isinstance(b, wire.TextBlock)]


def _contains_trigger(req: ValidatedRequest) -> bool:
    return any(
        REDACTED_THINKING_TRIGGER in text
        for message in req.params.messages
        if message.role == "user"
        for text in _texts(message)
    )


def _last_turn(req: ValidatedRequest) -> wire.MessageParam:
    """The last user or assistant turn: mid-conversation ``system`` entries (Claude Code ends with one) are
    instructions, not the turn being answered."""
    for message in reversed(req.params.messages):
        if message.role != "system":
            return message
    return req.params.messages[-1]


def _last_turn_is_tool_result(req: ValidatedRequest) -> bool:
    last = _last_turn(req)
    return last.role == "user" and any(isinstance(b, wire.ToolResultBlock) for b in last.content)


def _client_tools(req: ValidatedRequest) -> list[tuple[str, Any]]:
    """(name, input_schema as a dict) of the custom tools (those the client runs itself), in request order."""
    return [
        (tool.name, tool.input_schema.model_dump(mode="json", exclude_none=True))
        for tool in req.params.tools or []
        if isinstance(tool, wire.CustomTool)
    ]


def _choose_tool(req: ValidatedRequest, rng: random.Random) -> tuple[str, Any, bool] | None:
    """Which client tool to call, if any: (name, schema, forced).

    ``tool`` and ``any`` force a call; ``auto`` calls a tool when the last turn is a user question (not a
    tool_result), so an agent loop runs once and then ends with text; ``none`` never calls.
    """
    tools = _client_tools(req)
    choice = req.params.tool_choice
    kind = choice.type if choice is not None else "auto"
    if not tools or kind == "none":
        return None
    if isinstance(choice, wire.ToolChoiceTool):
        for name, schema in tools:
            if name == choice.name:
                return name, schema, True
        return None
    if kind == "any":
        name, schema = tools[rng.randrange(len(tools))]
        return name, schema, True
    if _last_turn_is_tool_result(req) or _last_turn(req).role != "user":
        return None
    name, schema = _best_tool_for(req, tools, rng)
    return name, schema, False


def _best_tool_for(req: ValidatedRequest, tools: list[tuple[str, Any]], rng: random.Random) -> tuple[str, Any]:
    """The tool whose name words appear in the last user text, else a deterministic pick."""
    text = " ".join(_texts(_last_turn(req))).lower()
    for name, schema in tools:
        words = [w for w in name.lower().replace("-", "_").split("_") if len(w) > 2 and w != "get"]
        if any(w in text for w in words):
            return name, schema
    return tools[rng.randrange(len(tools))]
