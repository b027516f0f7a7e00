"""Rules on ``messages`` as a conversation: roles, empty content, text blocks, tool pairing, prefill (§1.3).

Error locations use the indices of the request as sent (``messages.N.content.M``), also for the checks
that run on merged turns: consecutive same-role messages are combined into one turn, as the real API does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mockclaude.model.catalog import ModelSpec
from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.request import ApiVersion, Policy, ThinkingPlan
from mockclaude.model.wire import Block, MessageParam, SearchResultBlock, TextBlock, ToolResultBlock

__all__ = ["Turn", "check_conversation", "check_system_text", "merge", "to_turns"]

# A trailing assistant message that ends in one of these continues a paused server-tool turn
# (stop_reason "pause_turn", §8.7): it is not a prefill.
CONTINUATION_TYPES = frozenset(
    {
        "server_tool_use",
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
        "advisor_tool_result",
        "mcp_tool_use",
        "mcp_tool_result",
        "compaction",
    }
)
SYSTEM_MESSAGE_TYPES = frozenset({"text", "tool_addition", "tool_removal"})

PREFILL_UNSUPPORTED = (
    "This model does not support assistant message prefill. The conversation must end with a user message."
)


def _bad(message: str) -> InvalidRequestError:
    return InvalidRequestError(message)


@dataclass(slots=True)
class Turn:
    """Consecutive same-role messages combined; each block keeps its original ``(message, index)``."""

    role: str
    first: int
    blocks: list[tuple[int, int, Block]] = field(default_factory=list)


def to_turns(messages: list[MessageParam]) -> list[Turn]:
    turns: list[Turn] = []
    for n, msg in enumerate(messages):
        if not turns or turns[-1].role != msg.role:
            turns.append(Turn(msg.role, n))
        turns[-1].blocks.extend((n, m, b) for m, b in enumerate(msg.content))
    return turns


def merge(messages: list[MessageParam]) -> list[MessageParam]:
    """The conversation with consecutive same-role messages combined (content lists concatenated)."""
    out: list[MessageParam] = []
    for msg in messages:
        if out and out[-1].role == msg.role:
            prev = out[-1]
            out[-1] = prev.model_copy(update={"content": [*prev.content, *msg.content]})
        else:
            out.append(msg)
    return out


def check_system_text(blocks: list[TextBlock]) -> None:
    """The top-level ``system`` blocks: empty / whitespace-only text, ``cache_control`` on empty text.

    ⚠ unconfirmed: worded as the ``messages`` texts with ``system`` as the field.
    """
    for j, block in enumerate(blocks):
        text = block.text
        if text and not text.isspace():
            continue
        if not text and block.cache_control is not None:
            raise _bad(f"system.{j}.text: cache_control cannot be set for empty text blocks")
        if not text:
            raise _bad("system: text content blocks must be non-empty")
        raise _bad("system: text content blocks must contain non-whitespace text")


def check_conversation(
    messages: list[MessageParam],
    spec: ModelSpec,
    version: ApiVersion,
    plan: ThinkingPlan,
    policy: Policy,
    *,
    generating: bool = True,
) -> list[Turn]:
    """Every conversation rule, in a fixed order; returns the merged turns.

    ``generating`` is false for count_tokens: a conversation that ends on an assistant turn (a full
    transcript, or one ending on a ``tool_use``) is counted, not refused as a prefill. ⚠ unconfirmed.
    """
    if not messages:
        raise _bad("messages: at least one message is required")
    _check_system_messages(messages, spec)
    if messages[0].role == "assistant" and not policy.allow_first_assistant:
        raise _bad('messages: first message must use the "user" role')
    last = len(messages) - 1
    for n, msg in enumerate(messages):
        if not msg.content and not (n == last and msg.role == "assistant"):
            raise _bad(
                f"messages.{n}: all messages must have non-empty content except for the optional final "
                "assistant message"
            )
    _check_message_text(messages)
    turns = to_turns(messages)
    if generating:
        _check_prefill(turns, spec, plan)
    _check_tool_pairing(turns, len(messages) if generating else None)
    if version == "2026-10-21":
        _check_2026(messages)
    return turns


def _check_system_messages(messages: list[MessageParam], spec: ModelSpec) -> None:
    """Mid-conversation ``role: "system"`` messages (§1.3). ⚠ unconfirmed: the position/content texts."""
    for n, msg in enumerate(messages):
        if msg.role != "system":
            continue
        if not spec.system_messages:
            raise _bad("role 'system' is not supported on this model")
        if n == 0:
            raise _bad(f"messages.{n}: a 'system' message cannot be the first message")
        prev = messages[n - 1]
        if prev.role == "assistant" and not (prev.content and prev.content[-1].type in CONTINUATION_TYPES):
            raise _bad(f"messages.{n}: a 'system' message must follow a 'user' message")
        if n + 1 < len(messages) and messages[n + 1].role == "user":
            raise _bad(
                f"messages.{n}: a 'system' message must be the last message or be followed by an "
                "'assistant' message"
            )
        for m, block in enumerate(msg.content):
            if block.type not in SYSTEM_MESSAGE_TYPES:
                raise _bad(f"messages.{n}.content.{m}: a 'system' message may only contain text blocks")


def _check_message_text(messages: list[MessageParam]) -> None:
    for n, msg in enumerate(messages):
        for m, block in enumerate(msg.content):
            if block.type != "text":
                continue
            text = block.text
            if text and not text.isspace():
                continue
            if not text and block.cache_control is not None:
                # ⚠ unconfirmed location prefix; text per the docs' "Empty text blocks cannot be cached".
                raise _bad(
                    f"messages.{n}.content.{m}.text: cache_control cannot be set for empty text blocks"
                )
            if not text:
                raise _bad("messages: text content blocks must be non-empty")
            raise _bad("messages: text content blocks must contain non-whitespace text")


def _check_prefill(turns: list[Turn], spec: ModelSpec, plan: ThinkingPlan) -> None:
    final = turns[-1]
    if final.role != "assistant":
        return
    if final.blocks and final.blocks[-1][2].type in CONTINUATION_TYPES:
        return  # continuing a paused server-tool turn
    if not spec.prefill:
        raise _bad(PREFILL_UNSUPPORTED)
    if not final.blocks:
        return
    n, m, first = final.blocks[0]
    if plan.mode in ("enabled", "adaptive") and first.type not in ("thinking", "redacted_thinking"):
        # Seen through early 2026 (api-spec §7.5, "preceeding" sic); ⚠ unconfirmed that prefill gets it today.
        raise _bad(
            f"messages.{n}.content.{m}.type: Expected `thinking` or `redacted_thinking`, but found "
            f"`{first.type}`. When `thinking` is enabled, a final `assistant` message must start with a "
            "thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). To avoid "
            "this requirement, disable `thinking`."
        )
    last = final.blocks[-1][2]
    if last.type == "text" and last.text != last.text.rstrip():
        raise _bad("final assistant content cannot end with trailing whitespace")


def _check_tool_pairing(turns: list[Turn], count: int | None) -> None:
    """``count`` is the number of messages; ``None`` lets the conversation end on a ``tool_use``."""
    seen: set[str] = set()
    for t, turn in enumerate(turns):
        if turn.role == "assistant":
            nxt = turns[t + 1] if t + 1 < len(turns) else None
            _check_tool_uses(turn, nxt, seen, count)
        elif turn.role == "user":
            _check_tool_results(turn, turns[t - 1] if t > 0 else None)


def _check_tool_uses(turn: Turn, nxt: Turn | None, seen: set[str], count: int | None) -> None:
    uses: list[str] = []
    for n, m, block in turn.blocks:
        if block.type != "tool_use":
            continue
        if block.id in seen:
            # ⚠ unconfirmed: full text (a 3P classifier matches "`tool_use` ids must be unique").
            raise _bad(f"messages.{n}.content.{m}: `tool_use` ids must be unique")
        seen.add(block.id)
        uses.append(block.id)
    if not uses or (nxt is None and count is None):
        return
    answered = {b.tool_use_id for _, _, b in nxt.blocks if b.type == "tool_result"} if nxt else set()
    missing = [u for u in uses if u not in answered]
    if missing:
        # N is the message that should have held the results; for a conversation that ends on the
        # tool_use it is one past the end ⚠ unconfirmed.
        where = nxt.first if nxt is not None else count
        raise _bad(
            f"messages.{where}: `tool_use` ids were found without `tool_result` blocks immediately after: "
            f"{', '.join(missing)}. Each `tool_use` block must have a corresponding `tool_result` block in "
            "the next message."
        )


def _check_tool_results(turn: Turn, prev: Turn | None) -> None:
    results = [(n, m, b) for n, m, b in turn.blocks if isinstance(b, ToolResultBlock)]
    if not results:
        return
    offered: set[str] = set()
    if prev is not None and prev.role == "assistant":
        offered = {b.id for _, _, b in prev.blocks if b.type == "tool_use"}
    if not offered:
        raise _bad(
            f"messages.{results[0][0]}: `tool_result` block(s) provided when previous message does not "
            "contain any `tool_use` blocks"
        )
    for n, m, result in results:
        if result.tool_use_id not in offered:
            raise _bad(
                f"messages.{n}.content.{m}: unexpected `tool_use_id` found in `tool_result` blocks: "
                f"{result.tool_use_id}. Each `tool_result` block must have a corresponding `tool_use` block "
                "in the previous message."
            )
    seen_other = False
    for n, m, block in turn.blocks:
        if block.type != "tool_result":
            seen_other = True
        elif seen_other:
            # ⚠ unconfirmed text (docs: tool_result blocks must come first, text after).
            raise _bad(
                f"messages.{n}.content.{m}: `tool_result` blocks must come first in the content of a "
                "`user` message, before any other content"
            )
    for n, m, result in results:
        if result.is_error and not result.content:
            # 3P logs quote "content cannot be empty if is_error is true"; ⚠ location prefix.
            raise _bad(f"messages.{n}.content.{m}.tool_result: content cannot be empty if is_error is true")


def _check_2026(messages: list[MessageParam]) -> None:
    """API 2026-10-21: no documents in assistant turns, no citations on user text. ⚠ unconfirmed texts."""
    for n, msg in enumerate(messages):
        for m, block in enumerate(msg.content):
            if msg.role == "assistant" and block.type == "document":
                raise _bad(
                    f"messages.{n}.content.{m}: `document` blocks are not allowed in `assistant` messages"
                )
            if msg.role != "user":
                continue
            path = f"messages.{n}.content.{m}"
            if isinstance(block, TextBlock) and block.citations:
                raise _bad(
                    f"{path}.text.citations: citations are not allowed on `text` blocks in `user` messages"
                )
            if isinstance(block, SearchResultBlock):
                _no_citations(block, f"{path}.search_result")
            elif isinstance(block, ToolResultBlock):
                for k, item in enumerate(block.content):
                    if isinstance(item, SearchResultBlock):
                        _no_citations(item, f"{path}.tool_result.content.{k}.search_result")


_USER_CITATIONS = "citations are not allowed on `text` blocks in `user` messages"


def _no_citations(block: SearchResultBlock, path: str) -> None:
    for k, text in enumerate(block.content):
        if text.citations:
            raise _bad(f"{path}.content.{k}.text.citations: {_USER_CITATIONS}")
