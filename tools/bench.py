"""``make bench``: mockclaude's throughput as a ratio of a bare aiohttp handler's, measured in the same run.

Each server runs in its own process and the load comes from wrk (Debian's package), 2 threads and 64 keep-alive
connections by default, in four cases: the same body, a different body on every request (a counter in the user
text: what no memo can serve), and both streaming. Rounds alternate bare / mock and the best round of each is
kept, which damps the noise of a shared 2-core machine; the mock's p50 and p99 latency come from that round.

    python -m tools.bench [--seconds 5] [--rounds 3] [--concurrency 64] [--only throughput]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

import aiohttp
from aiohttp import web

REQUEST = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 256,
    "messages": [{"role": "user", "content": "Say hi"}],  # the issue's small request (issue 16's table)
}
HEADERS = {"x-api-key": "sk-bench", "anthropic-version": "2023-06-01", "content-type": "application/json"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(app: web.Application, port: int) -> None:
    """Serve ``app`` as ``mockclaude serve`` does (AppRunner + TCPSite; ``web.run_app`` measured ~40 % slower
    here for both servers, so neither uses it)."""

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await asyncio.Event().wait()

    asyncio.run(main())


def _serve_mock(port: int) -> None:
    from mockclaude.pipeline import Settings
    from mockclaude.server.app import create_app

    _serve(create_app(Settings(seed=0)), port)


def _serve_bare(port: int, replies: dict[str, tuple[bytes, bytes]]) -> None:
    """The baseline: a minimal aiohttp handler that reads the body and returns fixed bytes (validates nothing):
    the mock's own reply (JSON or SSE) to the case whose marker word the body holds."""

    async def handler(request: web.Request) -> web.StreamResponse:
        data = await request.read()
        body, sse = next((pair for marker, pair in replies.items() if marker.encode() in data), replies["hi"])
        if b'"stream":true' in data or b'"stream": true' in data:
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8"})
            await response.prepare(request)
            try:
                await response.write(sse)
                await response.write_eof()
            except ConnectionResetError:  # wrk closes its connections when a run ends
                pass
            return response
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/messages", handler)
    _serve(app, port)


def _start(target: Callable[..., None], *args: Any) -> tuple[BaseProcess, str]:
    port = _free_port()
    proc = mp.get_context("spawn").Process(target=target, args=(port, *args), daemon=True)
    proc.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


# wrk scripts: the same body every time, or a body whose user text carries a per-thread counter (what real test
# suites send, and what no memo can serve). Both post to /v1/messages with the bench headers.
_WRK_SAME = """
wrk.method = "POST"
wrk.body = BODY
wrk.headers["content-type"] = "application/json"
wrk.headers["x-api-key"] = "sk-bench"
wrk.headers["anthropic-version"] = "2023-06-01"
"""
_WRK_UNIQUE = """
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  tid = wrk.thread:get("tid")
end
request = function()
  counter = counter + 1
  local body = string.gsub(BODY, "UNIQUE", tid .. "-" .. counter)
  return wrk.format("POST", "/v1/messages", {["content-type"] = "application/json",
    ["x-api-key"] = "sk-bench", ["anthropic-version"] = "2023-06-01"}, body)
end
"""


def wrk_available() -> bool:
    """Whether Debian's ``wrk`` is on PATH (``make bench`` installs it when missing)."""
    return shutil.which("wrk") is not None


def _lua_string(data: bytes) -> str:
    return "[==[" + data.decode() + "]==]"


def _wrk(url: str, body: bytes, seconds: float, concurrency: int, unique: bool) -> dict[str, float]:
    """One wrk run: requests/s, p50 and p99 latency (ms), and the count of errors (non-2xx, socket errors)."""
    script = (_WRK_UNIQUE if unique else _WRK_SAME).replace("BODY", _lua_string(body))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{concurrency}",
                f"-d{max(1, round(seconds))}s",
                "--latency",
                "-s",
                f.name,
                url + "/v1/messages",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {"rps": rps, "p50_ms": _percentile(out, "50"), "p99_ms": _percentile(out, "99"), "errors": errors}


def _percentile(out: str, which: str) -> float:
    found = re.search(rf"^\s+{which}%\s+([\d.]+)(us|ms|s)\s*$", out, flags=re.M)
    if found is None:
        return float("nan")
    value, unit = float(found.group(1)), found.group(2)
    return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)


def _fixed_bodies(url: str, text: str) -> tuple[bytes, bytes]:
    """The mock's own reply to REQUEST with this user text, as JSON and as SSE: what the bare handler returns."""

    async def fetch() -> tuple[bytes, bytes]:
        request = {**REQUEST, "messages": [{"role": "user", "content": text}]}
        async with aiohttp.ClientSession() as s:
            async with s.post(url + "/v1/messages", data=json.dumps(request), headers=HEADERS) as r:
                body = await r.read()
            async with s.post(
                url + "/v1/messages", data=json.dumps({**request, "stream": True}), headers=HEADERS
            ) as r:
                sse = await r.read()
        return body, sse

    return asyncio.run(fetch())


# (label, stream, user text): "UNIQUE" becomes a per-request counter. "Say hi" is answered with a greeting; the
# prose case measures a generated answer of the default effort's length.
CASES = (
    ("same_body", False, "Say hi"),
    ("unique_body", False, "Say hi UNIQUE"),
    ("unique_prose", False, "Tell me about the sea, UNIQUE"),
    ("streaming", True, "Say hi"),
    ("streaming_unique", True, "Tell me about the sea, UNIQUE"),
)


def throughput(args: argparse.Namespace) -> dict[str, Any]:
    """wrk (2 threads, ``--concurrency`` connections) against the mock and a bare aiohttp handler, round by round,
    in four cases: the same body, a unique body per request, and both streaming. Ratios of the best rounds; the
    mock's p50 / p99 of its best round."""
    if not wrk_available():
        raise SystemExit("make bench needs wrk (Debian's package: apt-get install wrk)")
    mock_proc, mock_url = _start(_serve_mock)
    try:
        replies = {
            "hi": _fixed_bodies(mock_url, "Say hi"),
            "sea": _fixed_bodies(mock_url, "Tell me about the sea, 0"),
        }
        bare_proc, bare_url = _start(_serve_bare, replies)
        try:
            results: dict[str, Any] = {
                f"deltas_per_stream_{marker}": sse.count(b"event: content_block_delta")
                for marker, (_, sse) in replies.items()
            }
            for label, stream, text in CASES:
                request = {**REQUEST, "stream": True} if stream else dict(REQUEST)
                request["messages"] = [{"role": "user", "content": text}]
                payload = json.dumps(request).encode()
                unique = "UNIQUE" in text
                best: dict[str, dict[str, float]] = {}
                errors = 0
                for _ in range(args.rounds):
                    for name, url in (("bare", bare_url), ("mock", mock_url)):
                        run = _wrk(url, payload, args.seconds, args.concurrency, unique)
                        errors += int(run["errors"])
                        if run["rps"] > best.get(name, {"rps": 0.0})["rps"]:
                            best[name] = run
                results[label] = {
                    "bare_rps": round(best["bare"]["rps"]),
                    "mock_rps": round(best["mock"]["rps"]),
                    "ratio": round(best["mock"]["rps"] / best["bare"]["rps"], 3),
                    "mock_p50_ms": best["mock"]["p50_ms"],
                    "mock_p99_ms": best["mock"]["p99_ms"],
                    "errors": errors,
                }
            return results
        finally:
            bare_proc.kill()
    finally:
        mock_proc.kill()


SECTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {"throughput": throughput}


def _discover() -> None:
    """Sections of other features live in ``tools/bench_<name>.py``, each with ``SECTION`` and ``run(args)``."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"tools.{info.name}")
            SECTIONS[module.SECTION] = module.run


_discover()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark sections and print their results (and a JSON line for tooling)."""
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS))
    args = parser.parse_args(argv)
    print(f"mockclaude bench on {os.cpu_count()} cores, python {sys.version.split()[0]}")
    report: dict[str, Any] = {}
    for name in args.only or list(SECTIONS):
        t0 = time.perf_counter()
        report[name] = SECTIONS[name](args)
        print(f"\n[{name}] ({time.perf_counter() - t0:.1f} s)")
        for key, value in report[name].items():
            print(f"  {key}: {value}")
    print("\nJSON " + json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
