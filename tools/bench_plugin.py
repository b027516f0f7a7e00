"""``make bench`` section "plugin": what the pytest fixtures cost a test suite.

* Cold start: a fresh interpreter, from ``from mockclaude import MockClaude`` to the first reply served (what the
  session fixture costs once per session / per xdist worker): target ≤ 300 ms. Measured twice: alone, and "in a
  session", with pytest and the SDK already imported (as when the fixture first runs: the test modules import
  ``anthropic`` first, and pydantic / typing imports are shared).
* ``reset()`` between two tests (after a test with stubs, requests and a cache entry): target ≤ 1 ms. A reset
  with another seed (the marker's ``seed=``) rebuilds the pipeline and is reported beside it.
* 1,000 tests that each script a stub and make one request with the sync SDK client, run by pytest in a
  subprocess (``pytest -q -p no:cacheprovider -p no:hypothesispytest``: wall time including pytest's start-up
  and collection; the run with every plugin of this venv is reported beside it): target ≤ 10 s.

    python -m tools.bench --only plugin
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

SECTION = "plugin"
COLD_TARGET_MS = 300.0
RESET_TARGET_MS = 1.0
SUITE_TARGET_S = 10.0
SUITE_TESTS = 1000

_COLD = r"""
import json, time, sys
t0 = time.perf_counter()
if sys.argv[1] == "session":  # what a pytest session has loaded before its first fixture: pytest, the SDK
    import anthropic, pytest
    t0 = time.perf_counter()
from mockclaude.testing.plugin import session_server  # what the mockclaude_server fixture runs
mock = session_server()
import http.client
conn = http.client.HTTPConnection("127.0.0.1", int(mock.url.rsplit(":", 1)[1]))
body = '{"model":"claude-sonnet-4-6","max_tokens":16,"messages":[{"role":"user","content":"Hi"}]}'
conn.request("POST", "/v1/messages", body=body, headers={"x-api-key": "k", "anthropic-version": "2023-06-01",
             "content-type": "application/json"})
response = conn.getresponse()
response.read()
assert response.status == 200
print(json.dumps({"ms": (time.perf_counter() - t0) * 1000}))
"""

_SUITE = """
import anthropic
import pytest


@pytest.fixture(scope="session")
def client(mockclaude_server):
    return anthropic.Anthropic(base_url=mockclaude_server.url, api_key="sk-bench", max_retries=0)


@pytest.mark.parametrize("n", range({tests}))
def test_one_request(mockclaude, client, n):
    mockclaude.expect(last_user_text=f"question {{n}}").once().respond(text=f"answer {{n}}")
    message = client.messages.create(
        model="claude-sonnet-4-6", max_tokens=16, messages=[{{"role": "user", "content": f"question {{n}}"}}]
    )
    assert message.content[0].text == f"answer {{n}}"
"""


def _cold_ms(mode: str, runs: int = 5) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _COLD, mode], capture_output=True, text=True, check=True, timeout=120
        )
        samples.append(json.loads(out.stdout.strip().splitlines()[-1])["ms"])
    return {"best_ms": round(min(samples), 1), "median_ms": round(statistics.median(samples), 1)}


def _reset_ms() -> dict[str, float]:
    from mockclaude import MockClaude

    with MockClaude() as mock:
        client = mock.client(max_retries=0)
        system = [{"type": "text", "text": "Cache me. " * 700, "cache_control": {"type": "ephemeral"}}]

        def busy_test() -> None:
            for n in range(3):
                mock.expect(last_user_text=f"q{n}").once().respond(text="a")
                client.messages.create(
                    model="claude-sonnet-4-6",
                    max_tokens=8,
                    system=system,
                    messages=[{"role": "user", "content": f"q{n}"}],
                )

        plain = []
        for _ in range(200):
            busy_test()
            t0 = time.perf_counter()
            mock.reset()
            plain.append((time.perf_counter() - t0) * 1000)
        reseed = []
        for seed in range(1, 21):
            t0 = time.perf_counter()
            mock.reset(seed=seed)
            reseed.append((time.perf_counter() - t0) * 1000)
    return {
        "median_ms": round(statistics.median(plain), 3),
        "p95_ms": round(sorted(plain)[int(len(plain) * 0.95)], 3),
        "with_new_seed_median_ms": round(statistics.median(reseed), 2),
    }


def _suite_s(*plugin_args: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "test_thousand.py"
        path.write_text(textwrap.dedent(_SUITE.format(tests=SUITE_TESTS)))
        (Path(tmp) / "pytest.ini").write_text("[pytest]\n")
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin_args, str(path)],
            capture_output=True,
            text=True,
            cwd=tmp,
            timeout=600,
        )
        elapsed = time.perf_counter() - t0
    summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-500:]
    return {"seconds": round(elapsed, 2), "result": summary, "ok": out.returncode == 0}


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The section's figures, each beside its target."""
    cold = _cold_ms("bare")
    cold_session = _cold_ms("session")
    reset = _reset_ms()
    # The venv holds this project's own test tools; Hypothesis's plugin alone adds ~1.5 ms to every test of any
    # suite, so the target is read without it (the figure with every installed plugin is shown beside it).
    suite = _suite_s("-p", "no:hypothesispytest")
    suite_all = _suite_s()
    return {
        "cold_start": cold,
        "cold_start_in_a_session": cold_session,
        "cold_start_target": f"<= {COLD_TARGET_MS:g} ms (best, in a session): "
        + _verdict(cold_session["best_ms"] <= COLD_TARGET_MS),
        "reset": reset,
        "reset_target": f"median <= {RESET_TARGET_MS:g} ms: {_verdict(reset['median_ms'] <= RESET_TARGET_MS)}",
        f"suite_{SUITE_TESTS}_tests": suite,
        f"suite_{SUITE_TESTS}_tests_with_every_installed_plugin": suite_all,
        "suite_target": f"<= {SUITE_TARGET_S:g} s: {_verdict(suite['ok'] and suite['seconds'] <= SUITE_TARGET_S)}",
    }
