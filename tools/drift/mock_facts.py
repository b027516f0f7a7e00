"""What the mock knows, in the drift check's categories.

Routes come from the app the server builds (every route ``create_app`` registers, ``/_mock`` left out); request
parameters from the wire models (``mockclaude/model/wire/``); beta names from ``validate/headers.py``; model ids
and lifecycles from the catalog (``mockclaude/model/data/models.json``). For the vocabularies (block, delta and
tool types, stop reasons, error codes) "known" means the string appears as a literal somewhere in the package
(its code or its JSON data): the mock can only produce or accept a type it spells out.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from tools.drift.sdk_facts import normalise

__all__ = ["MockFacts", "read_mock", "string_literals"]

PACKAGE = Path(__file__).resolve().parents[2] / "mockclaude"
MockFacts = dict[str, set[str]]


def _json_strings(value: Any, out: set[str]) -> None:
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            out.add(str(key))
            _json_strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _json_strings(item, out)


def string_literals(package: Path = PACKAGE) -> set[str]:
    """Every string constant of the package's modules and every string of its JSON data files."""
    out: set[str] = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        out.update(
            n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        )
    for path in package.rglob("*.json"):
        try:
            _json_strings(json.loads(path.read_text(encoding="utf-8")), out)
        except (OSError, ValueError):
            continue
    return out


def _routes() -> set[str]:
    from mockclaude.server.app import create_app

    app = create_app()
    out: set[str] = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = str(info.get("formatter") or info.get("path") or "")
        if route.method in ("*", "HEAD") or not path.startswith("/v1/"):
            continue
        out.add(normalise(route.method, path))
    return out


def _catalog() -> tuple[set[str], set[str], set[str]]:
    """``(every id and alias, the deprecated ones, the retired ones)`` of the catalog."""
    from mockclaude.model.catalog import get_catalog

    known: set[str] = set()
    deprecated: set[str] = set()
    retired: set[str] = set()
    for spec in get_catalog().models(["active", "deprecated", "retired"]):
        names = {spec.id, *spec.aliases}
        known |= names
        if spec.lifecycle == "deprecated":
            deprecated |= names
        elif spec.lifecycle == "retired":
            retired |= names
    return known, deprecated, retired


def read_mock() -> MockFacts:
    """Every category the report compares, read from this checkout of the mock."""
    from mockclaude.model.wire import FIELDS_COUNT_TOKENS, FIELDS_MESSAGES
    from mockclaude.validate.headers import KNOWN_BETAS

    literals = string_literals()
    routes = _routes()
    models, deprecated, retired = _catalog()
    return {
        "routes": routes,
        "Messages params": set(FIELDS_MESSAGES),
        "count_tokens params": set(FIELDS_COUNT_TOKENS),
        "beta names": set(KNOWN_BETAS),
        "model ids": models - retired,
        "deprecated models": deprecated,
        "retired models": retired,
        "literals": literals,
    }
