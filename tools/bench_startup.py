"""``make bench`` section "startup": from a fresh process to the first served ``POST /v1/messages``.

Four fresh processes, alternated round by round (best and median of each are kept, which damps the noise of a
shared machine), all answering the same request on 127.0.0.1:

* ``library_ms``: ``python -c`` that imports mockclaude, builds the app, starts a ServerThread and gets one answer
  (the figure of issue 3, target ≤ 300 ms; the interpreter's own start is not counted). Its breakdown (imports,
  app, request) is printed too.
* ``serve_ms``: ``python -m mockclaude serve --port P`` from spawn to the first answer, interpreter start included
  (what a developer or CI script waits for).
* ``floor_aiohttp_ms``: the library script's shape with a bare aiohttp handler instead of mockclaude.
* ``floor_stack_ms``: the same bare server, plus what the required stack costs before any mockclaude logic:
  pydantic imported with one model validated, and the claude-v1 tiktoken ``Encoding`` built. ``overhead_ms`` is
  ``library_ms - floor_stack_ms``: what mockclaude itself adds (its modules, the request models, the pipeline).

Every process runs from compiled bytecode, as an installed package does: the package is byte-compiled first, so
``PYTHONDONTWRITEBYTECODE`` in the environment does not turn the figure into a compile-time measure.

    python -m tools.bench --only startup
"""

from __future__ import annotations

import argparse
import compileall
import http.client
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SECTION = "startup"
TARGETS = {"library_ms": 300.0}
REPO = Path(__file__).resolve().parent.parent
REQUEST = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "Hello"}]}
HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}

# One request on a fresh connection, the answer read to the end; shared by the three in-process scripts.
_ASK = f"""
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
conn.request("POST", "/v1/messages", {json.dumps(json.dumps(REQUEST))}, {HEADERS!r})
response = conn.getresponse()
assert response.status == 200 and response.read()
t3 = time.perf_counter()
print(json.dumps({{"imports": (t1 - t0) * 1000, "app": (t2 - t1) * 1000, "request": (t3 - t2) * 1000,
                  "total": (t3 - t0) * 1000}}))
"""

_LIBRARY = """
import time
t0 = time.perf_counter()
import http.client, json
from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app
from mockclaude.server.runner import ServerThread
t1 = time.perf_counter()
app = create_app(Settings(seed=0))
t2 = time.perf_counter()
with ServerThread(app) as server:
    port = server.port
""" + "\n".join("    " + line for line in _ASK.strip().splitlines())

_BARE = (
    """
import time
t0 = time.perf_counter()
import asyncio, http.client, json, threading
from aiohttp import web
STACK
t1 = time.perf_counter()

async def handler(request):
    await request.read()
    return web.json_response({"type": "message"})

app = web.Application()
app.router.add_post("/v1/messages", handler)
t2 = time.perf_counter()
ready = threading.Event()
ports = []

async def serve():
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    ports.append(site._server.sockets[0].getsockname()[1])
    ready.set()
    await asyncio.Event().wait()

threading.Thread(target=asyncio.run, args=(serve(),), daemon=True).start()
ready.wait()
port = ports[0]
"""
    + _ASK
)

# The required stack's own start-up: pydantic imported and one model validated (its first validator loads
# pydantic's plugin registry, as in any pydantic program), and the claude-v1 BPE built by tiktoken from the
# shipped data (as any tokenizer-based implementation must).
_STACK = """
from pydantic import BaseModel
class Ping(BaseModel):
    model: str
Ping.model_validate({"model": "claude"})
from mockclaude.tokenize.backends import _load_claude_v1
_load_claude_v1()
"""


def _python(code: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1])
    result: dict[str, float] = json.loads(out.stdout)
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve_once() -> dict[str, float]:
    """Spawn ``python -m mockclaude serve`` and time it to the first answer (connection retried each ms)."""
    port = _free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockclaude", "serve", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"mockclaude serve exited with {proc.returncode}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.connect()
                break
            except OSError:
                time.sleep(0.001)
        conn.request("POST", "/v1/messages", json.dumps(REQUEST), HEADERS)
        response = conn.getresponse()
        if response.status != 200 or not response.read():
            raise RuntimeError(f"mockclaude serve answered {response.status}")
        return {"total": (time.perf_counter() - start) * 1000}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure and return the figures (best and median of ``args.rounds``, at least 5), with the target."""
    rounds = max(5, getattr(args, "rounds", 5))
    compileall.compile_dir(str(REPO / "mockclaude"), quiet=1)  # as installed: from bytecode, not source
    probes: dict[str, Callable[[], dict[str, float]]] = {
        "library": lambda: _python(_LIBRARY),
        "serve": _serve_once,
        "floor_aiohttp": lambda: _python(_BARE.replace("STACK", "")),
        "floor_stack": lambda: _python(_BARE.replace("STACK", _STACK)),
    }
    for (
        probe
    ) in probes.values():  # one unmeasured run each: the OS page cache, not the code, differs at first
        probe()
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in probes}
    for _ in range(rounds):
        for name, probe in probes.items():
            runs[name].append(probe())
    results: dict[str, Any] = {}
    for name, measured in runs.items():
        best = min(measured, key=lambda r: r["total"])
        results[f"{name}_ms"] = round(best["total"], 1)
        results[f"{name}_median_ms"] = round(statistics.median(r["total"] for r in measured), 1)
        if name == "library":
            results["library_breakdown_ms"] = {k: round(v, 1) for k, v in best.items() if k != "total"}
    results["overhead_ms"] = round(results["library_ms"] - results["floor_stack_ms"], 1)
    results["targets_ms"] = TARGETS
    results["met"] = {k: results[k] <= v for k, v in TARGETS.items()}
    return results


if __name__ == "__main__":
    report = run(argparse.Namespace(rounds=5))
    for key, value in report.items():
        print(f"{key}: {value}")
