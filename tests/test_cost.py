"""The price table (api-spec §6.6) and ``GET /_mock/usage``: tokens and dollars per API key and model, with what
caching saved, computed independently here from the usage the SDK received."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import anthropic
import pytest

from mockclaude.cache import prices
from mockclaude.model.catalog import get_catalog
from tests import rawhttp
from tests.test_cache import ONE_HOUR, SONNET, Mock, start_mock, system_request
from tests.test_cache import key as key  # the per-test API key fixture


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    m = start_mock()
    yield m
    m.server.stop()


@pytest.fixture
def sdk(mock: Mock, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.url, api_key=key, max_retries=0)


@pytest.mark.parametrize(
    ("model", "table"),
    [
        (
            "claude-sonnet-4-6",
            {"input": 3, "output": 15, "cache_write_5m": 3.75, "cache_write_1h": 6, "cache_read": 0.3},
        ),
        (
            "claude-haiku-4-5",
            {"input": 1, "output": 5, "cache_write_5m": 1.25, "cache_write_1h": 2, "cache_read": 0.1},
        ),
        (
            "claude-opus-4-6",
            {"input": 5, "output": 25, "cache_write_5m": 6.25, "cache_write_1h": 10, "cache_read": 0.5},
        ),
        # Opus 5.5 reads at 0.05× (§6.6 model-specific exception).
        (
            "claude-opus-5-5",
            {"input": 4, "output": 20, "cache_write_5m": 5, "cache_write_1h": 8, "cache_read": 0.2},
        ),
    ],
)
def test_price_table(model: str, table: dict[str, float]) -> None:
    spec = get_catalog().resolve(model)
    assert spec is not None
    assert prices(spec).to_json() == table


def _dollars(usages: list[Any], table: dict[str, float]) -> tuple[Decimal, Decimal]:
    """(cost, cost without caching) of some replies, priced here from scratch."""
    d = {k: Decimal(str(v)) for k, v in table.items()}
    cost = uncached = Decimal(0)
    for u in usages:
        w5, w1 = u.cache_creation.ephemeral_5m_input_tokens, u.cache_creation.ephemeral_1h_input_tokens
        cost += (
            u.input_tokens * d["input"]
            + w5 * d["cache_write_5m"]
            + w1 * d["cache_write_1h"]
            + u.cache_read_input_tokens * d["cache_read"]
            + u.output_tokens * d["output"]
        )
        prompt = u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens
        uncached += prompt * d["input"] + u.output_tokens * d["output"]
    million = Decimal(1_000_000)
    return cost / million, uncached / million


def _usd(value: Decimal) -> float:
    return float(round(value, 10))


def test_usage_report_prices_writes_and_reads(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    five = system_request()
    hour = system_request(ttl=ONE_HOUR, salt="hour-")
    usages = [sdk.messages.create(**p).usage for p in (five, five, five, hour, hour)]
    report = rawhttp.request("GET", f"{mock.url}/_mock/usage?api_key={key}").json()
    (row,) = report["data"]
    assert row["api_key"] == key and row["model"] == SONNET and row["requests"] == 5
    assert row["tokens"] == {
        "input_tokens": sum(u.input_tokens for u in usages),
        "cache_creation_input_tokens": sum(u.cache_creation_input_tokens for u in usages),
        "cache_read_input_tokens": sum(u.cache_read_input_tokens for u in usages),
        "ephemeral_5m_input_tokens": usages[0].cache_creation_input_tokens,
        "ephemeral_1h_input_tokens": usages[3].cache_creation_input_tokens,
        "output_tokens": sum(u.output_tokens for u in usages),
    }
    table = row["prices_per_mtok_usd"]
    cost, uncached = _dollars(usages, table)
    assert row["cost_usd"]["total"] == _usd(cost)
    assert row["cost_usd"]["cache_write_1h"] == _usd(
        usages[3].cache_creation_input_tokens * Decimal(6) / 1_000_000
    )
    assert row["cost_without_cache_usd"] == _usd(uncached)
    assert row["saved_usd"] == _usd(uncached - cost) > 0  # two reads of the 5m entry, one of the 1h entry
    assert report["totals"]["cost_usd"] == row["cost_usd"]["total"]


def test_a_write_never_read_costs_more_than_no_cache(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    sdk.messages.create(**system_request())
    (row,) = rawhttp.request("GET", f"{mock.url}/_mock/usage?api_key={key}").json()["data"]
    assert row["saved_usd"] < 0  # 1.25× on the written prefix, never won back


def test_usage_is_per_key_and_model_and_can_be_reset(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    sdk.messages.create(**system_request())
    sdk.messages.create(**system_request(model="claude-haiku-4-5"))
    other = anthropic.Anthropic(base_url=mock.url, api_key=key + "-b", max_retries=0)
    other.messages.create(**system_request())
    mine = rawhttp.request("GET", f"{mock.url}/_mock/usage?api_key={key}").json()
    assert [(r["model"], r["requests"]) for r in mine["data"]] == [
        ("claude-haiku-4-5-20251001", 1),
        (SONNET, 1),
    ]
    assert mine["totals"]["requests"] == 2
    assert mine["totals"]["cost_usd"] == _usd(
        sum((Decimal(str(r["cost_usd"]["total"])) for r in mine["data"]), Decimal(0))
    )
    haiku = rawhttp.request("GET", f"{mock.url}/_mock/usage?api_key={key}&model=claude-haiku-4-5").json()
    assert [r["model"] for r in haiku["data"]] == ["claude-haiku-4-5-20251001"]
    theirs = rawhttp.request("GET", f"{mock.url}/_mock/usage?api_key={key}-b").json()
    assert theirs["totals"]["requests"] == 1


def test_count_tokens_and_errors_are_not_billed(mock: Mock, key: str, sdk: anthropic.Anthropic) -> None:
    params = system_request()
    sdk.messages.count_tokens(**{k: v for k, v in params.items() if k != "max_tokens"})
    with pytest.raises(anthropic.BadRequestError):
        sdk.messages.create(**{**params, "max_tokens": 0, "stream": True})
    assert rawhttp.request("GET", f"{mock.url}/_mock/usage?api_key={key}").json()["data"] == []


def test_delete_usage_resets_the_totals() -> None:
    mock = start_mock()
    try:
        sdk = anthropic.Anthropic(base_url=mock.url, api_key="sk-reset", max_retries=0)
        sdk.messages.create(**system_request())
        assert rawhttp.request("GET", mock.url + "/_mock/usage").json()["totals"]["requests"] == 1
        assert rawhttp.request("DELETE", mock.url + "/_mock/usage").json() == {"deleted": True}
        assert rawhttp.request("GET", mock.url + "/_mock/usage").json() == {
            "data": [],
            "totals": {
                "requests": 0,
                "tokens": {
                    "input_tokens": 0,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "ephemeral_5m_input_tokens": 0,
                    "ephemeral_1h_input_tokens": 0,
                    "output_tokens": 0,
                },
                "cost_usd": 0.0,
                "cost_without_cache_usd": 0.0,
                "saved_usd": 0.0,
            },
        }
    finally:
        mock.server.stop()
