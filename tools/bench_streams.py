"""``make bench`` section "streams": many concurrent paced streams in one server process, and departed clients.

1. ``--streams`` (default 10,000) clients open a connection each, wait at a barrier, then all ask for a short
   streamed reply at once from a server running with latency on (``time_scale`` 1: the catalog's time to first
   token and tokens per second). Every stream must complete (``message_stop`` received, no error); the server's
   peak RSS (VmHWM) and the most streams it was pacing at once are reported. Target: peak RSS <= 1 GiB.
2. ``--drops`` (default 1,000) clients read the first event of a stream and hang up. Afterwards the server must
   have no stream left and no more asyncio tasks than before (``GET /_mock/debug``).

The server runs in its own process; the load comes from several processes speaking raw HTTP/1.1 over asyncio
streams (lighter than any client library, so the two cores go to the server). The soft limit on open files is
raised to the hard limit in every process.

    python -m tools.bench --only streams [--streams 10000] [--drops 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import socket
import time
import urllib.request
from typing import Any

SECTION = "streams"
TARGET_RSS_MIB = 1024
MODEL = "claude-sonnet-4-6"
LOAD_PROCESSES = 4


def _raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _serve(port: int) -> None:
    _raise_fd_limit()
    from aiohttp import web

    from mockclaude.pipeline import Settings
    from mockclaude.server.app import create_app

    app = create_app(Settings(seed=0, time_scale=1.0))
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None, backlog=16_384)


def _request(text: str) -> bytes:
    body = json.dumps(
        {"model": MODEL, "max_tokens": 12, "stream": True, "messages": [{"role": "user", "content": text}]}
    ).encode()
    head = (
        "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: sk-bench\r\n"
        f"anthropic-version: 2023-06-01\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _one(port: int, payload: bytes, start: asyncio.Event, drop: bool) -> str:
    """One client: connect, wait for the barrier, stream; "ok", "dropped" or what went wrong."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        return f"connect: {exc.__class__.__name__}"
    try:
        await start.wait()
        writer.write(payload)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            return "status: " + head.split(b"\r\n", 1)[0].decode()
        if drop:
            await reader.readuntil(b"event: message_start")
            writer.transport.abort()  # hang up mid-stream, without a goodbye
            return "dropped"
        body = await reader.readuntil(b"\r\n0\r\n\r\n")  # the last chunk of a chunked body
        return "ok" if b"event: message_stop" in body else "incomplete"
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        return f"io: {exc.__class__.__name__}"
    finally:
        writer.close()


def _load(port: int, count: int, offset: int, drop: bool, go_at: float, out: Any) -> None:
    """A load process: ``count`` clients, all released at wall time ``go_at``."""
    _raise_fd_limit()

    async def main() -> list[str]:
        start = asyncio.Event()
        tasks = [
            asyncio.ensure_future(_one(port, _request(f"short reply please {offset + i}"), start, drop))
            for i in range(count)
        ]
        await asyncio.sleep(max(go_at - time.time(), 0))
        start.set()
        return await asyncio.gather(*tasks)

    results = asyncio.run(main())
    summary: dict[str, int] = {}
    for r in results:
        summary[r] = summary.get(r, 0) + 1
    out.put(summary)


def _run_clients(port: int, total: int, drop: bool, ramp: float) -> tuple[dict[str, int], float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    per = [total // LOAD_PROCESSES + (1 if i < total % LOAD_PROCESSES else 0) for i in range(LOAD_PROCESSES)]
    go_at = time.time() + ramp  # time for every process to start and open its connections
    procs = [
        ctx.Process(target=_load, args=(port, n, sum(per[:i]), drop, go_at, queue), daemon=True)
        for i, n in enumerate(per)
    ]
    for proc in procs:
        proc.start()
    merged: dict[str, int] = {}
    for _ in procs:
        for key, n in queue.get(timeout=300).items():
            merged[key] = merged.get(key, 0) + n
    elapsed = time.time() - go_at
    for proc in procs:
        proc.join(timeout=30)
    return merged, elapsed


def _debug(port: int) -> dict[str, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_mock/debug", timeout=10) as r:
        result: dict[str, int] = json.load(r)
        return result


def _status(pid: int) -> dict[str, int]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0]) // 1024  # kB -> MiB
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The section's figures (see the module docstring)."""
    streams = getattr(args, "streams", None) or 10_000
    drops = getattr(args, "drops", None) or 1_000
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = mp.get_context("spawn").Process(target=_serve, args=(port,), daemon=True)
    server.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _debug(port)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.05)
        _run_clients(port, 50, False, 1.0)  # warm-up: tokenizer, faker, memo
        rss_before = _status(server.pid or 0)["VmRSS"]
        results, wall = _run_clients(port, streams, False, 8.0)
        after_streams = _debug(port)
        memory = _status(server.pid or 0)
        baseline = after_streams["tasks"]
        dropped, _ = _run_clients(port, drops, True, 3.0)
        deadline = time.monotonic() + 15
        state = _debug(port)
        while (state["active_streams"] or state["tasks"] > baseline) and time.monotonic() < deadline:
            time.sleep(0.1)
            state = _debug(port)
        errors = {k: v for k, v in results.items() if k != "ok"}
        drop_errors = {k: v for k, v in dropped.items() if k != "dropped"}
        return {
            "streams": streams,
            "completed": results.get("ok", 0),
            "errors": errors or 0,
            "wall_s": round(wall, 1),
            "peak_concurrent_streams": after_streams["peak_streams"],
            "server_rss_before_mib": rss_before,
            "server_peak_rss_mib": memory["VmHWM"],
            "target_rss_mib": TARGET_RSS_MIB,
            "rss_ok": memory["VmHWM"] <= TARGET_RSS_MIB,
            "dropped_clients": dropped.get("dropped", 0),
            "drop_errors": drop_errors or 0,
            "tasks_before_drops": baseline,
            "tasks_after_drops": state["tasks"],
            "active_streams_after_drops": state["active_streams"],
            "leaked_tasks": max(state["tasks"] - baseline, 0),
            "server_saw_disconnects": state["disconnects"],
            "fd_limit": _raise_fd_limit(),
        }
    finally:
        server.kill()
        server.join(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="bench_streams")
    parser.add_argument("--streams", type=int, default=10_000)
    parser.add_argument("--drops", type=int, default=1_000)
    print(json.dumps(run(parser.parse_args()), indent=2))
    os._exit(0)
