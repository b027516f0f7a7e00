"""What the requests would have cost: the price table and a usage ledger per (API key, model) (api-spec §6.6).

Prices are USD per million tokens from the model catalog (``price_input``, ``price_output``,
``cache_read_multiplier``); cache writes cost 1.25× input for the 5-minute TTL and 2× for the 1-hour TTL, reads
``cache_read_multiplier``× (0.1 for most models, §6.6). The ledger keeps token totals only and prices them when
asked, in exact decimal arithmetic, so a report never drifts by float rounding however many requests it sums.

⚠ unconfirmed / not modelled: long-context surcharges, the 50 % batch discount (Message Batches requests are
recorded like Messages ones), ``speed: "fast"`` and priority-tier pricing. Everything is billed at the standard
rates.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mockclaude.model.catalog import ModelSpec
from mockclaude.model.reply import Usage

WRITE_5M_MULTIPLIER = Decimal("1.25")
WRITE_1H_MULTIPLIER = Decimal("2")
_MILLION = Decimal(1_000_000)
_TOKEN_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per million tokens for each kind of token one model bills."""

    input: Decimal
    output: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    cache_read: Decimal

    def to_json(self) -> dict[str, float]:
        """The table as JSON numbers."""
        return {name: float(getattr(self, name)) for name in _TOKEN_FIELDS}


def prices(spec: ModelSpec) -> Prices:
    """The price table of one model (§6.6 multipliers on the catalog's base prices)."""
    base = Decimal(str(spec.price_input))
    return Prices(
        input=base,
        output=Decimal(str(spec.price_output)),
        cache_write_5m=base * WRITE_5M_MULTIPLIER,
        cache_write_1h=base * WRITE_1H_MULTIPLIER,
        cache_read=base * Decimal(str(spec.cache_read_multiplier)),
    )


@dataclass(slots=True)
class Totals:
    """Token totals of one (API key, model) pair."""

    requests: int = 0
    input: int = 0
    output: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    cache_read: int = 0

    def add(self, usage: Usage) -> None:
        """Count one reply's usage."""
        self.requests += 1
        self.input += usage.input_tokens
        self.output += usage.output_tokens
        self.cache_write_5m += usage.cache_5m_tokens
        self.cache_write_1h += usage.cache_1h_tokens
        self.cache_read += usage.cache_read_input_tokens

    def merge(self, other: Totals) -> None:
        """Add another pair's totals (for the grand total)."""
        self.requests += other.requests
        for name in _TOKEN_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def cost(self, table: Prices) -> dict[str, Decimal]:
        """USD per kind of token and in total."""
        out = {name: getattr(self, name) * getattr(table, name) / _MILLION for name in _TOKEN_FIELDS}
        out["total"] = sum(out.values(), Decimal(0))
        return out

    def uncached_cost(self, table: Prices) -> Decimal:
        """What the same requests would have cost with no caching at all: every prompt token at the input price."""
        prompt = self.input + self.cache_write_5m + self.cache_write_1h + self.cache_read
        return (prompt * table.input + self.output * table.output) / _MILLION

    def tokens_json(self) -> dict[str, int]:
        """Token totals with the wire names of ``usage``."""
        return {
            "input_tokens": self.input,
            "cache_creation_input_tokens": self.cache_write_5m + self.cache_write_1h,
            "cache_read_input_tokens": self.cache_read,
            "ephemeral_5m_input_tokens": self.cache_write_5m,
            "ephemeral_1h_input_tokens": self.cache_write_1h,
            "output_tokens": self.output,
        }


def _usd(value: Decimal) -> float:
    return float(round(value, 10))


@dataclass(slots=True)
class UsageLedger:
    """Running totals of every served ``POST /v1/messages`` per (API key, model)."""

    _rows: dict[tuple[str, str], tuple[ModelSpec, Totals]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, api_key: str, spec: ModelSpec, usage: Usage) -> None:
        """Count one reply (its final usage, output included)."""
        with self._lock:
            row = self._rows.get((api_key, spec.id))
            if row is None:
                row = self._rows[(api_key, spec.id)] = (spec, Totals())
            row[1].add(usage)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._rows.clear()

    def report(self, *, api_key: str | None = None, model: str | None = None) -> dict[str, Any]:
        """Totals per key and model in tokens and USD, with what caching saved, and the grand total."""
        with self._lock:
            rows = [
                (key, spec, Totals(**{n: getattr(t, n) for n in ("requests", *_TOKEN_FIELDS)}))
                for (key, model_id), (spec, t) in sorted(self._rows.items())
                if (api_key is None or key == api_key) and (model is None or model_id == model)
            ]
        data = []
        grand = Totals()
        grand_cost = grand_uncached = Decimal(0)
        for key, spec, totals in rows:
            table = prices(spec)
            cost = totals.cost(table)
            uncached = totals.uncached_cost(table)
            data.append(
                {
                    "api_key": key,
                    "model": spec.id,
                    "requests": totals.requests,
                    "tokens": totals.tokens_json(),
                    "prices_per_mtok_usd": table.to_json(),
                    "cost_usd": {name: _usd(value) for name, value in cost.items()},
                    "cost_without_cache_usd": _usd(uncached),
                    "saved_usd": _usd(uncached - cost["total"]),
                }
            )
            grand.merge(totals)
            grand_cost += cost["total"]
            grand_uncached += uncached
        return {
            "data": data,
            "totals": {
                "requests": grand.requests,
                "tokens": grand.tokens_json(),
                "cost_usd": _usd(grand_cost),
                "cost_without_cache_usd": _usd(grand_uncached),
                "saved_usd": _usd(grand_uncached - grand_cost),
            },
        }
