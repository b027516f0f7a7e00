"""Message Batches (api-spec §9.3): the batches one mock holds, processed on the injected clock. No HTTP here.

A batch is created from ``{"requests": [{"custom_id", "params"}]}``; only the envelope is checked then (the real
API validates ``params`` asynchronously: an invalid item does not fail the create, it comes back ``errored``). A
batch ends ``Settings.batch_seconds`` after its creation on the mock's clock. It is settled, each item answered
exactly once, the first time any batch operation runs at or after that moment: the pipeline's
:meth:`~mockclaude.pipeline.Pipeline.settled_batches` settles every due batch, oldest first, before a read or a
create, so the same requests at the same clock times give the same messages, ids and stub consumption.

Each item goes through the same path as ``POST /v1/messages`` with the creator's headers (validation, stubs,
usage, the prompt cache); the pipeline hands that in as an ``answer`` function, so this module only keeps state
and the rules of the batch lifecycle. ``server/batches.py`` writes it to the wire.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from mockclaude import ids
from mockclaude.clock import rfc3339
from mockclaude.model.errors import (
    ApiError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    RequestTooLargeError,
)
from mockclaude.model.paging import cursor_page
from mockclaude.model.request import Policy
from mockclaude.validate.headers import authenticate, check_version, parse_betas
from mockclaude.validate.request import format_error, parse_json

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_REQUESTS",
    "TTL_SECONDS",
    "Answer",
    "Batch",
    "Batches",
    "parse_requests",
]

log = logging.getLogger("mockclaude")

JSON = dict[str, Any]
Answer = Callable[[bytes, Mapping[str, str]], JSON]
"""Answers one item's params (JSON bytes) with the creator's headers: the Message JSON, or an ``ApiError``."""

MAX_BODY_BYTES = 256 * 1024 * 1024  # a batch create body (api-spec §1.3 "Size limits"): over it, 413
MAX_REQUESTS = 100_000  # requests per batch (§9.3)
TTL_SECONDS = 24 * 3600.0  # expires_at = created_at + 24 h; a batch still processing then expires (§9.3)
# 3P captures of the real 400s: "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'" and
# "requests.0.custom_id: String should have at most 64 characters": a length-checked string with this pattern.
CUSTOM_ID_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
ResultType = Literal["succeeded", "errored", "canceled", "expired"]
RESULT_TYPES: tuple[ResultType, ...] = ("succeeded", "errored", "canceled", "expired")


# -- the texts the mock chose where the real ones are not known (one place, easy to change) ------------------
def _duplicate_text(index: int, custom_id: str) -> str:
    # ⚠ unconfirmed: duplicates fail the whole create with a 400 (3P reports); the text is not captured.
    return (
        f"requests.{index}.custom_id: Duplicate custom_id {custom_id!r}: "
        "each request in a batch needs a unique custom_id"
    )


def _not_found_text(batch_id: str) -> str:
    # ⚠ unconfirmed: the real 404 text for an unknown batch id (the models API says "model: <id>").
    return f"message_batch: {batch_id}"


def _not_ended_text(batch: Batch, action: str) -> str:
    # ⚠ unconfirmed: delete before the end, and a results download before the end, are 400s with this text.
    return f"Message Batch {batch.id} is still {batch.status}; {action} once its processing has ended."


def _cursor_text(name: str, cursor: str) -> str:
    # ⚠ unconfirmed: the real answer to an unknown pagination cursor is not documented (models: the same 400).
    return f"{name}: Invalid message batch ID: {cursor}"


# -- the create envelope: pydantic, so its errors read like the rest of the API's ----------------------------
class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    custom_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=CUSTOM_ID_PATTERN)]
    params: dict[str, Any]  # checked per item when the batch is processed, as the real API does


class _Envelope(BaseModel):
    # ⚠ unconfirmed: unknown top-level keys are rejected ("x: Extra inputs are not permitted"), as on Messages.
    model_config = ConfigDict(extra="forbid", defer_build=True)

    requests: Annotated[list[_Item], Field(min_length=1, max_length=MAX_REQUESTS)]


def parse_requests(body: bytes) -> list[tuple[str, bytes]]:
    """The ``(custom_id, params JSON)`` pairs of a create body, or the 400 the real API answers."""
    data = parse_json(body)
    try:
        _Envelope.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise InvalidRequestError(format_error(errors[0])) from None
    seen: set[str] = set()
    out: list[tuple[str, bytes]] = []
    for index, item in enumerate(data["requests"]):
        custom_id = item["custom_id"]
        if custom_id in seen:
            raise InvalidRequestError(_duplicate_text(index, custom_id))
        seen.add(custom_id)
        out.append((custom_id, orjson.dumps(item["params"])))
    return out


# -- state ---------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Batch:
    """One Message Batch: its requests, its schedule and, once ended, one result line per request."""

    id: str
    created_at: float
    ends_at: float  # when processing ends (created + batch_seconds, or expires_at if that comes first)
    requests: list[tuple[str, bytes]] = field(repr=False)
    headers: dict[str, str] = field(repr=False)  # the creator's request headers: each item is sent with them
    expires: bool = False  # scheduled to end past expires_at: its requests expire unprocessed
    owner: str = ""  # the organization (tenant) of the creating key: only its keys see the batch
    cancel_initiated_at: float | None = None
    lines: list[bytes] | None = field(default=None, repr=False)  # the results file, once ended
    counts: dict[ResultType, int] = field(default_factory=dict)

    @property
    def expires_at(self) -> float:
        """24 hours after creation."""
        return self.created_at + TTL_SECONDS

    @property
    def ended(self) -> bool:
        """True once settled (every request has its result)."""
        return self.lines is not None

    @property
    def status(self) -> str:
        """``in_progress``, ``canceling`` or ``ended``."""
        if self.lines is not None:
            return "ended"
        return "in_progress" if self.cancel_initiated_at is None else "canceling"

    def to_json(self, results_url: str | None = None) -> JSON:
        """The MessageBatch object (key order of api-spec §9.3); ``results_url`` is shown only once ended."""
        processing = 0 if self.ended else len(self.requests)
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": self.status,
            # Counts other than processing stay 0 until the whole batch has ended (§9.3).
            "request_counts": {"processing": processing, **{k: self.counts.get(k, 0) for k in RESULT_TYPES}},
            "ended_at": _time(self.ends_at) if self.ended else None,
            "created_at": _time(self.created_at),
            "expires_at": _time(self.expires_at),
            # ⚠ unconfirmed / not modelled: archiving 29 days after the end (results kept as long as the mock).
            "archived_at": None,
            "cancel_initiated_at": _time(self.cancel_initiated_at)
            if self.cancel_initiated_at is not None
            else None,
            "results_url": results_url if self.ended else None,
        }

    def results(self) -> bytes:
        """The results file: JSON Lines, one per request, in request order; 400 before the end."""
        if self.lines is None:
            raise InvalidRequestError(_not_ended_text(self, "results are available"))
        return b"".join(self.lines)


def _time(timestamp: float) -> str:
    return rfc3339(timestamp, micro=True)


def _item_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The create request's headers, lower-cased, as each item is sent with them (auth, version, betas; the rest
    for stubs that match on headers); the body's length does not describe an item."""
    return {k.lower(): v for k, v in headers.items() if k.lower() != "content-length"}


def tenancy(organizations: Mapping[str, str] | None, one_organization: bool) -> Callable[[str], str]:
    """The organization of an API key (what scopes its stored resources): its mapped one, else its own; with
    ``one_organization``, one for every key."""
    if one_organization:
        return lambda key: "organization"
    mapping = dict(organizations or {})
    return lambda key: mapping.get(key, key)


class Batches:
    """Every batch of one mock instance, oldest first, each owned by the organization of the key that created it.

    A key sees only its organization's batches: another's are a 404 (retrieve, results, cancel, delete) and absent
    from the list, as they are between organizations on the real API. ``tenant`` maps a key to its organization
    (``Settings.organizations`` / ``one_organization``); by default each key is an organization of its own.
    ⚠ unconfirmed: the real scope is the key's workspace; keys of one workspace are mapped with ``tenant``.
    """

    def __init__(self, seed: int, tenant: Callable[[str], str] | None = None) -> None:
        self.seed = seed
        self.tenant: Callable[[str], str] = tenant or (lambda key: key)
        self._owners: dict[str, str] = {}  # every id ever created -> its owner (list cursors outlive deletes)
        self._batches: dict[str, Batch] = {}  # insertion (creation) order
        self._pending: list[Batch] = []  # not yet settled, creation order
        # Creation order of every id ever created, deleted ones included: a list cursor stays valid after its batch
        # is deleted (a clean-up loop deletes what it pages through).
        self._sequence: dict[str, int] = {}
        self._occurrences = ids.Occurrences()
        self._lock = threading.RLock()

    def clear(self) -> None:
        """Forget every batch (ids start again from the first)."""
        with self._lock:
            self._batches.clear()
            self._pending.clear()
            self._sequence.clear()
            self._occurrences.clear()
            self._owners.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._batches)

    def create(
        self, body: bytes, headers: Mapping[str, str], policy: Policy, now: float, seconds: float
    ) -> Batch:
        """Check the create request as the real API does (size, auth, version, betas, the envelope) and keep the
        batch; it ends ``seconds`` from ``now``. Item params are not checked here (they are when processed)."""
        if len(body) > MAX_BODY_BYTES:
            raise RequestTooLargeError()
        owner = self.tenant(authenticate(headers, policy))
        check_version(headers)
        parse_betas(headers, policy)
        requests = parse_requests(body)
        fingerprint = hashlib.blake2b(body, digest_size=16).hexdigest()
        seconds = max(float(seconds), 0.0)
        with self._lock:
            occurrence = self._occurrences.next(fingerprint)
            batch = Batch(
                id=ids.batch_id(self.seed, fingerprint, occurrence),
                created_at=now,
                ends_at=now + min(seconds, TTL_SECONDS),
                requests=requests,
                headers=_item_headers(headers),
                expires=seconds > TTL_SECONDS,
                owner=owner,
            )
            self._batches[batch.id] = batch
            self._sequence[batch.id] = len(self._sequence)
            self._owners[batch.id] = owner
            self._pending.append(batch)
        return batch

    def settle(self, now: float, answer: Answer) -> None:
        """End every batch due by ``now``, oldest first: each request answered once (``answer``), or
        ``canceled`` when the batch was canceled before its end, or ``expired`` when its end was past
        ``expires_at``."""
        with self._lock:
            for batch in [b for b in self._pending if b.ends_at <= now]:
                _settle(batch, answer)  # never raises: a failing item is an errored result
                self._pending.remove(batch)

    def get(self, batch_id: str, api_key: str | None = None) -> Batch:
        """The batch with this id, or 404; with ``api_key``, also 404 when another organization owns it."""
        with self._lock:
            batch = self._batches.get(batch_id)
        if batch is None or (api_key is not None and batch.owner != self.tenant(api_key)):
            raise NotFoundError(_not_found_text(batch_id))
        return batch

    def cancel(self, batch_id: str, now: float, api_key: str | None = None) -> Batch:
        """Start canceling an in-progress batch: it stays ``canceling`` until its end time and then ends with
        every request ``canceled``. A canceling or ended batch is returned unchanged.

        ⚠ unconfirmed: the real API ends a canceling batch as soon as the in-flight requests finish, some of
        which may still succeed; with the mock's all-at-the-end model, a cancel before the end cancels all.
        """
        with self._lock:
            batch = self.get(batch_id, api_key)
            if batch.status == "in_progress":
                batch.cancel_initiated_at = now
            return batch

    def delete(self, batch_id: str, api_key: str | None = None) -> None:
        """Forget an ended batch; 400 while it is processing (cancel it first), 404 if unknown (or another
        organization's, with ``api_key``)."""
        with self._lock:
            batch = self.get(batch_id, api_key)
            if not batch.ended:
                raise InvalidRequestError(_not_ended_text(batch, "it can be deleted"))
            del self._batches[batch_id]

    def page(
        self,
        *,
        before_id: str | None = None,
        after_id: str | None = None,
        limit: int = 20,
        api_key: str | None = None,
    ) -> tuple[list[Batch], bool]:
        """One page of the list, newest first, and whether more remain (older after ``after_id``, newer before
        ``before_id``): the cursor logic of ``GET /v1/models`` (``model.catalog.list_page``). With ``api_key``,
        only its organization's batches, and only its ids as cursors."""
        owner = self.tenant(api_key) if api_key is not None else None
        with self._lock:
            items = [b for b in reversed(self._batches.values()) if owner is None or b.owner == owner]
            sequence = dict(self._sequence)
            owners = dict(self._owners)

        def position(name: str, cursor: str | None) -> int | None:
            if cursor is None:
                return None
            if cursor not in sequence or (owner is not None and owners.get(cursor) != owner):
                raise InvalidRequestError(_cursor_text(name, cursor))
            return -sequence[cursor]  # grows along the newest-first list

        return cursor_page(
            items,
            lambda batch: -sequence[batch.id],
            after=position("after_id", after_id),
            before=position("before_id", before_id),
            limit=limit,
        )


def _settle(batch: Batch, answer: Answer) -> None:
    """Give every request of an ended batch its result line (request order) and count them."""
    counts: dict[ResultType, int] = dict.fromkeys(RESULT_TYPES, 0)
    lines: list[bytes] = []
    for custom_id, params in batch.requests:
        result: JSON
        if batch.cancel_initiated_at is not None:
            result = {"type": "canceled"}
        elif batch.expires:
            result = {"type": "expired"}
        else:
            try:
                result = {"type": "succeeded", "message": answer(params, batch.headers)}
                orjson.dumps(result)  # a reply callback may have returned what JSON cannot hold
            except ApiError as error:
                # The error response as the API would have sent it, without a request id (§9.3).
                result = {"type": "errored", "error": error.body(None)}
            except Exception:  # a bug or a broken callback: what /v1/messages answers with a 500
                log.exception("batch %s, request %r", batch.id, custom_id)
                result = {"type": "errored", "error": InternalServerError().body(None)}
        counts[result["type"]] += 1
        lines.append(orjson.dumps({"custom_id": custom_id, "result": result}) + b"\n")
    batch.lines, batch.counts = lines, counts
