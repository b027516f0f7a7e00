"""A generated reply before rendering: planned blocks, then the stop-sequence and ``max_tokens`` cuts.

A ``Plan`` is a pure function of the request content; the generator memoises it per request fingerprint and
renders its blocks once. Tool ids in a plan are placeholders that ``Generator.assemble`` replaces per reply.

A ``max_tokens`` cut inside a client tool call keeps the call, as the real API does (api-spec §8.5: "a
``tool_use`` block can have incomplete ``input``"): the block's input JSON is cut at the token where the budget
runs out. By default the API buffers each parameter value until it is complete, so the stream ends after the last
complete top-level value; a tool with ``eager_input_streaming: true`` (or, for tools that leave it out, the
``fine-grained-tool-streaming-2025-05-14`` beta) streams the input as generated, up to the cut token. The block's
``input`` is what the SDKs' accumulators make of the streamed text (``engine.partial_json``), so the JSON reply
and the stream agree.

⚠ unconfirmed: what the real non-streaming reply holds as a cut call's ``input`` (the mock: what the Python SDK
parses of the stream; the TypeScript SDK's parser differs in corners, e.g. a last string item of an unclosed array,
which only an eager cut can show); and the cut block's ``content_block_stop``, which a recorded stream (the Python
SDK's ``incomplete_partial_json_response.txt`` fixture) goes without, while the mock sends it. A cut inside a
``server_tool_use`` still drops that block.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockclaude.engine.blocks import TOOL_USE_FRAMING_TOKENS
from mockclaude.engine.partial_json import complete_members, parse_partial
from mockclaude.model import wire
from mockclaude.model.reply import JSON, ReplyBlock
from mockclaude.model.request import ValidatedRequest
from mockclaude.tokenize.encoding import TokenCounter

FINE_GRAINED_BETA = "fine-grained-tool-streaming-2025-05-14"


@dataclass(slots=True)
class PlanBlock:
    """A block of a plan, before ids are attached and deltas chosen."""

    kind: str  # text | thinking | redacted_thinking | tool_use | server_tool_use | server_result
    text: str = ""  # text / visible thinking
    hidden: str = ""  # full thinking when display is "omitted"
    name: str = ""  # tool name
    input: Any = None  # tool input
    tokens: int = 0
    citations: list[JSON] = field(default_factory=list)  # for text blocks
    final: JSON | None = None  # for server_result blocks: the complete block (tool_use_id a placeholder)
    id: str = ""  # placeholder id of a tool_use / server_tool_use
    partial_json: str | None = None  # a tool_use cut by max_tokens: the input JSON text that was streamed


@dataclass(slots=True)
class Plan:
    """The content decided for one fingerprint: blocks, stop reason, output usage, server-tool counts."""

    blocks: list[PlanBlock] = field(default_factory=list)
    stop_reason: str = "end_turn"
    stop_sequence: str | None = None
    stop_details: JSON | None = None
    output_tokens: int = 0
    thinking_tokens: int = 0
    web_search_requests: int = 0
    web_fetch_requests: int = 0
    code_ran: bool = False
    rendered: list[ReplyBlock] = field(default_factory=list)  # blocks with deltas; tool ids filled per reply
    start_output_tokens: int = 0
    rule: str | None = None  # the behaviour rule that decided (engine/behave), for the journal


def first_stop(text: str, stop_sequences: list[str]) -> tuple[int, str] | None:
    """The earliest stop sequence in ``text``: ``(position, sequence)``."""
    best: tuple[int, str] | None = None
    for seq in stop_sequences:
        if not seq:
            continue
        pos = text.find(seq)
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, seq)
    return best


def eager_tools(req: ValidatedRequest) -> frozenset[str]:
    """Names of the client tools whose input streams as it is generated (fine-grained tool streaming).

    ``eager_input_streaming`` on the tool decides; tools that leave it out stream eagerly under the
    ``fine-grained-tool-streaming-2025-05-14`` beta.
    """
    beta = FINE_GRAINED_BETA in req.betas
    out: set[str] = set()
    for tool in req.params.tools or []:
        name = getattr(tool, "name", None)
        flag = tool.eager_input_streaming if isinstance(tool, wire.CustomTool) else None
        if isinstance(name, str) and (flag or (flag is None and beta)):
            out.add(name)
    return frozenset(out)


def cut_tool_use(counter: TokenCounter, block: PlanBlock, budget: int, eager: bool) -> PlanBlock | None:
    """``block`` (a ``tool_use``) cut after ``budget`` of its output tokens; ``None`` when the budget ends before
    its name and framing are out (the block never started). The cut block costs the whole budget."""
    head = counter.count(block.name) + TOOL_USE_FRAMING_TOKENS
    if budget < head:
        return None
    payload = orjson.dumps(block.input).decode()
    cut = counter.truncate(payload, budget - head)
    if not payload.startswith(cut):  # a cut inside a character NFKC rewrites: keep what is a prefix
        same = (i for i, (a, b) in enumerate(zip(payload, cut, strict=False)) if a != b)
        cut = cut[: next(same, len(cut))]
    if not eager:
        cut = complete_members(cut)
    return PlanBlock(
        "tool_use",
        name=block.name,
        input=parse_partial(cut),
        id=block.id,
        tokens=budget,
        partial_json=cut,
    )


def fit(
    counter: TokenCounter,
    wanted: list[PlanBlock],
    max_tokens: int,
    stop_sequences: list[str],
    stop_reason: str,
    *,
    eager: Collection[str] = frozenset(),
) -> Plan:
    """Apply stop sequences and the ``max_tokens`` cut (exactly at a token boundary) to the wanted blocks.

    ``stop_reason`` is what the reply stops with when nothing cuts it (``end_turn``, ``tool_use``,
    ``pause_turn``, ``refusal``). ``eager`` names the tools whose input streams unbuffered (:func:`eager_tools`).
    """
    plan = Plan()
    remaining = max_tokens
    for block in wanted:
        if block.kind == "text" and stop_sequences:
            hit = first_stop(block.text, stop_sequences)
            if hit is not None:
                pos, seq = hit
                upto = counter.count(block.text[: pos + len(seq)])
                if upto <= remaining:
                    kept = block.text[:pos]
                    plan.blocks.append(PlanBlock("text", text=kept, tokens=upto, citations=block.citations))
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
            cut = counter.truncate(block.text, remaining)
            plan.blocks.append(PlanBlock("text", text=cut, tokens=remaining, citations=block.citations))
        elif block.kind == "thinking" and remaining > 0:
            full = counter.truncate(block.hidden, remaining)
            visible = full if block.text else ""
            plan.blocks.append(PlanBlock("thinking", text=visible, hidden=full, tokens=remaining))
            plan.thinking_tokens += remaining
        elif block.kind == "tool_use" and remaining > 0:
            partial = cut_tool_use(counter, block, remaining, block.name in eager)
            if partial is not None:
                plan.blocks.append(partial)
        plan.output_tokens += max(remaining, 0)
        plan.stop_reason = "max_tokens"
        return plan
    plan.stop_reason = stop_reason
    return plan
