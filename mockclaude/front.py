"""The front half of the pipeline: validate, count, fingerprint. Pure, so memoised per exact request.

Everything here is a function of the body bytes, the four headers validation reads and the instance's policy:
a request sent again (a retry, a test run twice, a benchmark) skips JSON parsing, pydantic validation and
token accounting. Stateful stages (cache, limits, engine, journal) always run. The memo is bounded in entries
and only keeps small bodies; ``Pipeline.reset()`` (and a new instance) clears it, so a policy change is seen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import orjson

from mockclaude.model.request import Policy, RequestKind, ValidatedRequest
from mockclaude.tokenize.accounting import InputAccountant, PromptLayout
from mockclaude.validate.request import validate_request

# Parameters that only cut the generated content: left out of the content key, so a cut reply is always a
# prefix of the uncut one (a test can pick a stop sequence from a first reply and see the second stop there).
_CUT_PARAMS = ("max_tokens", "stop_sequences")
# The only headers validation reads (auth, version, betas); every other header is passed through per request.
_KEY_HEADERS = ("x-api-key", "authorization", "anthropic-version", "anthropic-beta")
MEMO_ENTRIES = 512
MEMO_MAX_BODY = 64 * 1024  # bigger bodies are validated every time: 512 of them would pin too much memory

Check = Callable[[ValidatedRequest, bytes], None]
"""A rule on state outside the request (files it names must exist): run on every call, memo hits included."""


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


@dataclass(frozen=True, slots=True)
class Front:
    """A validated, counted, fingerprinted request."""

    req: ValidatedRequest
    layout: PromptLayout
    request_key: str
    content_key: str


class FrontHalf:
    """Validation + accounting + fingerprints for one pipeline instance, with the bounded memo."""

    def __init__(self, policy: Policy, accountant: InputAccountant, check: Check | None = None) -> None:
        self.policy = policy
        self.accountant = accountant
        self.check = check  # the Files API's file_id check (files/refs.py): before counting, never memoised
        self._memo: OrderedDict[tuple[object, ...], Front] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every memoised request."""
        with self._lock:
            self._memo.clear()

    def __call__(self, body: bytes, headers: Mapping[str, str], kind: RequestKind) -> Front:
        """The front half of ``body``: raises the request's ``ApiError`` if it is invalid (errors are not
        memoised: they are rare, and error objects are decorated with headers downstream)."""
        key = (kind, body, *(headers.get(name) for name in _KEY_HEADERS))
        with self._lock:
            hit = self._memo.get(key)
            if hit is not None:
                self._memo.move_to_end(key)
        if hit is not None:
            if self.check is not None:
                self.check(hit.req, body)
            # The same request, but this request's headers (user agent, retry count...) for matchers and journal.
            current = {name.lower(): value for name, value in headers.items()}
            if current == hit.req.headers:
                return hit
            return dataclasses.replace(hit, req=dataclasses.replace(hit.req, headers=current))
        req = validate_request(body, headers, self.policy, kind=kind)
        if self.check is not None:
            self.check(req, body)
        front = Front(req, self.accountant.layout(req), *fingerprints(body))
        if len(body) <= MEMO_MAX_BODY:
            with self._lock:
                self._memo[key] = front
                if len(self._memo) > MEMO_ENTRIES:
                    self._memo.popitem(last=False)
        return front
