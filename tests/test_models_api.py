"""``GET /v1/models`` and ``GET /v1/models/{id}`` through the SDK; ``--any-model``; user models (``--models``)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anthropic
import pytest

from mockclaude.model.catalog import get_catalog
from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread
from tests import rawhttp
from tests.serve_proc import start_serve

LISTED = [spec.id for spec in get_catalog().models()]  # active + deprecated, newest first


def test_list_auto_paginates_over_small_pages(client: anthropic.Anthropic) -> None:
    page = client.models.list(limit=3)
    assert [m.id for m in page.data] == LISTED[:3]
    assert page.has_more and page.first_id == LISTED[0] and page.last_id == LISTED[2]
    assert [m.id for m in client.models.list(limit=3)] == LISTED  # iterating fetches every page
    assert [m.id for m in client.models.list()] == LISTED  # default limit 20, two pages


async def test_async_list_and_retrieve(aclient: anthropic.AsyncAnthropic) -> None:
    ids = [m.id async for m in aclient.models.list(limit=7)]
    assert ids == LISTED
    assert (await aclient.models.retrieve("claude-opus-4-5")).id == "claude-opus-4-5-20251101"


def test_pages_forward_and_backward(client: anthropic.Anthropic) -> None:
    second = client.models.list(limit=4, after_id=LISTED[3])
    assert [m.id for m in second.data] == LISTED[4:8]
    back = client.models.list(limit=4, before_id=LISTED[4])
    assert [m.id for m in back.data] == LISTED[:4] and not back.has_more
    last = client.models.list(limit=1000)
    assert not last.has_more and len(last.data) == len(LISTED)


def test_retrieve_by_id_and_alias_with_capabilities(client: anthropic.Anthropic) -> None:
    model = client.models.retrieve("claude-sonnet-4-5")  # alias → the dated snapshot
    assert model.id == "claude-sonnet-4-5-20250929"
    assert model.type == "model" and model.display_name == "Claude Sonnet 4.5"
    assert model.max_input_tokens == 200_000 and model.max_tokens == 64_000
    assert model.capabilities is not None
    assert model.capabilities.thinking.types.enabled.supported
    assert not model.capabilities.thinking.types.adaptive.supported
    assert not model.capabilities.effort.supported
    fable = client.models.retrieve("claude-fable-5")
    assert fable.capabilities is not None and fable.capabilities.effort.xhigh.supported
    assert not fable.capabilities.thinking.types.disabled.supported


def test_unknown_model_is_404(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as info:
        client.models.retrieve("claude-imaginary-1")
    assert isinstance(info.value.body, dict)
    assert info.value.body["error"] == {"type": "not_found_error", "message": "model: claude-imaginary-1"}


def test_retired_models_only_when_asked(server: ServerThread) -> None:
    url = server.url + "/v1/models?limit=100&lifecycle[]=retired"
    retired = rawhttp.request("GET", url).json()["data"]
    assert retired and {m["lifecycle"] for m in retired} == {"retired"}
    assert not {m["id"] for m in retired} & set(LISTED)


def test_strict_default_rejects_unknown_ids_on_messages(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError, match="model: my-gateway-sonnet"):
        client.messages.create(
            model="my-gateway-sonnet", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )


# --- any_model --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lenient() -> Iterator[anthropic.Anthropic]:
    with ServerThread(create_app(Settings(seed=0, any_model=True))) as server:
        yield anthropic.Anthropic(base_url=server.url, api_key="sk-test", max_retries=0)


def test_any_model_takes_the_nearest_family_limits(lenient: anthropic.Anthropic) -> None:
    messages = [{"role": "user", "content": "Hello, Claude"}]
    reply = lenient.messages.create(model="acme/claude-sonnet-4-5-fast", max_tokens=64, messages=messages)
    assert reply.model == "acme/claude-sonnet-4-5-fast"
    with pytest.raises(anthropic.BadRequestError) as info:
        # An explicit timeout: the SDK refuses a non-streaming call this large otherwise.
        lenient.messages.create(
            model="acme/claude-sonnet-4-5-fast", max_tokens=64_001, messages=messages, timeout=30
        )
    assert isinstance(info.value.body, dict)
    assert info.value.body["error"]["message"] == (
        "max_tokens: 64001 > 64000, which is the maximum allowed number of output tokens for acme/claude-sonnet-4-5-fast"
    )
    # Counted like the family it borrows from: Opus 4.8 has the newer tokenizer (ratio 1.3).
    gateway = lenient.messages.count_tokens(model="gw-opus-4-8", messages=messages).input_tokens
    assert gateway == lenient.messages.count_tokens(model="claude-opus-4-8", messages=messages).input_tokens
    newest_sonnet = lenient.messages.count_tokens(model="claude-sonnet-5-5", messages=messages).input_tokens
    assert lenient.messages.count_tokens(model="gpt-4o", messages=messages).input_tokens == newest_sonnet


def test_any_model_still_lists_only_the_catalog(lenient: anthropic.Anthropic) -> None:
    assert [m.id for m in lenient.models.list(limit=50)] == LISTED
    with pytest.raises(anthropic.NotFoundError):
        lenient.models.retrieve("acme/claude-sonnet-4-5-fast")


# --- user models: --models FILE ---------------------------------------------------------------------------


def test_models_file_adds_gateway_models(tmp_path: Path) -> None:
    models = tmp_path / "models.json"
    gateway = {"id": "gw-claude", "base": "claude-sonnet-4-6", "display_name": "Gateway Claude",
               "created_at": "2030-01-01T00:00:00Z", "context_window": 32_000, "max_output_tokens": 4096}  # fmt: skip
    models.write_text(json.dumps({"models": [gateway]}))
    proc, url = start_serve("--models", str(models))
    try:
        client = anthropic.Anthropic(base_url=url, api_key="sk-test", max_retries=0)
        first = client.models.list(limit=1).data[0]
        assert (first.id, first.display_name, first.max_input_tokens, first.max_tokens) == (
            "gw-claude", "Gateway Claude", 32_000, 4096
        )  # fmt: skip
        reply = client.messages.create(
            model="gw-claude", max_tokens=32, messages=[{"role": "user", "content": "Hi"}]
        )
        assert reply.model == "gw-claude"
        with pytest.raises(
            anthropic.BadRequestError, match="maximum allowed number of output tokens for gw-claude"
        ):
            client.messages.create(
                model="gw-claude", max_tokens=5000, messages=[{"role": "user", "content": "Hi"}]
            )
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_models_file_errors_name_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"models": [{"id": "gw", "base": "claude-sonnet-4-6", "context_windw": 5}]}))
    out = subprocess.run(
        [sys.executable, "-m", "mockclaude", "serve", "--port", "0", "--models", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 2
    assert f"{bad}: model 'gw': unknown key 'context_windw'" in out.stderr
    assert "Traceback" not in out.stderr
