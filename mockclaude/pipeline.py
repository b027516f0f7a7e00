"""The pipeline: validate -> tokenize (+ cache) -> engine -> a decided reply. No HTTP in here.

The server calls ``Pipeline.messages`` / ``Pipeline.count_tokens`` with the raw body and headers and writes whatever
comes back; tests and the CLI can drive it without a socket.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson

from mockclaude import ids
from mockclaude.clock import Clock, SystemClock
from mockclaude.engine.generate import Generator
from mockclaude.model.catalog import Catalog, get_catalog
from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.reply import Reply, Usage
from mockclaude.model.request import Policy, ValidatedRequest
from mockclaude.tokenize.accounting import InputAccountant, PromptLayout
from mockclaude.tokenize.encoding import get_counter
from mockclaude.validate.request import validate_request


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


@dataclass(slots=True)
class Served:
    """What the pipeline decided for one request: the reply and whether to stream it."""

    reply: Reply
    stream: bool
    request: ValidatedRequest


# Parameters that only cut the generated content: left out of the content key, so a cut reply is always a
# prefix of the uncut one (a test can pick a stop sequence from a first reply and see the second stop there).
_CUT_PARAMS = ("max_tokens", "stop_sequences")


def fingerprints(body: bytes) -> tuple[str, str]:
    """``(request key, content key)`` of a body.

    The request key is the canonical JSON of the body without ``stream`` (so a streamed and a plain request get
    the same reply and ``create`` equals ``stream().get_final_message()``); it also counts occurrences for ids.
    The content key further leaves out the cut parameters.
    """
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        return digest, digest
    if not isinstance(data, dict):
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        return digest, digest
    data.pop("stream", None)
    request_key = hashlib.blake2b(orjson.dumps(data, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()
    for name in _CUT_PARAMS:
        data.pop(name, None)
    content_key = hashlib.blake2b(orjson.dumps(data, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()
    return request_key, content_key


class Pipeline:
    """One mock instance's request path and state (occurrence counters, generator memo)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        catalog = self.settings.catalog or get_catalog()
        self.policy = Policy(
            catalog=catalog,
            seed=self.settings.seed,
            api_keys=self.settings.api_keys,
            any_model=self.settings.any_model,
            verify_signatures=self.settings.verify_signatures,
        )
        counter = get_counter(self.settings.tokenizer)
        self.accountant = InputAccountant(counter)
        self.generator = Generator(self.settings.seed, counter)
        self._occurrences: dict[str, int] = {}
        self._requests = itertools.count()
        self._lock = threading.Lock()

    @property
    def seed(self) -> int:
        """The seed every id, signature and generated text derives from."""
        return self.settings.seed

    def next_request_id(self) -> str:
        """A fresh ``req_…`` id: the n-th request this instance received."""
        return ids.request_id(self.settings.seed, next(self._requests))

    def _occurrence(self, fp: str) -> int:
        with self._lock:
            n = self._occurrences.get(fp, 0)
            self._occurrences[fp] = n + 1
            return n

    def check_window(self, req: ValidatedRequest, total: int) -> None:
        """The context-window rules (§8.8) on the counted input."""
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

    def prompt_usage(self, req: ValidatedRequest, layout: PromptLayout) -> Usage:
        """The input side of ``usage`` for a messages call (the cache stage splits it into read/write/uncached)."""
        return Usage(input_tokens=layout.total)

    def messages(self, body: bytes, headers: Mapping[str, str]) -> Served:
        """``POST /v1/messages``: a decided reply, or an ``ApiError`` raised with the real status and text."""
        req = validate_request(body, headers, self.policy, kind="messages")
        layout = self.accountant.layout(req)
        self.check_window(req, layout.total)
        usage = self.prompt_usage(req, layout)
        request_key, content_key = fingerprints(body)
        reply = self.generator.reply(req, request_key, content_key, self._occurrence(request_key), usage)
        return Served(reply=reply, stream=bool(getattr(req.params, "stream", False)), request=req)

    def count_tokens(self, body: bytes, headers: Mapping[str, str]) -> int:
        """``POST /v1/messages/count_tokens``: the total input a messages call would report (never cached)."""
        req = validate_request(body, headers, self.policy, kind="count_tokens")
        total = self.accountant.count(req)
        self.check_window(req, total)
        return total
