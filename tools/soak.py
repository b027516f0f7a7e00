"""``make soak``: unique requests for a long while against a served mock; memory must stay flat, latency tight.

A real ``mockclaude serve`` runs on loopback; ``wrk`` sends ``POST /v1/messages`` with a unique body each time
(``tools/soak.lua``: no memo or cache can hide a leak) for ``--duration`` seconds, while the server's RSS is read
from ``/proc`` every ``--sample`` seconds. The run passes when, after ``--warmup``, the RSS stays within 10 % of
its value at the end of the warm-up, wrk's p99 latency is at most 3 times its median, and no request failed.

    python -m tools.soak [--duration 600] [--warmup 120] [--sample 30] [--connections 8]

Needs ``wrk`` on the PATH (Debian: ``apt-get install wrk``). Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools.served import start_serve

LUA = Path(__file__).with_name("soak.lua")
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def rss_mb(pid: int) -> float:
    """The resident set size of ``pid`` in MB (``/proc/PID/status`` VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def parse_wrk(out: str) -> dict[str, float]:
    """Requests, errors and the latency percentiles (ms) of ``wrk --latency`` output."""
    found: dict[str, float] = {}
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M):
        found[f"p{pct}"] = float(value) * _UNITS[unit]
    total = re.search(r"(\d+) requests in", out)
    found["requests"] = float(total.group(1)) if total else 0.0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    found["errors"] = float(non2xx.group(1) if non2xx else 0) + sum(
        float(n) for n in (sockets.groups() if sockets else ())
    )
    return found


def main(argv: list[str] | None = None) -> int:
    """``make soak``: serve, load with wrk, sample RSS, check; 1 when a check fails."""
    parser = argparse.ArgumentParser(prog="python -m tools.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=120)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("make soak needs wrk on the PATH (apt-get install wrk)", file=sys.stderr)
        return 2
    served = start_serve()
    if served is None:
        print("mockclaude serve did not start", file=sys.stderr)
        return 1
    proc, url = served
    samples: list[tuple[float, float]] = []
    try:
        load = subprocess.Popen(
            [wrk, "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s", str(LUA), url],
            stdout=subprocess.PIPE,
            text=True,
        )
        start = time.monotonic()
        while load.poll() is None:
            samples.append((time.monotonic() - start, rss_mb(proc.pid)))
            print(f"{samples[-1][0]:6.0f} s  RSS {samples[-1][1]:7.1f} MB", flush=True)
            with contextlib.suppress(subprocess.TimeoutExpired):
                load.wait(timeout=args.sample)
        out = load.stdout.read() if load.stdout else ""
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(out)
    stats = parse_wrk(out)
    after = [mb for t, mb in samples if t >= args.warmup]
    base = after[0] if after else (samples[-1][1] if samples else 0.0)
    drift = max((abs(mb - base) / base for mb in after), default=0.0) if base else 0.0
    p50, p99 = stats.get("p50", 0.0), stats.get("p99", 0.0)
    checks = {
        f"RSS flat after {args.warmup} s (within 10 %: {drift:.1%} from {base:.0f} MB)": drift <= 0.10,
        f"p99 {p99:.1f} ms <= 3 x median {p50:.1f} ms": p99 <= 3 * p50,
        f"no errors ({stats['errors']:.0f} of {stats['requests']:.0f} requests)": stats["errors"] == 0,
    }
    for text, ok in checks.items():
        print(("ok   " if ok else "FAIL ") + text)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
