"""``python -m tools.compat``: the command line (see the package docstring)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from tools.compat import oldest
from tools.compat.claude_code import run_claude_code
from tools.compat.clients import CLIENTS, Client, select
from tools.compat.envs import COMPAT, REPO, Env, InstallError, prepare
from tools.compat.mock import MockServer
from tools.compat.report import as_json, summary, table
from tools.compat.run import Report, run_client

INSTALL_WORKERS = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.compat",
        description="Install the newest release of every client the README names, each in its own environment "
        "under .compat/, and run its checks against one served mock.",
    )
    names = ", ".join(client.name for client in CLIENTS)
    parser.add_argument("--only", metavar="NAME[,NAME]", help=f"run these clients only ({names})")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--refresh", action="store_true", help="reinstall every environment from scratch")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per check (default 120)")
    parser.add_argument("--no-drift", action="store_true", help="leave out the drift section (make drift)")
    parser.add_argument(
        "--find-oldest",
        action="store_true",
        help="search the oldest anthropic 0.x with client.messages.create (the OLDEST_0X rule) and exit",
    )
    return parser


def _say(text: str) -> None:
    print(f"compat: {text}", file=sys.stderr, flush=True)


def _prepare(client: Client, refresh: bool) -> Env | str:
    try:
        env = prepare(client, refresh=refresh)
    except InstallError as error:
        _say(f"{client.name}: cannot install here: {error}")
        return f"cannot install here: {error}"
    how = "reused" if env.reused else "installed"
    how += "" if env.confirmed else " (the registry did not answer: newest not confirmed)"
    _say(f"{client.name}: {client.package} {env.version} {how} ({env.seconds:.0f} s)")
    return env


def _save_journal(mock: MockServer, name: str) -> str:
    folder = COMPAT / "journal"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(mock.journal(), indent=2, ensure_ascii=False))
    return str(path.relative_to(REPO))


def _check(client: Client, env: Env, mock: MockServer, timeout: float) -> Report:
    report = Report(
        client.name, client.label, env.version, "reused" if env.reused else f"new ({env.seconds:.0f} s)"
    )
    mock.fresh()
    runner = run_claude_code if client.runner == "claude-code" else None
    start = time.monotonic()
    report.results = run_client(env, mock.url, timeout, runner)
    if report.failed:
        report.journal = _save_journal(mock, client.name)
    _say(f"{client.name}: {report.passed} passed, {report.failed} failed in {time.monotonic() - start:.1f} s")
    return report


def run(clients: list[Client], *, refresh: bool, timeout: float) -> list[Report]:
    COMPAT.mkdir(exist_ok=True)
    with ThreadPoolExecutor(INSTALL_WORKERS) as pool:
        envs = list(pool.map(lambda client: _prepare(client, refresh), clients))
    reports = []
    with MockServer() as mock:
        _say(f"mock serving at {mock.url}")
        for client, env in zip(clients, envs, strict=True):
            if isinstance(env, str):
                reports.append(Report(client.name, client.label, env="-", error=env))
            else:
                reports.append(_check(client, env, mock, timeout))
    return reports


def _drift() -> None:
    """The drift section: what the newest 2.x SDK (the anthropic-2 environment) knows that the mock does not."""
    from tools.drift import cli as drift
    from tools.drift import source

    sdk = source.from_env(COMPAT / "anthropic-2")
    if sdk is not None:
        print()
        print(drift.section(sdk))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.find_oldest:
        return oldest.main()
    try:
        clients = select(args.only)
    except ValueError as error:
        _parser().error(str(error))
    start = time.monotonic()
    reports = run(clients, refresh=args.refresh, timeout=args.timeout)
    seconds = time.monotonic() - start
    if args.json:
        print(as_json(reports, seconds))
    else:
        print(table(reports))
        print(summary(reports, seconds))
        if not args.no_drift:
            _drift()
    return 1 if any(report.failed for report in reports) else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
