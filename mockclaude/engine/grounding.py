"""Tool inputs grounded in the user's words: a generated ``city`` or ``location`` takes the place the user named.

Schema-driven values are valid but arbitrary ("San Francisco, CA" for any city); an agent test reads better, and
checks more, when "What's the weather in Paris?" produces ``{"city": "Paris"}``. Only plain string properties
are replaced (no enum, const, pattern or format, and the length bounds allow it), so the input stays valid
against its schema.
"""

from __future__ import annotations

import re
from typing import Any

_PLACE_KEY = re.compile(r"(?:^|_)(?:city|location|place|town|destination|region|country)$", re.IGNORECASE)
# "in Paris", "for New York", "at San Francisco, CA": capitalised words after a place preposition.
_PLACE = re.compile(r"\b(?:in|at|for|near|to|from)\s+([A-Z][\w'-]*(?:(?:\s+|,\s*)[A-Z][\w'-]*)*)")


def named_place(text: str) -> str | None:
    """The first place-like phrase of ``text`` ("weather in New York today?" -> "New York"), if any."""
    match = _PLACE.search(text)
    return match.group(1) if match else None


def _accepts(prop: Any, value: str) -> bool:
    if not isinstance(prop, dict) or prop.get("type", "string") != "string":
        return False
    if any(key in prop for key in ("enum", "const", "pattern", "format", "anyOf", "oneOf", "allOf", "$ref")):
        return False
    low, high = prop.get("minLength", 0), prop.get("maxLength")
    return isinstance(low, int) and low <= len(value) and (not isinstance(high, int) or len(value) <= high)


def ground(value: dict[str, Any], schema: Any, user_text: str) -> dict[str, Any]:
    """``value`` with its top-level place-like string properties set to the place ``user_text`` names."""
    place = named_place(user_text)
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if place is None or not isinstance(properties, dict):
        return value
    grounded = dict(value)
    for key, current in value.items():
        if isinstance(current, str) and _PLACE_KEY.search(key) and _accepts(properties.get(key), place):
            grounded[key] = place
    return grounded
