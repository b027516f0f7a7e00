"""``make bench`` section "engine": the per-request cost of matching a large script.

The same request is served against a 10-stub and a 1,000-stub script, in two cases: matched by the last stub of
the script, and matched by none (a generated reply). Target: the 1,000-stub script costs at most 2x the 10-stub
one per request (the registry indexes stubs that test ``last_user_text`` or ``model`` for equality). Stubs that
only test ``last_user_text`` with ``contains`` cannot be indexed, only prefiltered (a substring test per stub):
that case is measured too, for information.

Timings are in-process (``Pipeline.messages``: validation, counting, matching, reply; no HTTP), best of
``--rounds`` rounds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SECTION = "engine"
TARGET_RATIO = 2.0
HEADERS = {"x-api-key": "sk-bench", "anthropic-version": "2023-06-01"}


def _script(n: int, kind: str) -> dict[str, Any]:
    stubs = []
    for i in range(n):
        match: dict[str, Any] = (
            {"last_user_text": f"question number {i}"}
            if kind == "indexed"
            else {"last_user_text": {"contains": f"question number {i}."}}
        )
        stubs.append({"name": f"stub-{i}", "match": match, "reply": {"text": f"Scripted answer {i}."}})
    return {"version": 1, "stubs": stubs}


def _body(text: str) -> bytes:
    return json.dumps(
        {"model": "claude-sonnet-4-6", "max_tokens": 256, "messages": [{"role": "user", "content": text}]}
    ).encode()


def _per_request_us(n: int, kind: str, body: bytes, iterations: int, rounds: int, folder: Path) -> float:
    import mockclaude.script  # noqa: F401  (YAML reader)
    from mockclaude.pipeline import Pipeline, Settings

    path = folder / f"{kind}-{n}.yaml"
    import yaml

    path.write_text(yaml.safe_dump(_script(n, kind), sort_keys=False))
    pipeline = Pipeline(Settings(seed=0, fixtures=str(path)))
    assert len(pipeline.engine.stubs) == n
    for _ in range(200):  # warm-up: tokenizer, memos
        pipeline.messages(body, HEADERS)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(iterations):
            pipeline.messages(body, HEADERS)
        best = min(best, (time.perf_counter() - start) / iterations)
    return best * 1e6


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Per-request microseconds with 10 and 1,000 stubs, their ratio, and the target."""
    rounds = max(3, getattr(args, "rounds", 3))
    iterations = 1500
    out: dict[str, Any] = {
        "target": f"1000-stub / 10-stub per-request cost <= {TARGET_RATIO}x (indexed stubs)"
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases: list[tuple[str, str, Callable[[int], str]]] = [
            ("matched_by_last_stub", "indexed", lambda n: f"question number {n - 1}"),
            ("unmatched", "indexed", lambda n: "a question no stub knows"),
            ("unindexed_contains_last_stub", "contains", lambda n: f"this is question number {n - 1}."),
        ]
        ok = True
        for label, kind, text in cases:
            small = _per_request_us(10, kind, _body(text(10)), iterations, rounds, folder)
            large = _per_request_us(1000, kind, _body(text(1000)), iterations, rounds, folder)
            ratio = large / small
            row: dict[str, Any] = {
                "us_10": round(small, 1),
                "us_1000": round(large, 1),
                "ratio": round(ratio, 2),
            }
            if kind == "indexed":
                row["meets_target"] = ratio <= TARGET_RATIO
                ok = ok and ratio <= TARGET_RATIO
            else:
                row["note"] = "not indexed: a substring prefilter per stub (regex matchers cost more)"
            out[label] = row
        out["meets_target"] = ok
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tools.bench_engine")
    parser.add_argument("--rounds", type=int, default=3)
    for key, value in run(parser.parse_args()).items():
        print(f"{key}: {value}")
