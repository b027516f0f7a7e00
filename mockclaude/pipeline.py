"""The pipeline: validate -> tokenize (+ cache) -> engine -> a decided reply. No HTTP in here.

The server calls ``Pipeline.messages`` / ``Pipeline.count_tokens`` with the raw body and headers and writes whatever
comes back; tests and the CLI can drive it without a socket.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Concatenate, TypeVar

import orjson

from mockclaude.boot import gc_paused

# Imports build long-lived objects only: a garbage collection in the middle frees nothing (see gc_paused).
with gc_paused():
    from mockclaude import ids
    from mockclaude.batches import Batches, tenancy
    from mockclaude.cache import DEFAULT_MAX_ENTRIES, CachePlan, PromptCache, UsageLedger
    from mockclaude.clock import Clock, SystemClock
    from mockclaude.defaults import check_pacing
    from mockclaude.engine.chaos import Chaos, ChaosConfig
    from mockclaude.engine.core import Engine
    from mockclaude.engine.journal import Endpoint, Journal
    from mockclaude.engine.journal_size import JOURNAL_BYTES
    from mockclaude.front import Front, FrontHalf
    from mockclaude.limits import RateLimitConfig, RateLimiter, RateLimits
    from mockclaude.model.catalog import Catalog, ModelSpec, get_catalog
    from mockclaude.model.errors import ApiError, InvalidRequestError
    from mockclaude.model.faults import Latency
    from mockclaude.model.reply import JSON, Reply, Usage
    from mockclaude.model.request import Policy, ValidatedRequest
    from mockclaude.render.message import message_bytes, message_json
    from mockclaude.rooms import Rooms
    from mockclaude.tokenize.accounting import InputAccountant, PromptLayout
    from mockclaude.tokenize.encoding import get_counter


TOOL_USE_RULES = ("intent", "always")


def check_tool_use(value: object) -> str:
    """``value`` when it names a tool-use rule, else a ValueError naming the choices."""
    if value not in TOOL_USE_RULES:
        raise ValueError(f"tool_use: must be one of {', '.join(TOOL_USE_RULES)}, got {value!r}")
    return str(value)


@dataclass(slots=True)
class Settings:
    """Everything a mock instance is configured with (CLI flags, facade arguments, pytest marker)."""

    seed: int = 0
    api_keys: frozenset[str] | None = None
    any_model: bool = False
    tokenizer: str = "claude-v1"
    verify_signatures: bool = True
    clock: Clock = field(default_factory=SystemClock)
    catalog: Catalog | None = None
    journal_size: int = 1000  # requests the journal keeps (oldest dropped first)
    journal_bytes: int = JOURNAL_BYTES  # and about this many bytes of them (bodies over 1 MB kept shortened)
    admin_token: str | None = None  # /_mock/ routes: None = loopback callers only, else callers with it
    allowed_hosts: frozenset[str] = frozenset()  # /_mock/ also answers these Host/Origin names (--allow-host)
    accept_both_credentials: bool = (
        False  # x-api-key and Authorization both sent: serve x-api-key's (not a 401)
    )
    cache_max_entries: int = DEFAULT_MAX_ENTRIES  # prompt-cache entries kept (least recently used evicted)
    cache_ttft_scale: float = 0.0  # a cache entry is readable this many model TTFTs after its write
    # Faults, latency and rate limits (README "Faults, latency and rate limits"):
    time_scale: float = 0.0  # latency multiplier: 0 = none (tests), 1 = production-like pacing
    latency: Latency | Mapping[str, Latency] | None = None  # replaces the catalog's (by model id, "*": any)
    rate_limits: str | RateLimits | Mapping[str, RateLimits] | RateLimitConfig | None = None  # None: off
    chaos: float | ChaosConfig | None = None  # share of Messages requests that fail (seeded)
    # Scripted replies (README "Scripting replies"):
    fixtures: str | None = None  # a script file or directory of stubs, loaded at start
    script_root: str | None = (
        None  # where admin callers may load scripts from; None: anywhere (serve: --fixtures)
    )
    strict: bool = False  # unmatched requests get a 400 naming the nearest stubs instead of a generated reply
    # Generated replies (engine/behave): "intent" calls a tool when the conversation asks for one; "always" is
    # the old rule, a call on every user question when tools are offered.
    tool_use: str = "intent"
    # Message Batches (README "Message Batches"): a batch ends this many clock seconds after its creation (0: it
    # has ended by the next read; over 24 h: its requests expire).
    batch_seconds: float = 0.0
    # Recorded replies (README "Record and replay"): serve the mock's usage (tokenizer, cache simulator) instead
    # of the recorded one.
    recount: bool = False
    # Tenancy (README "Message Batches"): each key is its own organization unless mapped to one ({"sk-a": "acme"}).
    organizations: Mapping[str, str] | None = None
    one_organization: bool = False


@dataclass(slots=True)
class Served:
    """What the pipeline decided for one request: the reply and whether to stream it."""

    reply: Reply
    stream: bool
    request: ValidatedRequest
    headers: dict[str, str] = field(default_factory=dict)  # response headers decided here (rate limits)


@dataclass(slots=True)
class Counted:
    """What the pipeline decided for a ``count_tokens`` request: the total and its response headers."""

    total: int
    headers: dict[str, str] = field(default_factory=dict)  # the token-counting bucket's (rate limits on)


@dataclass(frozen=True, slots=True, eq=False)  # compared by identity, as the function it replaces was
class ServedMessage:
    """A journal entry's reply source: the Message JSON rendered when read, as a deep copy (a round trip through
    JSON: the reply's blocks are shared with the memoised plan, and a test that edits what it read must not change
    later replies). ``reply`` is the decided reply itself, for the inspector's view of its SSE events."""

    reply: Reply

    def __call__(self) -> JSON:
        data: JSON = orjson.loads(message_bytes(self.reply))
        return data


_R = TypeVar("_R")


def _journaled(
    endpoint: Endpoint,
) -> Callable[
    [Callable[[Pipeline, bytes, Mapping[str, str]], _R]],
    Callable[Concatenate[Pipeline, bytes, Mapping[str, str], ...], _R],
]:
    """Record every call of an endpoint stage in ``pipeline.journal`` exactly once, whatever it served.

    Wrapping the whole stage (rather than recording inside it) means a validation error, a rate limit, a scripted
    error and a reply are all journaled the same way, and a stage added later cannot forget to record.
    """

    def wrap(
        stage: Callable[[Pipeline, bytes, Mapping[str, str]], _R],
    ) -> Callable[Concatenate[Pipeline, bytes, Mapping[str, str], ...], _R]:
        @functools.wraps(stage)
        def recorded(
            self: Pipeline, body: bytes, headers: Mapping[str, str], *, request_id: str | None = None
        ) -> _R:
            pending = self.journal.begin(
                endpoint, request_id, self.settings.clock.now(), headers, body, self.engine
            )
            try:
                result = stage(self, body, headers)
            except Exception as exc:
                pending.failed(exc)
                raise
            if isinstance(result, Served):
                reply = result.reply
                pending.served(ServedMessage(reply), result.stream, result.request, reply.fault)
            elif isinstance(result, dict):  # a batch create: the MessageBatch as it was then (a copy)
                raw = orjson.dumps(result)
                pending.answered(lambda: orjson.loads(raw))
            elif isinstance(result, Counted):
                pending.counted(result.total)
            return result

        return recorded

    return wrap


class Pipeline:
    """One mock instance's request path and state (occurrence counters, generator memo)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        settings = self.settings
        catalog = settings.catalog or get_catalog()
        counter = get_counter(settings.tokenizer)
        self.engine = Engine(settings.seed, counter, clock=settings.clock, strict=settings.strict)
        self.engine.generator.tool_use = check_tool_use(settings.tool_use)
        self.engine.recount = settings.recount
        self.generator = self.engine.generator  # generated replies (what the engine falls back to)
        self.policy = Policy(
            catalog=catalog,
            seed=self.settings.seed,
            api_keys=self.settings.api_keys,
            any_model=self.settings.any_model,
            verify_signatures=self.settings.verify_signatures,
            reject_both_credentials=not self.settings.accept_both_credentials,
            known_signatures=self.engine.stubs.signatures,  # recorded upstream signatures verify too
        )
        # The Files and Skills rooms (rooms.py): per API key; `file` sources are checked and counted by their bytes.
        self.rooms = Rooms(self.settings.seed, self.settings.clock)
        self.files, self.skills = self.rooms.files, self.rooms.skills
        self.accountant = InputAccountant(counter, files=self.files.contents)
        # validate + count + fingerprints, memoised; the rooms' check (files, skills) runs on every call
        self.front = FrontHalf(self.policy, self.accountant, self.rooms.check)
        if self.settings.fixtures:
            self.engine.stubs.load(self.settings.fixtures)
        self._occurrences = ids.Occurrences()  # per request key, bounded (LRU)
        self._requests = itertools.count()
        self._lock = threading.Lock()
        self.journal = Journal(self.settings.journal_size, self.settings.journal_bytes)
        self.cache = PromptCache(
            self.settings.clock,
            max_entries=self.settings.cache_max_entries,
            ttft_scale=self.settings.cache_ttft_scale,
        )
        self.ledger = UsageLedger()  # served usage per (API key, model), priced by GET /_mock/usage
        limits = self.settings.rate_limits
        if limits is not None and not isinstance(limits, RateLimitConfig):
            limits = RateLimitConfig(limits=limits)
        self.limiter = RateLimiter(limits, self.settings.clock, self.settings.seed)
        chaos = self.settings.chaos
        if chaos is not None and not isinstance(chaos, ChaosConfig):
            chaos = ChaosConfig(rate=float(chaos))
        self.chaos = Chaos(self.settings.seed, chaos) if chaos is not None and chaos.rate > 0 else None
        self._latencies: dict[str, Latency | None] = {}
        check_pacing(self.settings.time_scale, self.settings.batch_seconds)
        self.tenant = tenancy(
            self.settings.organizations, self.settings.one_organization
        )  # key -> organization
        self.batches = Batches(self.settings.seed, self.tenant)  # settled via settled_batches()

    @property
    def seed(self) -> int:
        """The seed every id, signature and generated text derives from."""
        return self.settings.seed

    def next_request_id(self) -> str:
        """A fresh ``req_…`` id: the n-th request this instance received."""
        return ids.request_id(self.settings.seed, next(self._requests))

    def reset(self) -> None:
        """Back to a fresh instance's state, as between two tests (DESIGN.md rule 8).

        Forgets occurrence counters (ids repeat from the start), request ids, the journal, the prompt cache, the
        usage totals, rate-limit buckets, Message Batches, files and skills, and the engine's stubs, scenarios, unmatched requests
        and callback errors; the script of ``Settings.fixtures`` is loaded again, as a fresh instance would have
        it. The generator memo stays: it is a pure function of the request, so keeping it changes no byte.
        """
        with self._lock:
            self._occurrences.clear()
            self._requests = itertools.count()
        self.front.clear()
        self.journal.clear()
        self.cache.reset()
        self.ledger.clear()
        self.limiter.reset()
        self.engine.reset()
        self.batches.clear()
        self.rooms.clear()
        self.engine.strict = self.settings.strict
        self.engine.recount = self.settings.recount
        self.engine.generator.tool_use = check_tool_use(self.settings.tool_use)
        if self.settings.fixtures:  # last: a broken file raises its ScriptError with everything else reset
            self.engine.stubs.load(self.settings.fixtures)

    def reconfigure(self, settings: Settings) -> None:
        """Rebuild this instance in place with new settings (seed, tokenizer, API keys...): everything starts
        afresh, as a server started with them would. The app keeps its reference to this object.

        The new state is built aside first, so bad settings raise and leave this instance as it was.
        """
        fresh = Pipeline(settings)
        state, old = vars(fresh), dict(vars(self))
        # One dict.update, not clear() then update(): a request on the server thread sees the old attributes or
        # the new ones, never none (clearing first raised AttributeError under load). `old` keeps the replaced
        # objects alive through the update, so no finaliser runs (and lets another thread in) halfway through.
        vars(self).update(state)
        for name in old.keys() - state.keys():
            del vars(self)[name]
        del old

    def _occurrence(self, fp: str) -> int:
        return self._occurrences.next(fp)

    def check_window(self, req: ValidatedRequest, total: int) -> None:
        """The context-window rules (§8.8) on the counted input.

        ``count_tokens`` has no ``max_tokens``, so only "prompt is too long" applies to it.
        # ⚠ unconfirmed: that count_tokens rejects a prompt over the window rather than counting it.
        """
        window = req.model.context_window
        if total > window:
            raise InvalidRequestError(f"prompt is too long: {total} tokens > {window} maximum")
        max_tokens = getattr(req.params, "max_tokens", 0)
        context_beta = "model-context-window-exceeded-2025-08-26" in req.betas
        if total + max_tokens > window and not (req.model.context_exceeded_stop or context_beta):
            raise InvalidRequestError(
                f"input length and `max_tokens` exceed context limit: {total} + {max_tokens} > {window}, "
                "decrease input length or `max_tokens` and try again"
            )

    def fit_window(self, req: ValidatedRequest, total: int) -> tuple[ValidatedRequest, bool]:
        """The request the generator sees, and whether its ``max_tokens`` was capped to the window.

        Where input + ``max_tokens`` may exceed the window (Claude 4.5+, or the beta, §8.8) the API accepts the
        request and stops when the output reaches the window; the generator gets ``max_tokens`` capped at the
        room left, so its cut lands exactly there and :meth:`window_stop` renames the stop reason.
        """
        max_tokens = getattr(req.params, "max_tokens", 0)
        room = req.model.context_window - total
        if max_tokens <= room:
            return req, False
        params = req.params.model_copy(update={"max_tokens": max(room, 0)})
        return dataclasses.replace(req, params=params), True

    @staticmethod
    def window_stop(reply: Reply, capped: bool) -> None:
        """A reply cut by the window cap stops with ``model_context_window_exceeded`` (§8.8), not ``max_tokens``."""
        if capped and reply.stop_reason == "max_tokens":
            reply.stop_reason = "model_context_window_exceeded"

    def prompt_usage(self, req: ValidatedRequest, layout: PromptLayout) -> CachePlan:
        """The input side of ``usage`` for a messages call (``plan.usage``): the prompt cache splits it into
        read/write/uncached. Nothing is read or written until ``plan.commit()``, once the request is served."""
        return self.cache.plan(req, layout)

    @_journaled("messages")
    def messages(self, body: bytes, headers: Mapping[str, str]) -> Served:
        """``POST /v1/messages``: a decided reply, or an ``ApiError`` raised with the real status and text."""
        front = self.front(body, headers, "messages")
        req, layout, request_key = front.req, front.layout, front.request_key
        self.check_window(req, layout.total)
        cache_plan = self.prompt_usage(req, layout)
        usage = cache_plan.usage
        occurrence = self._occurrence(request_key)
        stream = bool(getattr(req.params, "stream", False))
        # Rate limits, then chaos, after validation and counting and before the engine: a limited or failed
        # request never reaches the model. ⚠ unconfirmed: whether the real API counts requests that fail later.
        admission = self.limiter.admit(
            req.api_key,
            req.model,
            input_tokens=usage.input_tokens + usage.cache_creation_input_tokens,
            cache_read_tokens=usage.cache_read_input_tokens,
            max_tokens=getattr(req.params, "max_tokens", 0),
        )
        try:
            chaos = self.chaos.decide(request_key, occurrence, stream=stream) if self.chaos else None
            if chaos is not None and chaos.error is not None:
                raise chaos.error
            reply = self._decide(front, occurrence, usage)
            if chaos is not None and reply.fault is None:
                reply.fault = chaos.fault
            if reply.fault is not None and reply.fault.kind == "stream_error" and not stream:
                # A failure during a non-streaming generation is an ordinary error response (api-spec §4.5).
                raise reply.fault.error()
        except ApiError as error:
            self.limiter.settle(admission, 0)
            if admission is not None:
                error.headers = {**self.limiter.headers(admission), **error.headers}
            raise
        self.limiter.settle(admission, reply.usage.output_tokens)
        if reply.latency is None:
            reply.latency = self._latency(req.model)
        cache_plan.commit()  # served: its cache reads and writes happen (a refused request writes nothing, §6.2)
        self.ledger.record(req.api_key, req.model, reply.usage)
        rate_headers = self.limiter.headers(admission) if admission is not None else {}
        return Served(reply=reply, stream=stream, request=req, headers=rate_headers)

    def _decide(self, front: Front, occurrence: int, usage: Usage) -> Reply:
        """The engine's reply to a counted request, generated within the context window (§8.8)."""
        generated, capped = self.fit_window(front.req, front.layout.total)
        reply = self.engine.decide(
            front.req, front.request_key, front.content_key, occurrence, usage, generate=generated
        )
        self.rooms.finish(front.req, reply, front.request_key, occurrence)  # container + resolved skills
        # Only a generated reply was cut by the cap; a script's own stop_reason "max_tokens" stays as written.
        self.window_stop(reply, capped and self.engine.decision.generated)
        return reply

    def batch_item(self, body: bytes, headers: Mapping[str, str]) -> JSON:
        """One request of a Message Batch, answered as ``POST /v1/messages`` would answer ``body`` sent with
        ``headers`` (the creator's): the same validation, counting, prompt cache, stubs, ids and usage ledger,
        with ``usage.service_tier: "batch"``. Returns the Message JSON; raises the item's ``ApiError``.

        Not journaled on its own (the batch create is), and no rate limits, chaos or latency: the batch is the
        request. ⚠ unconfirmed: how batch items count against the real rate limits (they have their own
        processing queue limits, not modelled). A scripted ``stream_error`` fault is the item's error; other
        faults act on a connection, and an item has none.
        """
        front = self.front(body, headers, "messages")
        req = front.req
        self.check_window(req, front.layout.total)
        if getattr(req.params, "stream", False):
            # ⚠ unconfirmed: the real text. The SDK's batch params type has no stream (NonStreaming params), and
            # params are checked when processed, so a streaming item is errored, not the whole create.
            raise InvalidRequestError("stream: Streaming is not supported for requests in a Message Batch")
        cache_plan = self.prompt_usage(req, front.layout)
        cache_plan.usage.service_tier = "batch"  # a stub's usage override may still set another
        reply = self._decide(front, self._occurrence(front.request_key), cache_plan.usage)
        fault = reply.fault
        if fault is not None and fault.kind == "stream_error":
            raise fault.error()
        cache_plan.commit()
        # ⚠ unconfirmed / not modelled: the 50 % batch discount; the ledger prices batch usage at standard rates.
        self.ledger.record(req.api_key, req.model, reply.usage)
        return message_json(reply)

    def settled_batches(self) -> Batches:
        """The Message Batches, with every batch due by now ended first (oldest first, each item answered once
        by :meth:`batch_item`). Every batch route reads them through here."""
        self.batches.settle(self.settings.clock.now(), self.batch_item)
        return self.batches

    def create_batch(self, body: bytes, headers: Mapping[str, str], *, request_id: str | None = None) -> JSON:
        """``POST /v1/messages/batches``: the envelope checked, the batch kept; returns the MessageBatch.

        Earlier batches due by now end first, whoever reads them later, and before this request's journal entry
        opens: their items' stub decisions must not be recorded as this create's.
        """
        self.settled_batches()
        return self._create_batch(body, headers, request_id=request_id)

    @_journaled("batches")
    def _create_batch(self, body: bytes, headers: Mapping[str, str]) -> JSON:
        clock = self.settings.clock
        batch = self.batches.create(body, headers, self.policy, clock.now(), self.settings.batch_seconds)
        return batch.to_json()

    def _latency(self, model: ModelSpec) -> Latency | None:
        """The pacing of a reply the engine did not pace: ``Settings.latency``, else the catalog's figures when
        ``time_scale`` > 0 (api-spec §10), else none. Memoised per model (Latency is immutable)."""
        if model.id in self._latencies:
            return self._latencies[model.id]
        configured = self.settings.latency
        latency: Latency | None = None
        if isinstance(configured, Latency):
            latency = configured
        elif configured is not None:
            latency = next((configured[n] for n in (model.id, *model.aliases, "*") if n in configured), None)
        if latency is None and self.settings.time_scale > 0:
            latency = Latency(
                ttft_ms=model.time_to_first_token_ms, tokens_per_second=model.output_tokens_per_second
            )
        self._latencies[model.id] = latency
        return latency

    @_journaled("count_tokens")
    def count_tokens(self, body: bytes, headers: Mapping[str, str]) -> Counted:
        """``POST /v1/messages/count_tokens``: the total input a messages call would report (never cached)."""
        front = self.front(body, headers, "count_tokens")
        self.check_window(front.req, front.layout.total)
        # Token counting has its own RPM bucket per API key, apart from the Messages buckets (api-spec §5.5),
        # checked after validation as for messages.
        self.limiter.admit_count_tokens(front.req.api_key)
        return Counted(front.layout.total, self.limiter.count_tokens_headers(front.req.api_key))
