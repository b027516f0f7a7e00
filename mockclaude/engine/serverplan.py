"""Generated server-tool turns: ``server_tool_use`` + result blocks, then an answer whose citations point into
the results; ``max_uses`` honoured (``max_uses_exceeded`` error results) and ``pause_turn`` past the iteration
limit (api-spec §3.2, §3.3, §8.7)."""

from __future__ import annotations

import random
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from mockclaude.engine import servertools as S
from mockclaude.engine.blocks import TOOL_USE_FRAMING_TOKENS
from mockclaude.engine.choose import ServerTool
from mockclaude.engine.plan import PlanBlock
from mockclaude.model.reply import JSON
from mockclaude.tokenize.encoding import TokenCounter

SEARCHES_BY_EFFORT = {"low": 1, "medium": 1, "high": 2, "xhigh": 3, "max": 3}
"""Web searches a generated turn runs, per effort. Not measured on the real models."""
_REFINEMENTS = ("overview", "latest", "explained", "2026", "details", "analysis", "facts", "history", "guide")

Sentence = Callable[[random.Random], str]


@dataclass(slots=True)
class Flow:
    """The planned blocks of a server-tool turn and what they add to the reply."""

    blocks: list[PlanBlock] = field(default_factory=list)
    stop_reason: str = "end_turn"
    web_search_requests: int = 0
    web_fetch_requests: int = 0
    code_ran: bool = False


class FlowBuilder:
    """Plans one server-tool turn. ``sentence`` draws a sentence of prose; ``page`` a few paragraphs."""

    def __init__(self, counter: TokenCounter, sentence: Sentence, page: Sentence, now: float) -> None:
        self.counter = counter
        self.sentence = sentence
        self.page = page
        self.now = now
        self._ids = 0

    def _text(self, text: str, citations: list[JSON] | None = None) -> PlanBlock:
        return PlanBlock("text", text=text, tokens=self.counter.count(text), citations=citations or [])

    def _use(self, name: str, value: dict[str, Any]) -> PlanBlock:
        self._ids += 1
        tokens = (
            self.counter.count(name)
            + self.counter.count(orjson.dumps(value).decode())
            + TOOL_USE_FRAMING_TOKENS
        )
        return PlanBlock(
            "server_tool_use", name=name, input=value, tokens=tokens, id=f"srvtoolu_plan_{self._ids}"
        )

    @staticmethod
    def _result(use: PlanBlock, content: Any) -> PlanBlock:
        return PlanBlock("server_result", final=S.result_block(use.name, use.id, content))

    def build(
        self,
        tool: ServerTool,
        text: str,
        rng: random.Random,
        effort: str,
        *,
        pause: bool,
        done: int = 0,
        earlier: list[JSON] | None = None,
    ) -> Flow:
        """The turn for ``tool`` answering ``text``. ``done`` searches already ran in a paused turn whose
        results are ``earlier``; ``pause`` plans more iterations than the limit allows in one reply."""
        if tool.kind == "web_fetch":
            return self._fetch(tool, text, rng)
        if tool.kind == "code_execution":
            return self._code(tool, text, rng)
        return self._search(tool, text, rng, effort, pause=pause, done=done, earlier=earlier or [])

    def _search(
        self,
        tool: ServerTool,
        text: str,
        rng: random.Random,
        effort: str,
        *,
        pause: bool,
        done: int,
        earlier: list[JSON],
    ) -> Flow:
        flow = Flow()
        base = S.query_for(text)
        planned = S.ITERATION_LIMIT + 2 if pause else SEARCHES_BY_EFFORT.get(effort, 2)
        if done == 0:
            flow.blocks.append(self._text(f"I'll search for information about {base}."))
        found = list(earlier)
        limit = tool.max_uses
        for i in range(done, planned):
            if i - done >= S.ITERATION_LIMIT:
                flow.stop_reason = "pause_turn"  # the client sends the turn back to continue it
                return flow
            query = base if i == 0 else f"{base} {_REFINEMENTS[i % len(_REFINEMENTS)]}"
            use = self._use("web_search", {"query": query})
            flow.blocks.append(use)
            if limit is not None and flow.web_search_requests >= limit:
                flow.blocks.append(self._result(use, S.error_content("web_search", "max_uses_exceeded")))
                break
            results = S.search_results(query, rng, rng.randint(3, 5))
            flow.blocks.append(self._result(use, results))
            flow.web_search_requests += 1
            found.extend(results)
        flow.blocks.extend(self._cited_answer(found, rng))
        return flow

    def _cited_answer(self, found: list[JSON], rng: random.Random) -> list[PlanBlock]:
        if not found:
            return [self._text("I wasn't able to find search results for that. " + self.sentence(rng))]
        out = [self._text("Based on the search results, here is what I found:\n\n")]
        picks = rng.sample(found, k=min(len(found), rng.randint(2, 3)))
        for result in picks:  # (no whitespace-only blocks: a client must be able to send the turn back)
            cited = self.sentence(rng)
            claim = self.sentence(rng) + " "
            out.append(self._text(claim, [S.search_citation(result, cited)]))
        out.append(self._text("\n\nLet me know if you'd like more detail on any of these points."))
        return out

    def _fetch(self, tool: ServerTool, text: str, rng: random.Random) -> Flow:
        flow = Flow()
        url = S.url_for(text, rng)
        flow.blocks.append(self._text(f"I'll fetch {url} to read it."))
        use = self._use("web_fetch", {"url": url})
        flow.blocks.append(use)
        if tool.max_uses == 0:
            flow.blocks.append(self._result(use, S.error_content("web_fetch", "max_uses_exceeded")))
            flow.blocks.append(self._text("I couldn't fetch the page, so I can't summarize it."))
            return flow
        page = self.page(rng)
        title = url.rstrip("/").rsplit("/", 1)[-1].replace("-", " ").title() or url
        flow.blocks.append(self._result(use, S.fetch_content(url, title, page, self.now, tool.citations)))
        flow.web_fetch_requests = 1
        sentences = [s.strip() + "." for s in page.replace("\n", " ").split(".") if s.strip()]
        picks = sentences[: min(2, len(sentences))]
        if tool.citations:
            flow.blocks.append(self._text("The page makes these points:\n\n"))
            for sentence in picks:
                cite = S.char_citation(page, sentence, title)
                flow.blocks.append(self._text(self.sentence(rng) + "\n", [cite] if cite else []))
            flow.blocks.append(self._text("That is the gist of the page."))
        else:
            flow.blocks.append(self._text("In short: " + " ".join(picks)))
        return flow

    def _code(self, tool: ServerTool, text: str, rng: random.Random) -> Flow:
        flow = Flow(code_ran=True)
        code, stdout = S.code_for(text, rng)
        name = tool.use_name
        value = {"code": code} if name == "code_execution" else {"command": f"python3 -c {shlex.quote(code)}"}
        flow.blocks.append(self._text("I'll run some code to work that out."))
        use = self._use(name, value)
        flow.blocks.append(use)
        flow.blocks.append(self._result(use, S.code_result(name, stdout)))
        flow.blocks.append(
            self._text(f"The code printed `{stdout.strip()}`, so the answer is {stdout.strip()}.")
        )
        return flow
