"""Scripted replies: a compiled ``ReplySpec`` plus the request -> a ``Reply`` (or a raised API error).

Everything left open by the script is filled in deterministically: ids from ``(seed, request key,
occurrence)``, thinking signatures (a MAC of the text, so they verify when sent back), tool inputs generated
from the offered tool's schema, server-tool results, ``stop_reason`` (inferred), and output usage (counted).
"""

from __future__ import annotations

import random
import threading
from typing import Any

from mockclaude import ids
from mockclaude.clock import Clock
from mockclaude.engine import blocks as B
from mockclaude.engine import servertools as S
from mockclaude.engine.reply_spec import BlockSpec, ErrorSpec, ReplySpec
from mockclaude.engine.templates import Context, Template, render, render_strings
from mockclaude.model import wire
from mockclaude.model.errors import ApiError
from mockclaude.model.reply import JSON, Reply, ReplyBlock, Usage
from mockclaude.tokenize.encoding import TokenCounter
from mockclaude.tokenize.scaled import scaled

REFUSAL_DETAILS: JSON = {"type": "refusal", "category": None, "explanation": None}
CODE_TOOLS = frozenset({"code_execution", "bash_code_execution", "text_editor_code_execution"})


def make_error(spec: ErrorSpec, ctx: Context, extra_headers: dict[str, str]) -> ApiError:
    """The ``ApiError`` a scripted error reply raises (status overridden when the script says so)."""
    cls = spec.cls
    if spec.status is not None and spec.status != cls.status:
        cls = type(cls.__name__, (cls,), {"status": spec.status})
    message = render(spec.message, ctx) if spec.message is not None else None
    return cls(message, details=spec.details, headers={**extra_headers, **spec.headers})


def apply_usage(usage: Usage, overrides: dict[str, Any]) -> None:
    """Apply ``usage:`` overrides (wire names) to a ``Usage``."""
    simple = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    for key, value in overrides.items():
        if key in simple or key in ("service_tier", "inference_geo", "speed"):
            setattr(usage, key, value)
        elif key == "cache_creation":
            usage.cache_5m_tokens = value.get("ephemeral_5m_input_tokens", usage.cache_5m_tokens)
            usage.cache_1h_tokens = value.get("ephemeral_1h_input_tokens", usage.cache_1h_tokens)
        elif key == "server_tool_use":
            usage.web_search_requests = value.get("web_search_requests", usage.web_search_requests)
            usage.web_fetch_requests = value.get("web_fetch_requests", usage.web_fetch_requests)
        elif key == "output_tokens_details":
            usage.thinking_tokens = value.get("thinking_tokens", usage.thinking_tokens)


def finish(reply: Reply, spec: ReplySpec) -> Reply:
    """Apply a spec's stop fields, usage, headers, fault, latency and model to a built reply."""
    if spec.stop_reason is not None:
        reply.stop_reason = spec.stop_reason
    if spec.stop_sequence is not None:
        reply.stop_sequence = spec.stop_sequence
        if spec.stop_reason is None:
            reply.stop_reason = "stop_sequence"
    if spec.stop_details is not None:
        reply.stop_details = spec.stop_details
    elif reply.stop_reason == "refusal" and reply.stop_details is None:
        reply.stop_details = dict(REFUSAL_DETAILS)
    if spec.container is not None:
        reply.container = spec.container
    if spec.model is not None:
        reply.model = spec.model
    apply_usage(reply.usage, spec.usage)
    reply.headers.update(spec.headers)
    reply.fault = spec.fault or reply.fault
    reply.latency = spec.latency or reply.latency
    return reply


class ScriptedBuilder:
    """Builds the ``Reply`` of a scripted reply spec. One per engine."""

    def __init__(self, seed: int, counter: TokenCounter, clock: Clock) -> None:
        self.seed = seed
        self.counter = counter
        self.clock = clock
        self._lock = threading.Lock()

    def build(
        self,
        spec: ReplySpec,
        ctx: Context,
        request_key: str,
        content_key: str,
        occurrence: int,
        usage: Usage,
        salt: str,
    ) -> Reply:
        """The reply for one request; ``salt`` (the stub and item) keeps two stubs' deltas apart."""
        assert spec.blocks is not None
        rng = random.Random(ids.derive(self.seed, "script", content_key, salt))
        out: list[ReplyBlock] = []
        last_server: tuple[str, str] | None = None  # (id, name) of the latest server_tool_use
        searches = fetches = 0
        code_ran = False
        for block in spec.blocks:
            index = len(out)
            if block.type == "server_tool_use":
                made, ok = self._server_tool(block, ctx, rng, request_key, occurrence, index)
                out.extend(made)
                name = block.fields["name"]
                last_server = (made[0].final["id"], name)
                searches += name == "web_search" and ok
                fetches += name == "web_fetch" and ok
                code_ran = code_ran or name in CODE_TOOLS
            elif block.type in S.RESULT_TYPES.values():
                final: JSON = {"type": block.type}
                tool_use_id = block.fields.get("tool_use_id") or (last_server[0] if last_server else "")
                final["tool_use_id"] = tool_use_id
                final["content"] = block.fields["content"]
                out.append(B.whole_block(final))
            else:
                out.append(self._plain(block, ctx, rng, request_key, content_key, occurrence, index, salt))
        counter = scaled(self.counter, ctx.view.req.model.token_ratio)  # output in the model's tokens (§11)
        usage.output_tokens = sum(B.output_tokens(counter, b.final) for b in out)
        usage.web_search_requests = searches
        usage.web_fetch_requests = fetches
        uses_tools = any(b.final["type"] == "tool_use" for b in out)
        reply = Reply(
            id=ids.message_id(self.seed, request_key, occurrence),
            model=ctx.view.req.reply_model,
            blocks=out,
            stop_reason="tool_use" if uses_tools else "end_turn",
            usage=usage,
            start_output_tokens=min(usage.output_tokens, 1 + int(rng.random() * 4)),
        )
        if code_ran:
            container_id = ids.make_id("container", self.seed, request_key, occurrence)
            reply.container = S.container(container_id, self.clock.now())
        return reply

    def _plain(
        self,
        block: BlockSpec,
        ctx: Context,
        rng: random.Random,
        request_key: str,
        content_key: str,
        occurrence: int,
        index: int,
        salt: str,
    ) -> ReplyBlock:
        fields = block.fields
        if block.type == "text":
            citations = [self._citation(c) for c in fields.get("citations", [])]
            return B.text_block(_text(fields["text"], ctx), rng, citations)
        if block.type == "thinking":
            text = _text(fields["thinking"], ctx)
            signature = fields.get("signature") or ids.sign_thinking(
                self.seed, text, nonce=f"{content_key}:{salt}:{index}".encode()
            )
            return B.thinking_block(text, signature, rng)
        if block.type == "redacted_thinking":
            data = fields.get("data") or ids.redacted_data(self.seed, f"{content_key}:{salt}", index)
            return B.whole_block({"type": "redacted_thinking", "data": data})
        if block.type == "container_upload":
            return B.whole_block({"type": "container_upload", "file_id": fields["file_id"]})
        # tool_use
        name = fields["name"]
        tool_id = fields.get("id") or ids.tool_use_id(self.seed, request_key, occurrence, index)
        if "input" in fields:
            value = render_strings(fields["input"], ctx)
        else:
            value = self._generated_input(ctx, name, rng)
        return B.tool_use_block("tool_use", tool_id, name, value, rng)

    @staticmethod
    def _generated_input(ctx: Context, name: str, rng: random.Random) -> Any:
        for tool in ctx.view.tools:
            if isinstance(tool, wire.CustomTool) and tool.name == name:
                from mockclaude.engine.schema_gen import generate_instance  # only tool calls need it

                value = generate_instance(
                    tool.input_schema.model_dump(mode="json", exclude_none=True), rng, hint=name
                )
                return value if isinstance(value, dict) else {}
        return {}

    def _citation(self, cite: JSON) -> JSON:
        out = dict(cite)
        if out["type"] == "web_search_result_location":
            out.setdefault("title", None)
            out.setdefault("encrypted_index", S.opaque("index", out["url"], out["cited_text"], size=64))
        elif out["type"] in ("char_location", "page_location", "content_block_location"):
            out.setdefault("document_title", None)
            out.setdefault("file_id", None)
        return out

    def _server_tool(
        self,
        block: BlockSpec,
        ctx: Context,
        rng: random.Random,
        request_key: str,
        occurrence: int,
        index: int,
    ) -> tuple[list[ReplyBlock], bool]:
        """The ``server_tool_use`` block and its result block; ``ok`` is false for an error result."""
        fields = block.fields
        name: str = fields["name"]
        tool_id = fields.get("id") or ids.tool_use_id(self.seed, request_key, occurrence, index, server=True)
        text = ctx.view.last_user_text
        stdout = None
        if "input" in fields:
            value = render_strings(fields["input"], ctx)
        elif name == "web_search" or name.startswith("tool_search"):
            value = {"query": S.query_for(text)}
        elif name == "web_fetch":
            value = {"url": S.url_for(text, rng)}
        elif name in ("code_execution", "bash_code_execution"):
            code, stdout = S.code_for(text, rng)
            value = (
                {"code": code} if name == "code_execution" else {"command": f"python3 - <<'EOF'\n{code}\nEOF"}
            )
        else:
            value = {"command": "view", "path": "/tmp/main.py"}
        use = B.tool_use_block("server_tool_use", tool_id, name, value, rng)
        result = fields.get("result")
        ok = not (isinstance(result, dict) and "error" in result)
        content = self._result_content(name, value, result, rng, stdout)
        return [use, B.whole_block(S.result_block(name, tool_id, content))], ok

    def _result_content(
        self, name: str, value: Any, result: Any, rng: random.Random, stdout: str | None
    ) -> Any:
        if isinstance(result, dict) and "error" in result:
            return S.error_content(name, result["error"])
        if name == "web_search":
            if result is None:
                query = value.get("query", "") if isinstance(value, dict) else ""
                return S.search_results(str(query), rng, rng.randint(3, 5))
            return [
                {
                    "type": "web_search_result",
                    "title": hit["title"],
                    "url": hit["url"],
                    "encrypted_content": hit.get("encrypted_content")
                    or S.opaque("content", hit["url"], size=240),
                    "page_age": hit.get("page_age"),
                }
                for hit in result
            ]
        if name == "web_fetch":
            result = result or {}
            url = (
                result.get("url")
                or (value.get("url") if isinstance(value, dict) else None)
                or S.url_for("", rng)
            )
            text = result.get("text")
            if text is None:
                with self._lock:
                    text = S.page_text(random.Random(rng.getrandbits(64)), rng)
            return S.fetch_content(url, result.get("title") or url, text, self.clock.now(), citations=True)
        if name in ("code_execution", "bash_code_execution"):
            result = result or {}
            out = result.get("stdout", stdout if stdout is not None else "")
            return S.code_result(name, out, result.get("stderr", ""), result.get("return_code", 0))
        if result is not None:
            return result
        if name == "text_editor_code_execution":
            return {
                "type": "text_editor_code_execution_view_result",
                "content": "",
                "file_type": "text",
                "num_lines": 0,
                "start_line": 1,
                "total_lines": 0,
            }
        return {"type": "tool_search_tool_search_result", "tool_references": []}


def _text(value: Any, ctx: Context) -> str:
    return render(value, ctx) if isinstance(value, Template) else str(value)
