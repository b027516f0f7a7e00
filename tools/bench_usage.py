"""``make bench`` section "usage": input accounting of a 150,000-token conversation.

* ``cold_ms``: a fresh :class:`~mockclaude.tokenize.accounting.InputAccountant` (empty memo, tokenizer already
  loaded) lays out the whole conversation. Target ≤ 150 ms.
* ``warm_ms``: the same accountant, the conversation grown by one assistant and one user turn (only those are
  new). Target ≤ 10 ms.
* ``validate_ms`` / ``count_tokens_warm_ms``: for reference, the pydantic validation of the same body and a whole
  warm ``Pipeline.count_tokens`` (validation + accounting); no target.

Import to the first served request in a fresh process is the "startup" section (``tools/bench_startup.py``).

    python -m tools.bench --only usage
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

import orjson

from mockclaude.model.request import ValidatedRequest
from mockclaude.pipeline import Pipeline, Settings
from mockclaude.tokenize.accounting import InputAccountant
from mockclaude.tokenize.encoding import get_counter
from mockclaude.validate.request import validate_request

SECTION = "usage"
TARGET_TOKENS = 150_000
TARGETS = {"cold_ms": 150.0, "warm_ms": 10.0}
HEADERS = {"x-api-key": "sk-bench", "anthropic-version": "2023-06-01"}
MODEL = "claude-sonnet-4-6"


def _text(rng: random.Random, words: list[str], n: int) -> str:
    out: list[str] = []
    for i in range(n):
        word = rng.choice(words)
        out.append(word.capitalize() if i % 14 == 0 else word)
        if i % 14 == 13:
            out[-1] += "."
    return " ".join(out)


def conversation(tokens: int = TARGET_TOKENS) -> list[dict[str, Any]]:
    """Alternating turns of English-like prose, about ``tokens`` claude-v1 tokens in all (deterministic)."""
    from faker import Faker  # a bench-only dependency use: realistic word frequencies

    fake = Faker("en_US")
    fake.seed_instance(0)
    words = [w.lower() for w in fake.words(nb=3000, unique=False)]
    rng = random.Random(0)
    counter = get_counter()
    messages: list[dict[str, Any]] = []
    total = 0
    while total < tokens:
        text = _text(rng, words, 560)
        total += counter.count(text) + 4
        messages.append({"role": "user" if len(messages) % 2 == 0 else "assistant", "content": text})
    if messages[-1]["role"] == "assistant":
        messages.append({"role": "user", "content": "Summarise the above."})
    return messages


def _validated(pipeline: Pipeline, messages: list[dict[str, Any]]) -> tuple[ValidatedRequest, float]:
    """The validated messages request for ``messages`` and how long validation took (ms)."""
    raw = orjson.dumps({"model": MODEL, "max_tokens": 1024, "messages": messages})
    start = time.perf_counter()
    req = validate_request(raw, HEADERS, pipeline.policy, kind="messages")
    return req, (time.perf_counter() - start) * 1000


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure and return the figures (best of ``args.rounds``), with the targets and whether each is met."""
    rounds = max(3, getattr(args, "rounds", 3))
    pipeline = Pipeline(Settings(seed=0))
    history = conversation()
    req, validate_ms = _validated(pipeline, history)
    counter = get_counter()
    cold = []
    for _ in range(rounds):
        accountant = InputAccountant(counter)
        start = time.perf_counter()
        layout = accountant.layout(req)
        cold.append((time.perf_counter() - start) * 1000)
    warm = []
    for i in range(rounds * 3):
        grown = [*history, {"role": "assistant", "content": f"Answer number {i}."}]
        grown.append({"role": "user", "content": f"Follow-up question {i}: and then?"})
        grown_req, _ = _validated(pipeline, grown)
        start = time.perf_counter()
        accountant.layout(grown_req)
        warm.append((time.perf_counter() - start) * 1000)
    body = orjson.dumps({"model": MODEL, "messages": history})
    pipeline.count_tokens(body, HEADERS)
    start = time.perf_counter()
    pipeline.count_tokens(body, HEADERS)
    count_tokens_ms = (time.perf_counter() - start) * 1000
    results: dict[str, Any] = {
        "conversation": f"{len(history)} turns, {layout.total} input tokens, {len(body) // 1024} KiB",
        "cold_ms": round(min(cold), 1),
        "warm_ms": round(statistics.median(warm), 2),
        "validate_ms": round(validate_ms, 1),
        "count_tokens_warm_ms": round(count_tokens_ms, 1),
    }
    results["targets_ms"] = TARGETS
    results["met"] = {k: k in results and results[k] <= v for k, v in TARGETS.items()}
    return results


if __name__ == "__main__":
    report = run(argparse.Namespace(rounds=3))
    for key, value in report.items():
        print(f"{key}: {value}")
