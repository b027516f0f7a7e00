"""``Engine``: decides the reply to a validated request — a scripted stub if one matches, else generation.

Unmatched requests are recorded (with their near misses, computed when read); in strict mode they are answered
with a 400 the SDKs do not retry (``x-should-retry: false``) whose message starts ``mockclaude: no stub
matched`` and names the nearest stubs with the reasons each did not match. Exceptions raised by Python reply
callbacks are recorded for a later ``check()`` and answered with a 500 ``api_error``.
"""

from __future__ import annotations

import dataclasses
import threading
import traceback
from collections import deque
from typing import Any

from mockclaude.clock import Clock, SystemClock
from mockclaude.engine.generate import Generator
from mockclaude.engine.issues import Issues
from mockclaude.engine.recorded import build_reply
from mockclaude.engine.registry import Hit, StubRegistry, is_exhausted
from mockclaude.engine.replies import ScriptedBuilder, finish, make_error
from mockclaude.engine.reply_spec import ReplySpec, compile_reply
from mockclaude.engine.scenarios import Scenarios
from mockclaude.engine.stubs import Stub
from mockclaude.engine.templates import Context
from mockclaude.engine.view import RequestView
from mockclaude.model.errors import InternalServerError, InvalidRequestError
from mockclaude.model.reply import Reply, Usage
from mockclaude.model.request import ValidatedRequest
from mockclaude.tokenize.encoding import TokenCounter
from mockclaude.tokenize.scaled import scaled

UNMATCHED_KEPT = 256
"""How many unmatched requests ``Engine.unmatched`` remembers (the oldest are dropped)."""
UNMATCHED_BYTES = 32 * 1024 * 1024
"""And at most about this many bytes of them (their bodies' sizes, twice: raw and parsed); the newest stays."""
NO_RETRY = {"x-should-retry": "false"}


class NoStubMatchedError(InvalidRequestError):
    """Strict mode: no stub matched. A 400 with ``x-should-retry: false``, so no SDK retries it."""


class SequenceExhaustedError(InvalidRequestError):
    """A sequence with ``exhausted: error`` was asked for one reply more than it holds."""


class CallbackError(InternalServerError):
    """A Python reply callback raised, or returned something that is not a valid reply. A 500 the SDKs do not
    retry (``x-should-retry: false``): calling a broken callback again cannot help."""


class _Unmatched:
    """An unmatched request; its near misses are computed on first read (the error path stays cheap)."""

    def __init__(
        self, view: RequestView, registry: StubRegistry, strict: bool, near: list[dict[str, Any]] | None
    ):
        self.view = view
        self.registry = registry
        self.strict = strict
        self._near = near

    def to_json(self) -> dict[str, Any]:
        if self._near is None:
            self._near = self.registry.near_misses(self.view)
        return {
            "model": self.view.model,
            "last_user_text": self.view.last_user_text,
            "message_count": len(self.view.messages),
            "stream": self.view.stream,
            "served": "error" if self.strict else "generated",
            "near_misses": self._near,
        }


class Decision(threading.local):
    """What the engine decided for the request this thread is processing: the request as it read it, and the
    stub hit (None when no stub matched), and whether the reply was generated (not scripted). The journal reads it
    to record which stub answered; the pipeline, to rename only a generated reply's window cut (§8.8)."""

    view: RequestView | None = None
    hit: Hit | None = None
    generated: bool = False
    rule: str | None = None  # a generated reply: the behaviour rule that decided (engine/behave)


class Engine:
    """One mock instance's decision maker: stubs, scenarios, the generator, and what went unmatched."""

    def __init__(
        self, seed: int, counter: TokenCounter, *, clock: Clock | None = None, strict: bool = False
    ) -> None:
        self.seed = seed
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.generator = Generator(seed, counter, clock=self.clock)
        self.decision = Decision()  # per thread: a test thread and the server thread never see each other's
        self.scenarios = Scenarios()
        self.stubs = StubRegistry(self.scenarios)
        self.strict = strict
        self.recount = False  # recorded replies: the mock's usage instead of the recorded one (--recount)
        self._builder = ScriptedBuilder(seed, counter, self.clock)
        self._unmatched: deque[_Unmatched] = deque(maxlen=UNMATCHED_KEPT)
        self._callback_errors: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    # -- the contract the pipeline uses ------------------------------------------------------------------------
    def decide(
        self,
        req: ValidatedRequest,
        request_key: str,
        content_key: str,
        occurrence: int,
        usage: Usage,
        *,
        generate: ValidatedRequest | None = None,
    ) -> Reply:
        """The reply to ``req``; raises an ``ApiError`` for scripted errors and strict-mode misses.

        Stubs, callbacks and templates see ``req`` as it was sent; a generated reply answers ``generate`` when
        given (the pipeline's copy with ``max_tokens`` capped to the context window, §8.8).
        """
        generate = generate or req
        view = RequestView(req)
        hit = self.stubs.match(view) if len(self.stubs) else None
        self.decision.view, self.decision.hit, self.decision.generated = view, hit, False
        self.decision.rule = None
        if hit is None:
            return self._unmatched_reply(view, generate, request_key, content_key, occurrence, usage)
        stub = hit.stub
        ctx = Context(view, hit.n, stub.label)
        if is_exhausted(hit.item):
            raise SequenceExhaustedError(
                f"mockclaude: sequence {stub.label!r} ({stub.source}) is exhausted: all {len(stub.items)} "
                "replies were served and its exhausted policy is 'error'",
                headers=dict(NO_RETRY),
            )
        item = hit.item
        spec = item if isinstance(item, ReplySpec) else self._call(stub, item, req)
        if spec.recorded is not None:  # served as recorded; the usage recounted on request
            counter = scaled(self._builder.counter, req.model.token_ratio) if self.recount else None
            return build_reply(spec.recorded, self.seed, usage, counter)
        if spec.error is not None:
            raise make_error(spec.error, ctx, spec.headers)
        # Deltas and signatures depend on the stub and which of its items this is, not on how often it served:
        # a plain and a streamed call of the same stub get the same content and the same signatures.
        item_index = min(hit.n - 1, len(stub.items) - 1) if stub.sequence else 0
        salt = f"{stub.id}:{item_index}"
        if spec.blocks is None:
            if spec.stop_reason == "refusal":  # a refusal before any output: nothing billed (§8.6)
                usage.input_tokens = usage.output_tokens = 0
                reply = self._builder.build(
                    ReplySpec(blocks=[]), ctx, request_key, content_key, occurrence, usage, salt
                )
            else:
                self.decision.generated = True
                reply = self.generator.reply(generate, request_key, content_key, occurrence, usage)
                self.decision.rule = reply.rule
        else:
            reply = self._builder.build(spec, ctx, request_key, content_key, occurrence, usage, salt)
        return finish(reply, spec)

    def _remember(self, item: _Unmatched) -> None:
        """Keep an unmatched request, dropping the oldest past ``UNMATCHED_KEPT`` or ``UNMATCHED_BYTES``."""
        with self._lock:
            self._unmatched.append(item)
            total = sum(2 * u.view.req.body_bytes for u in self._unmatched)
            while total > UNMATCHED_BYTES and len(self._unmatched) > 1:
                total -= 2 * self._unmatched.popleft().view.req.body_bytes

    def _unmatched_reply(
        self,
        view: RequestView,
        req: ValidatedRequest,
        request_key: str,
        content_key: str,
        occurrence: int,
        usage: Usage,
    ) -> Reply:
        if not self.strict:
            self._remember(_Unmatched(view, self.stubs, False, None))
            self.decision.generated = True
            reply = self.generator.reply(req, request_key, content_key, occurrence, usage)
            self.decision.rule = reply.rule
            return reply
        near = self.stubs.near_misses(view)
        self._remember(_Unmatched(view, self.stubs, True, near))
        raise NoStubMatchedError(strict_message(near, len(self.stubs)), headers=dict(NO_RETRY))

    def _call(self, stub: Stub, fn: Any, req: ValidatedRequest) -> ReplySpec:
        """Run a Python reply callback on a copy of ``req``; failures are recorded and become a 500.

        A copy, because the request is shared: the front half memoises it for identical requests, and the journal
        keeps it. A callback that edits what it was given must not change what later requests look like.
        """
        mine = dataclasses.replace(req, params=req.params.model_copy(deep=True), headers=dict(req.headers))
        try:
            result = fn(mine)
        except Exception as exc:  # a user's callback: anything may go wrong in it
            self._record_callback(stub, exc, traceback.format_exc())
            raise CallbackError(
                f"mockclaude: the reply callback of stub {stub.label!r} raised {exc!r}",
                headers=dict(NO_RETRY),
            ) from None
        issues = Issues(source=stub.source, stub=stub.label)
        spec = compile_reply(result, issues, "reply")
        if spec is None:
            problem = "; ".join(str(i) for i in issues.items)
            self._record_callback(stub, ValueError(problem), "")
            raise CallbackError(
                f"mockclaude: the reply callback of stub {stub.label!r} returned an invalid reply: {problem}",
                headers=dict(NO_RETRY),
            )
        return spec

    def _record_callback(self, stub: Stub, exc: BaseException, trace: str) -> None:
        with self._lock:
            self._callback_errors.append(
                {"stub": stub.id, "name": stub.name, "error": repr(exc), "traceback": trace}
            )

    # -- test controls ---------------------------------------------------------------------------------------
    def near_misses(self, req: ValidatedRequest) -> list[dict[str, Any]]:
        """The nearest stubs for ``req`` and each one's failing reasons (the strict-mode error's content)."""
        return self.stubs.near_misses(RequestView(req))

    @property
    def unmatched(self) -> list[dict[str, Any]]:
        """Requests no stub matched (oldest first), each with its near misses."""
        return [entry.to_json() for entry in list(self._unmatched)]

    @property
    def callback_errors(self) -> list[dict[str, Any]]:
        """Exceptions raised (or invalid replies returned) by Python reply callbacks."""
        with self._lock:
            return list(self._callback_errors)

    def reset(self) -> None:
        """Forget stubs, scenario states, unmatched requests and callback errors (the generator memo stays)."""
        self.stubs.clear()
        self.scenarios.reset()
        self._unmatched.clear()
        with self._lock:
            self._callback_errors.clear()


def strict_message(near: list[dict[str, Any]], total: int) -> str:
    """The strict-mode error text: the nearest stubs and why each did not match."""
    head = "mockclaude: no stub matched this request (strict mode)"
    if not total:
        return head + "; no stubs are loaded."
    parts = []
    for i, miss in enumerate(near, 1):
        label = miss["name"] or miss["id"]
        parts.append(f"{i}) {label!r} ({miss['source']}): " + "; ".join(miss["reasons"]))
    return f"{head}. Nearest of {total} stub{'s' * (total != 1)}: " + " | ".join(parts)
