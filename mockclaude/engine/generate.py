"""Generated replies: what the mock says when no script decides (deterministic from seed + request).

Content is a pure function of ``(seed, content key)``; only ids take the occurrence. The expensive part (faker
text, tokenizing, schema-driven tool input) is memoised per fingerprint in a bounded LRU, so repeating a request
costs an id derivation and a dict copy.

What a reply holds: thinking only when the request enables it (at the start of a turn; after tool results too
with interleaved thinking, §7.6), then one of: a text answer sized by ``output_config.effort``; client tool calls
(several in parallel unless ``disable_parallel_tool_use``) with inputs valid against their schemas; a
server-tool turn (engine/serverplan.py). Test triggers: the documented redacted-thinking and refusal magic
strings, and ``PAUSE_TURN_TRIGGER``.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict

from mockclaude import ids
from mockclaude.clock import Clock, SystemClock
from mockclaude.engine import blocks as B
from mockclaude.engine import choose as C
from mockclaude.engine import prose
from mockclaude.engine import servertools as S
from mockclaude.engine import structured as J
from mockclaude.engine.behave import Behaviour, compose
from mockclaude.engine.citing import cited_answer
from mockclaude.engine.grounding import ground
from mockclaude.engine.plan import Plan, PlanBlock, eager_tools, fit
from mockclaude.engine.serverplan import FlowBuilder
from mockclaude.engine.view import RequestView
from mockclaude.model import wire
from mockclaude.model.reply import JSON, Reply, ReplyBlock, Usage
from mockclaude.model.request import ValidatedRequest
from mockclaude.tokenize.encoding import TokenCounter
from mockclaude.tokenize.scaled import scaled

REDACTED_THINKING_TRIGGER = C.REDACTED_THINKING_TRIGGER
REFUSAL_TRIGGER = C.REFUSAL_TRIGGER
PAUSE_TURN_TRIGGER = C.PAUSE_TURN_TRIGGER
TOOL_USE_FRAMING_TOKENS = B.TOOL_USE_FRAMING_TOKENS

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
# A refusal triggered mid-stream keeps the few tokens already sent (§8.6; the docs' example shows "Hello..").
# ⚠ unconfirmed: how much the real trigger string lets through, and that its stop_details category is null.
REFUSAL_PARTIAL_TOKENS = 6
REFUSAL_DETAILS: JSON = {"type": "refusal", "category": None, "explanation": None}
CODE_TOOLS = frozenset({"code_execution", "bash_code_execution", "text_editor_code_execution"})

_THINKING_OPENERS = (
    "Let me think about what is being asked here.",
    "Let me work through this step by step.",
    "The user wants a clear answer, so I should plan it first.",
    "I need to consider the request carefully before answering.",
)
_PROGRESS_NOTES = (
    "The tool returned what I needed; now I can answer.",
    "That result is enough to write the final answer.",
    "Good, the call succeeded. Summarizing next.",
)


class Generator:
    """Decides generated replies. One per server instance; decisions are serialised by its lock."""

    def __init__(
        self, seed: int, counter: TokenCounter, *, memo_size: int = 2048, clock: Clock | None = None
    ) -> None:
        self.seed = seed
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.counter = counter
        # Draws the words of generated prose; reseeded from the content RNG at the start of every decision.
        self._words = random.Random(0)
        self._lock = threading.Lock()
        self._memo: OrderedDict[str, Plan] = OrderedDict()
        self._read_clock = False  # set while deciding when the content takes the clock's time
        self._memo_size = memo_size
        self.tool_use = "intent"  # or "always": every user question with tools offered gets a call (old rule)

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
        usage.web_search_requests = plan.web_search_requests
        usage.web_fetch_requests = plan.web_fetch_requests
        return self.assemble(req, plan, fingerprint, occurrence, usage)

    def assemble(
        self, req: ValidatedRequest, plan: Plan, fingerprint: str, occurrence: int, usage: Usage
    ) -> Reply:
        """Turn a plan into a ``Reply``: the plan's rendered blocks (shared, never mutated) with fresh tool ids."""
        fresh = {
            i: ids.tool_use_id(self.seed, fingerprint, occurrence, i, server=kind == "server_tool_use")
            for i, block in enumerate(plan.rendered)
            if (kind := block.final["type"]) in ("tool_use", "server_tool_use")
        }
        reply = Reply(
            id=ids.message_id(self.seed, fingerprint, occurrence),
            model=req.reply_model,
            blocks=B.with_ids(plan.rendered, fresh),
            stop_reason=plan.stop_reason,
            stop_sequence=plan.stop_sequence,
            stop_details=dict(plan.stop_details) if plan.stop_details is not None else None,
            usage=usage,
            start_output_tokens=plan.start_output_tokens,
            rule=plan.rule,
        )
        if plan.code_ran:
            container_id = ids.make_id("container", self.seed, fingerprint, occurrence)
            reply.container = S.container(container_id, self.clock.now())
        return reply

    # -- planning ----------------------------------------------------------------------------------------
    def _plan(self, req: ValidatedRequest, fingerprint: str, content_key: str) -> Plan:
        # The plan also reads what headers decide (betas such as interleaved thinking, the API version), so
        # they are part of the memo key; the content itself stays seeded by the body alone.
        key = f"{fingerprint}|{req.api_version}|{','.join(req.betas)}"
        with self._lock:
            plan = self._memo.get(key)
            if plan is not None:
                self._memo.move_to_end(key)
                return plan
            # Output is counted in the model's tokens (newer tokenizers count ~30 % more, api-spec §11): for the
            # duration of this decision (we hold the lock) every count and cut uses the scaled counter.
            base = self.counter
            self.counter = scaled(base, req.model.token_ratio)
            self._read_clock = False
            try:
                plan = self._decide(req, content_key)
                self._render(plan, content_key)
            finally:
                self.counter = base
            if (
                self._read_clock
            ):  # content depends on the time (a fetch's retrieved_at): decide it again next time
                return plan
            self._memo[key] = plan
            if len(self._memo) > self._memo_size:
                self._memo.popitem(last=False)
            return plan

    def _decide(self, req: ValidatedRequest, content_key: str) -> Plan:
        params = req.params
        view = RequestView(req)
        rng = random.Random(ids.derive(self.seed, "content", content_key))
        self._words.seed(rng.getrandbits(64))
        max_tokens = params.max_tokens if isinstance(params, wire.MessageCreateParams) else 0
        if max_tokens == 0:  # cache pre-warm (§6.8): nothing generated
            return Plan(stop_reason="max_tokens")
        effort = req.effort or "high"
        stops = list((params.stop_sequences if isinstance(params, wire.MessageCreateParams) else None) or [])
        if C.triggered(view, C.REFUSAL_TRIGGER):
            plan = fit(self.counter, [self._refusal_text(effort, rng)], max_tokens, stops, "refusal")
            plan.stop_details = dict(REFUSAL_DETAILS) if plan.stop_reason == "refusal" else None
            return plan
        wanted = self._thinking(req, view, effort, rng)
        stop_reason = "end_turn"
        paused = C.paused_turn(view)
        action = None if paused is not None else C.choose(view, rng, always=self.tool_use == "always")
        schema = J.output_schema(params) if paused is None else None
        if schema is not None and not (action is not None and (action.calls or action.server)):
            # output_config.format: the answer is JSON valid against the schema (tool calls the conversation
            # asks for come first, as a model with tools would make them)
            wanted.append(J.answer(schema, rng, view.last_user_text, self.counter))
            structured = fit(self.counter, wanted, max_tokens, stops, "end_turn")
            structured.rule = "structured"
            return structured
        if paused is not None and (search := self._search_tool(view)) is not None:
            done = sum(1 for b in paused if isinstance(b, wire.ServerToolUseBlock) and b.name == "web_search")
            earlier = [
                {"type": "web_search_result", "url": r.url, "title": r.title}
                for b in paused
                if isinstance(b, wire.WebSearchToolResultBlock) and isinstance(b.content, list)
                for r in b.content
            ]
            flow = self._flows().build(
                search,
                view.last_user_text,
                rng,
                effort,
                pause=C.triggered(view, C.PAUSE_TURN_TRIGGER),
                done=done,
                earlier=earlier,
            )
            wanted += flow.blocks
            stop_reason = flow.stop_reason
        elif action is not None and action.server is not None:
            text = view.last_user_text
            flow = self._flows().build(
                action.server, text, rng, effort, pause=C.triggered(view, C.PAUSE_TURN_TRIGGER)
            )
            wanted += flow.blocks
            stop_reason = flow.stop_reason
        elif action is not None and action.calls:
            # under output_config.format every text block must be JSON (the SDK parses each): no preamble
            wanted += self._calls(action, rng, view.last_user_text, preamble=schema is None)
            stop_reason = "tool_use"
        elif cited := cited_answer(view, self.counter, self._words, rng):  # documents with citations on
            wanted += cited
            action = None  # the rule below: an answer drawn from the cited documents
        else:
            text = self._answer(action.behaviour if action is not None else None, effort, rng)
            wanted.append(PlanBlock("text", text=text, tokens=self.counter.count(text)))
        plan = fit(self.counter, wanted, max_tokens, stops, stop_reason, eager=eager_tools(req))
        plan.rule = "paused" if paused is not None else action.rule if action is not None else "text.cited"
        _count_server_use(plan)
        return plan

    def _answer(self, behaviour: Behaviour | None, effort: str, rng: random.Random) -> str:
        """A text answer: the decided one (tool results, a greeting), else prose in the form asked for."""
        lo, hi = EFFORT_TEXT_TOKENS.get(effort, EFFORT_TEXT_TOKENS["high"])
        target = rng.randint(lo, hi)
        if behaviour is None:
            return self._prose(target, rng, style="answer")

        def sentence(locale: str) -> str:
            return prose.sentence(self._words, rng.randint(6, 14), locale)

        def paragraphs(tokens: int, locale: str) -> str:
            return self._prose(tokens, rng, style="answer", locale=locale)

        return compose(behaviour, target, rng, sentence, paragraphs)

    def _thinking(
        self, req: ValidatedRequest, view: RequestView, effort: str, rng: random.Random
    ) -> list[PlanBlock]:
        """Thinking at the start of a turn; after tool results only with interleaved thinking (§7.6)."""
        thinking = req.thinking
        starts_turn = C.question(view) is not None
        after_tools = view.last_is_tool_result
        if thinking.mode == "between_tools":
            if not after_tools:
                return []
            note = rng.choice(_PROGRESS_NOTES)
            visible = "" if thinking.display == "omitted" else note
            return [PlanBlock("thinking", text=visible, hidden=note, tokens=self.counter.count(note))]
        if thinking.mode not in ("enabled", "adaptive"):
            return []
        if not (starts_turn or (after_tools and thinking.interleaved)):
            return []
        if not self._will_think(thinking.mode, effort, rng):
            return []
        if C.triggered(view, C.REDACTED_THINKING_TRIGGER):
            return [PlanBlock("redacted_thinking", tokens=rng.randint(40, 160))]
        lo, hi = EFFORT_THINKING_TOKENS.get(effort, EFFORT_THINKING_TOKENS["high"])
        target = rng.randint(lo, hi)
        if thinking.budget_tokens is not None:
            target = min(target, max(16, thinking.budget_tokens * 3 // 4))
        full = self._prose(target, rng, style="thinking")
        visible = "" if thinking.display == "omitted" else full
        return [PlanBlock("thinking", text=visible, hidden=full, tokens=self.counter.count(full))]

    @staticmethod
    def _will_think(mode: str, effort: str, rng: random.Random) -> bool:
        # Adaptive thinking may skip thinking for easy, low-effort requests (§7.1); enabled always thinks.
        return mode == "enabled" or effort != "low" or rng.random() < 0.5

    def _calls(
        self, action: C.Action, rng: random.Random, user_text: str = "", *, preamble: bool = True
    ) -> list[PlanBlock]:
        out: list[PlanBlock] = []
        if preamble and not action.forced:
            names = [call.name for call in action.calls]
            which = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            opening = f"I'll use the {which} tool{'s' * (len(names) > 1)} to help with that."
            out.append(PlanBlock("text", text=opening, tokens=self.counter.count(opening)))
        for k, call in enumerate(action.calls):
            name, schema = call.name, call.schema
            if call.input is not None:  # built from the user's words (engine/behave/tools.py)
                value = call.input
            else:
                from mockclaude.engine.schema_gen import generate_instance  # only tool calls need it

                generated = generate_instance(schema, rng, hint=name)
                value = ground(generated, schema, user_text) if isinstance(generated, dict) else {}
            block = PlanBlock("tool_use", name=name, input=value, id=f"toolu_plan_{k}")
            block.tokens = B.output_tokens(self.counter, {"type": "tool_use", "name": name, "input": value})
            out.append(block)
        return out

    def _refusal_text(self, effort: str, rng: random.Random) -> PlanBlock:
        lo, hi = EFFORT_TEXT_TOKENS.get(effort, EFFORT_TEXT_TOKENS["high"])
        text = self.counter.truncate(
            self._prose(rng.randint(lo, hi), rng, style="answer"), REFUSAL_PARTIAL_TOKENS
        )
        return PlanBlock("text", text=text, tokens=self.counter.count(text))

    @staticmethod
    def _search_tool(view: RequestView) -> C.ServerTool | None:
        return next((s for s in C.server_tools(view) if s.kind == "web_search"), None)

    def _flows(self) -> FlowBuilder:
        words = self._words
        self._read_clock = True
        return FlowBuilder(
            self.counter,
            sentence=lambda r: prose.sentence(words, r.randint(8, 16)),
            page=lambda r: S.page_text(words, r),
            now=self.clock.now(),
        )

    def _prose(self, target_tokens: int, rng: random.Random, *, style: str, locale: str = "en_US") -> str:
        """Sentences of faker's vocabulary (``engine.prose``) until about ``target_tokens`` tokens.

        The length is reached on an estimate (characters times the vocabulary's tokens per character, measured
        with the claude-v1 tokenizer): the caller counts the text exactly once, for usage. Counting every
        sentence here was most of the cost of a generated answer.
        """
        joiner = "" if locale in prose.UNSPACED else " "
        per_char = prose.TOKENS_PER_CHAR.get(locale, 0.3)
        sentences: list[str] = []
        estimate = 0.0
        if style == "thinking":
            sentences.append(rng.choice(_THINKING_OPENERS))
            estimate += len(sentences[0]) * per_char
        while estimate < target_tokens:
            s = prose.sentence(self._words, 6 + int(rng.random() * 11), locale)
            sentences.append(s)
            estimate += len(s) * per_char + 1
            if (
                style == "answer"
                and estimate < target_tokens
                and len(sentences) % (3 + int(rng.random() * 4)) == 0
            ):
                sentences.append("\n\n")
        return joiner.join(sentences).replace(f"{joiner}\n\n{joiner}", "\n\n").strip()

    # -- rendering a planned block into its three forms -----------------------------------------------------
    def _render(self, plan: Plan, content_key: str) -> None:
        """Fix the deltas of every block once per plan (they depend on content only)."""
        rng = random.Random(ids.derive(self.seed, "chunks", content_key))
        plan.rendered = [self._render_block(b, i, content_key, rng) for i, b in enumerate(plan.blocks)]
        plan.start_output_tokens = min(plan.output_tokens, 1 + int(rng.random() * 4))

    def _render_block(self, block: PlanBlock, index: int, content_key: str, rng: random.Random) -> ReplyBlock:
        if block.kind == "text":
            return B.text_block(block.text, rng, block.citations)
        if block.kind == "thinking":
            signature = ids.sign_thinking(self.seed, block.text, nonce=f"{content_key}:{index}".encode())
            return B.thinking_block(block.text, signature, rng)
        if block.kind == "redacted_thinking":
            return B.whole_block(
                {"type": "redacted_thinking", "data": ids.redacted_data(self.seed, content_key, index)}
            )
        if block.kind == "server_result":
            assert block.final is not None
            return B.whole_block(block.final)
        # tool_use / server_tool_use: the placeholder id is replaced per reply by ``assemble``
        return B.tool_use_block(block.kind, block.id, block.name, block.input, rng, block.partial_json)


def _count_server_use(plan: Plan) -> None:
    """Usage counts of the server tools that ran (error results are not billed) and whether code ran."""
    for block in plan.blocks:
        if block.kind == "server_tool_use" and block.name in CODE_TOOLS:
            plan.code_ran = True
        if block.kind != "server_result" or block.final is None:
            continue
        content = block.final["content"]
        if isinstance(content, dict) and content.get("type", "").endswith("_error"):
            continue
        if block.final["type"] == "web_search_tool_result":
            plan.web_search_requests += 1
        elif block.final["type"] == "web_fetch_tool_result":
            plan.web_fetch_requests += 1
