"""JSON paths: ``$.a.b[0]``, ``$.messages[*].role``, ``$.tools[-1].name``, ``$["odd key"]``.

Read by the ``json`` matcher (``select``), and by recorded requests: the paths a cassette ignores when it matches
(``without``) and the ones it redacts before anything is written (``replaced``). Both return new documents and
leave the one they were given alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mockclaude.engine.ops import MISSING, step_into

_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*|\*)|\[(-?\d+|\*)\]|\[\"((?:[^\"\\]|\\.)*)\"\]|\['([^']*)'\]")

Steps = list[str | int]


def parse_json_path(path: str) -> Steps | None:
    """Steps of a JSON path (``"*"`` is a wildcard), or ``None`` when the syntax is not understood."""
    if not path.startswith("$"):
        return None
    steps: Steps = []
    pos = 1
    while pos < len(path):
        m = _STEP.match(path, pos)
        if m is None:
            return None
        name, index, dq, sq = m.groups()
        if name is not None:
            steps.append(name)
        elif index is not None:
            steps.append("*" if index == "*" else int(index))
        else:
            steps.append(dq if dq is not None else sq)
        pos = m.end()
    return steps


def select(doc: Any, steps: Steps) -> list[Any]:
    """Every value at ``steps`` in ``doc`` (wildcards fan out)."""
    current = [doc]
    for step in steps:
        nxt: list[Any] = []
        for value in current:
            if step == "*":
                nxt.extend(
                    value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
                )
            elif (item := step_into(value, step)) is not MISSING:
                nxt.append(item)
        current = nxt
    return current


def _rewrite(doc: Any, steps: Steps, leaf: Callable[[Any, str | int], Any]) -> Any:
    """A copy of ``doc`` where ``leaf(container, key)`` rewrote every container holding a value at ``steps``.

    Only the containers on the way are copied; what is not on a path is shared with ``doc``.
    """
    if not steps:
        return doc
    step, rest = steps[0], steps[1:]
    if isinstance(doc, dict):
        keys = list(doc) if step == "*" else [step] if isinstance(step, str) and step in doc else []
    elif isinstance(doc, list):
        if step == "*":
            keys = list(range(len(doc)))
        elif isinstance(step, int) and -len(doc) <= step < len(doc):
            keys = [step % len(doc)]
        else:
            keys = []
    else:
        keys = []
    if not keys:
        return doc
    out: Any = dict(doc) if isinstance(doc, dict) else list(doc)
    if not rest:
        for key in reversed(keys):  # reversed: deleting list items keeps the earlier indexes valid
            out = leaf(out, key)
        return out
    for key in keys:
        out[key] = _rewrite(doc[key], rest, leaf)
    return out


def without(doc: Any, steps: Steps) -> Any:
    """``doc`` without the values at ``steps`` (mapping keys removed, list items dropped)."""

    def drop(container: Any, key: str | int) -> Any:
        del container[key]
        return container

    return _rewrite(doc, steps, drop)


def replaced(doc: Any, steps: Steps, value: Any) -> Any:
    """``doc`` with every value at ``steps`` replaced by ``value``."""

    def put(container: Any, key: str | int) -> Any:
        container[key] = value
        return container

    return _rewrite(doc, steps, put)
