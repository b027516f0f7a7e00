"""A generated reply before rendering: planned blocks, then the stop-sequence and ``max_tokens`` cuts.

A ``Plan`` is a pure function of the request content; the generator memoises it per request fingerprint and
renders its blocks once. Tool ids in a plan are placeholders that ``Generator.assemble`` replaces per reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockclaude.model.reply import JSON, ReplyBlock
from mockclaude.tokenize.encoding import TokenCounter


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


def fit(
    counter: TokenCounter,
    wanted: list[PlanBlock],
    max_tokens: int,
    stop_sequences: list[str],
    stop_reason: str,
) -> Plan:
    """Apply stop sequences and the ``max_tokens`` cut (exactly at a token boundary) to the wanted blocks.

    ``stop_reason`` is what the reply stops with when nothing cuts it (``end_turn``, ``tool_use``,
    ``pause_turn``, ``refusal``).
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
        plan.output_tokens += max(remaining, 0)
        plan.stop_reason = "max_tokens"
        return plan
    plan.stop_reason = stop_reason
    return plan
