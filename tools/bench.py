"""``make bench``: mockclaude's throughput as a ratio of a bare aiohttp handler's, measured in the same run.

Each server runs in its own process (so the load generator does not share its interpreter); the load is the same
for both: N keep-alive connections sending the same request for a fixed time. Rounds alternate bare / mock and the
best round of each is kept, which damps the noise of a shared 2-core machine.

    python -m tools.bench [--seconds 3] [--rounds 3] [--concurrency 16] [--only throughput]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import socket
import sys
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

import aiohttp
from aiohttp import web

REQUEST = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 256,
    "messages": [{"role": "user", "content": "Hello, Claude. Tell me something about the sea."}],
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


def _serve_bare(port: int, body: bytes, sse: bytes) -> None:
    """The baseline: a minimal aiohttp handler that reads the body and returns fixed bytes (validates nothing)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        data = await request.read()
        if b'"stream":true' in data or b'"stream": true' in data:
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8"})
            await response.prepare(request)
            await response.write(sse)
            await response.write_eof()
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


async def _load(url: str, body: bytes, seconds: float, concurrency: int) -> tuple[float, int]:
    """Requests per second over ``seconds`` with ``concurrency`` keep-alive connections; also error count."""
    done = 0
    errors = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            nonlocal done, errors
            async with session.post(url + "/v1/messages", data=body, headers=HEADERS) as r:
                await r.read()
                if r.status != 200:
                    errors += 1
                done += 1

        for _ in range(concurrency * 4):  # warm-up: connections, memos, tokenizer
            await one()
        done = errors = 0
        stop_at = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < stop_at:
                await one()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return done / elapsed, errors


def _fixed_bodies(url: str) -> tuple[bytes, bytes]:
    """The mock's own reply to REQUEST, as JSON and as SSE: what the bare handler will return."""

    async def fetch() -> tuple[bytes, bytes]:
        async with aiohttp.ClientSession() as s:
            async with s.post(url + "/v1/messages", data=json.dumps(REQUEST), headers=HEADERS) as r:
                body = await r.read()
            stream_req = json.dumps({**REQUEST, "stream": True})
            async with s.post(url + "/v1/messages", data=stream_req, headers=HEADERS) as r:
                sse = await r.read()
        return body, sse

    return asyncio.run(fetch())


def throughput(args: argparse.Namespace) -> dict[str, Any]:
    """Non-streaming and streaming requests/s, mock vs bare, and their ratios."""
    mock_proc, mock_url = _start(_serve_mock)
    try:
        body, sse = _fixed_bodies(mock_url)
        bare_proc, bare_url = _start(_serve_bare, body, sse)
        try:
            results: dict[str, Any] = {"deltas_per_stream": sse.count(b"event: content_block_delta")}
            for label, payload in (
                ("non_streaming", json.dumps(REQUEST).encode()),
                ("streaming", json.dumps({**REQUEST, "stream": True}).encode()),
            ):
                best = {"bare": 0.0, "mock": 0.0}
                errors = 0
                for _ in range(args.rounds):
                    for name, url in (("bare", bare_url), ("mock", mock_url)):
                        rps, errs = asyncio.run(_load(url, payload, args.seconds, args.concurrency))
                        best[name] = max(best[name], rps)
                        errors += errs
                results[label] = {
                    "bare_rps": round(best["bare"]),
                    "mock_rps": round(best["mock"]),
                    "ratio": round(best["mock"] / best["bare"], 3),
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
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
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
