"""Compare the SDK's facts with the mock's and lay the differences out as a table (or JSON)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from tools.drift.mock_facts import MockFacts
from tools.drift.sdk_facts import SdkFacts

__all__ = ["Row", "as_json", "compare", "details", "table"]

# category -> which of the mock's sets it is checked against ("literals": any string of the package)
AGAINST = {
    "GA routes": "routes",
    "beta routes": "routes",
    "Messages params": "Messages params",
    "beta Messages params": "Messages params",
    "count_tokens params": "count_tokens params",
    "request blocks": "literals",
    "beta request blocks": "literals",
    "response blocks": "literals",
    "beta response blocks": "literals",
    "stream events and deltas": "literals",
    "tool versions": "literals",
    "stop reasons": "literals",
    "beta names": "beta names",
    "error codes": "literals",
    "error codes (Admin, Agents)": "literals",
    "model ids": "model ids",
    "deprecated models": "deprecated models",
}


@dataclass
class Row:
    """One category: what the SDK has, how much of it the mock knows, what it lacks (and what it has extra)."""

    category: str
    sdk: int
    known: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # the mock has it, the SDK no longer does (models only)
    note: str = ""


def _known(category: str, item: str, mock: MockFacts) -> bool:
    pool = mock[AGAINST[category]]
    if category.startswith("error codes"):
        return item.split(" ", 1)[1] in pool
    return item in pool


def compare(sdk: SdkFacts, mock: MockFacts) -> list[Row]:
    """One row per category, in the report's order."""
    rows: list[Row] = []
    for category in AGAINST:
        items = sdk.get(category, set())
        missing = sorted(item for item in items if not _known(category, item, mock))
        row = Row(category, len(items), len(items) - len(missing), missing)
        if not items:
            row.note = "not read from this SDK"
        if category == "model ids" and items:
            row.extra = sorted(mock["model ids"] - items - mock["deprecated models"])
            dropped = sorted((mock["model ids"] & mock["deprecated models"]) - items)
            row.extra += [f"{name} (deprecated in the catalog)" for name in dropped]
        if category == "deprecated models" and items:
            row.extra = sorted(i for i in mock["deprecated models"] - items if i in mock["model ids"])
        rows.append(row)
    return rows


def _group_routes(routes: list[str]) -> list[str]:
    """Routes grouped by their first two path segments: ``/v1/organizations/* (82)``."""
    groups = Counter("/".join(route.split(" ", 1)[1].split("/")[:3]) for route in routes)
    return [f"{prefix}/* ({count})" if count > 1 else prefix for prefix, count in sorted(groups.items())]


def _shown(row: Row, limit: int) -> list[str]:
    items = _group_routes(row.missing) if row.category.endswith("routes") else row.missing
    return (
        items if limit <= 0 or len(items) <= limit else [*items[:limit], f"… and {len(items) - limit} more"]
    )


def table(rows: list[Row], limit: int = 6) -> str:
    """The summary table: category, SDK count, known, missing, and the first missing items."""
    head = ("category", "sdk", "mock knows", "missing", "what the mock does not know")
    lines = [
        (
            r.category,
            str(r.sdk),
            str(r.known),
            str(len(r.missing)),
            r.note or ", ".join(_shown(r, limit)) or "-",
        )
        for r in rows
    ]
    widths = [max(len(cell[i]) for cell in [head, *lines]) for i in range(4)]
    out = []
    for index, cells in enumerate([head, *lines]):
        left = "  ".join(cell.ljust(width) for cell, width in zip(cells[:4], widths, strict=True))
        out.append(f"{left}  {cells[4]}".rstrip())
        if index == 0:
            out.append("  ".join("-" * width for width in widths) + "  " + "-" * 27)
    extras = [(r.category, item) for r in rows for item in r.extra]
    if extras:
        out.append("")
        out.append("the mock serves what the SDK no longer lists:")
        out += [f"  {category}: {item}" for category, item in extras]
    return "\n".join(out)


def details(rows: list[Row]) -> str:
    """Every missing item, category by category (``--full``)."""
    out: list[str] = []
    for row in rows:
        if row.missing:
            out.append(f"{row.category} ({len(row.missing)}):")
            out += [f"  {item}" for item in row.missing]
    return "\n".join(out)


def as_json(rows: list[Row], source: str) -> str:
    """The rows as JSON, with where the SDK came from."""
    return json.dumps({"sdk": source, "rows": [asdict(row) for row in rows]}, indent=2)
