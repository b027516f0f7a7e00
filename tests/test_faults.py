"""Scripted errors and SDK retries, end to end with the official SDK (sync, async, streaming).

Errors are scripted with the stub registry (``pipeline.engine.stubs.add``: the same dicts as a fixture file), so
each test shows the real status, body and headers, and that the SDK retries exactly when the real service would
make it retry (api-spec §5.1-§5.4). Retries are kept fast with ``retry-after-ms``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from mockclaude.engine.core import Engine
from mockclaude.engine.journal import JournalEntry
from mockclaude.model.errors import ERROR_CLASSES
from mockclaude.pipeline import Pipeline, Settings
from mockclaude.server.app import PIPELINE, create_app
from mockclaude.server.runner import ServerThread

MODEL = "claude-sonnet-4-6"
FAST = {"retry-after-ms": "1"}  # a retry after 1 ms (0 would fall back to the SDK's own backoff)


@pytest.fixture(scope="module")
def srv() -> Iterator[ServerThread]:
    with ServerThread(create_app(Settings(seed=7))) as server:
        yield server


@pytest.fixture
def engine(srv: ServerThread) -> Iterator[Engine]:
    eng = srv.app[PIPELINE].engine
    eng.reset()
    yield eng
    eng.reset()


def pipeline(srv: ServerThread) -> Pipeline:
    return srv.app[PIPELINE]


def sdk(srv: ServerThread, retries: int = 0, **kw: Any) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=srv.url, api_key="sk-faults", max_retries=retries, **kw)


def params(text: str, **kw: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 128, "messages": [{"role": "user", "content": text}], **kw}


def sent(srv: ServerThread, text: str) -> list[JournalEntry]:
    """The journal entries of the requests whose last user text is ``text``."""
    out = []
    for entry in pipeline(srv).journal.entries():
        body = entry.body
        if isinstance(body, dict) and body.get("messages", [{}])[-1].get("content") == text:
            out.append(entry)
    return out


def script(engine: Engine, text: str, *items: dict[str, Any]) -> None:
    """The requests saying ``text`` get ``items`` in order, then the generated reply."""
    engine.stubs.add({"match": {"last_user_text": text}, "sequence": list(items), "exhausted": "fallthrough"})


def overloaded(**headers: str) -> dict[str, Any]:
    return {"error": {"type": "overloaded_error", "headers": headers}}


# -- retries ---------------------------------------------------------------------------------------------------
def test_529_then_success_is_retried_to_success(srv: ServerThread, engine: Engine) -> None:
    script(engine, "flaky sync", overloaded(**FAST), {"text": "made it"})
    message = sdk(srv, retries=2).messages.create(**params("flaky sync"))
    assert message.content[0].text == "made it"
    first, second = sent(srv, "flaky sync")
    assert (first.status, second.status) == (529, 200)
    assert first.error == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
        "request_id": first.request_id,
    }
    assert second.headers["x-stainless-retry-count"] == "1"


async def test_529_then_success_async(srv: ServerThread, engine: Engine) -> None:
    script(engine, "flaky async", overloaded(**FAST), overloaded(**FAST), {"text": "third time"})
    client = anthropic.AsyncAnthropic(base_url=srv.url, api_key="sk-faults", max_retries=2)
    message = await client.messages.create(**params("flaky async"))
    assert message.content[0].text == "third time"
    assert [e.status for e in sent(srv, "flaky async")] == [529, 529, 200]


def test_529_then_success_streaming(srv: ServerThread, engine: Engine) -> None:
    script(engine, "flaky stream", overloaded(**FAST), {"text": "streamed after a retry"})
    with sdk(srv, retries=2).messages.stream(**params("flaky stream")) as stream:
        text = "".join(stream.text_stream)
    assert text == "streamed after a retry"
    assert [(e.status, e.stream) for e in sent(srv, "flaky stream")] == [(529, True), (200, True)]


def test_retries_run_out(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add({"match": {"last_user_text": "always down"}, "reply": overloaded(**FAST)})
    with pytest.raises(anthropic.OverloadedError):
        sdk(srv, retries=2).messages.create(**params("always down"))
    assert len(sent(srv, "always down")) == 3  # the first try and two retries


def test_x_should_retry_false_stops_retries(srv: ServerThread, engine: Engine) -> None:
    script(engine, "do not retry", overloaded(**{"x-should-retry": "false", **FAST}), {"text": "unreached"})
    with pytest.raises(anthropic.OverloadedError) as caught:
        sdk(srv, retries=2).messages.create(**params("do not retry"))
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert len(sent(srv, "do not retry")) == 1


def test_x_should_retry_true_retries_even_a_400(srv: ServerThread, engine: Engine) -> None:
    error = {"error": {"type": "invalid_request_error", "headers": {"x-should-retry": "true", **FAST}}}
    script(engine, "retry my 400", error, {"text": "fine now"})
    assert sdk(srv, retries=1).messages.create(**params("retry my 400")).content[0].text == "fine now"
    assert [e.status for e in sent(srv, "retry my 400")] == [400, 200]


def test_retry_after_ms_is_honoured(srv: ServerThread, engine: Engine) -> None:
    # 700 ms is longer than the SDK's own first backoff (at most 0.5 s); 1 ms is far shorter (at least 0.375 s).
    script(engine, "wait 700", overloaded(**{"retry-after-ms": "700"}), {"text": "ok"})
    script(engine, "wait 1", overloaded(**{"retry-after-ms": "1"}), {"text": "ok"})
    client = sdk(srv, retries=1)
    for text in ("wait 700", "wait 1"):
        client.messages.create(**params(text))
    slow = [e.time for e in sent(srv, "wait 700")]
    fast = [e.time for e in sent(srv, "wait 1")]
    assert slow[1] - slow[0] >= 0.7
    assert fast[1] - fast[0] < 0.3


def test_retry_after_seconds_is_honoured(srv: ServerThread, engine: Engine) -> None:
    script(
        engine,
        "retry after seconds",
        {"error": {"type": "rate_limit_error", "headers": {"retry-after": "0.05"}}},
        {"text": "ok"},
    )
    sdk(srv, retries=1).messages.create(**params("retry after seconds"))
    entries = sent(srv, "retry after seconds")
    assert [e.status for e in entries] == [429, 200]
    gap = entries[1].time - entries[0].time  # as the server saw it: no client start-up in the measure
    assert 0.05 <= gap < 0.3  # the header's 50 ms, not the SDK's own backoff (at least 0.375 s)


# -- every error type ----------------------------------------------------------------------------------------------
SDK_CLASSES: dict[str, type[anthropic.APIStatusError]] = {
    "invalid_request_error": anthropic.BadRequestError,
    "authentication_error": anthropic.AuthenticationError,
    "billing_error": anthropic.PaymentRequiredError,
    "permission_error": anthropic.PermissionDeniedError,
    "not_found_error": anthropic.NotFoundError,
    "conflict_error": anthropic.ConflictError,
    "request_too_large": anthropic.RequestTooLargeError,
    "rate_limit_error": anthropic.RateLimitError,
    "api_error": anthropic.InternalServerError,
    "timeout_error": anthropic.GatewayTimeoutError,
    "overloaded_error": anthropic.OverloadedError,
}
RETRIED = {
    "conflict_error",
    "rate_limit_error",
    "api_error",
    "timeout_error",
    "overloaded_error",
}  # 409, 429, >=500


def test_every_error_type_is_covered() -> None:
    assert set(SDK_CLASSES) == set(ERROR_CLASSES)


@pytest.mark.parametrize("error_type", sorted(SDK_CLASSES))
def test_each_error_type_raises_its_sdk_exception_and_retries_as_the_real_one(
    srv: ServerThread, engine: Engine, error_type: str
) -> None:
    text = f"fail with {error_type}"
    engine.stubs.add(
        {"match": {"last_user_text": text}, "reply": {"error": {"type": error_type, "headers": FAST}}}
    )
    cls = ERROR_CLASSES[error_type]
    with pytest.raises(SDK_CLASSES[error_type]) as caught:
        sdk(srv, retries=1).messages.create(**params(text))
    err = caught.value
    assert err.status_code == cls.status
    assert err.type == error_type and err.api_message == cls.default_message
    assert err.request_id is not None and err.request_id.startswith("req_")
    assert err.body == {
        "type": "error",
        "error": {"type": error_type, "message": cls.default_message},
        "request_id": err.request_id,
    }
    tries = len(sent(srv, text))
    assert tries == (2 if error_type in RETRIED else 1), tries
    # The same error before a stream starts: an ordinary JSON error, the same class.
    with pytest.raises(SDK_CLASSES[error_type]), sdk(srv).messages.stream(**params(text)) as stream:
        stream.get_final_message()


async def test_error_classes_async(srv: ServerThread, engine: Engine) -> None:
    engine.stubs.add({"match": {"last_user_text": "async auth"}, "reply": {"error": "authentication_error"}})
    client = anthropic.AsyncAnthropic(base_url=srv.url, api_key="sk-faults", max_retries=2)
    with pytest.raises(anthropic.AuthenticationError) as caught:
        await client.messages.create(**params("async auth"))
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert len(sent(srv, "async auth")) == 1
