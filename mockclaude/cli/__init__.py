"""The command line: ``mockclaude serve`` (also ``python -m mockclaude``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mockclaude import __version__
from mockclaude.cli.parser import build_parser

if TYPE_CHECKING:
    from aiohttp import web

    from mockclaude.record.config import RecordConfig
    from mockclaude.server.guard import ServerLimits

# Only argument parsing happens at import: `serve` starts building the tokenizer on a helper thread first and
# imports the server (aiohttp, pydantic, the request models) while it builds. See `tokenize.encoding.preload`.

FIXTURE_POLL_SECONDS = 1.0  # how often serve --fixtures looks for changed script files

BANNER = """\
mockclaude {version} serving the Claude Messages API at {url}  (seed {seed})

  export ANTHROPIC_BASE_URL={url}
  export ANTHROPIC_API_KEY=sk-mock

  python - <<'PY'
  import anthropic
  client = anthropic.Anthropic(base_url="{url}", api_key="sk-mock")
  message = client.messages.create(model="claude-sonnet-4-6", max_tokens=256,
                                   messages=[{{"role": "user", "content": "Hello"}}])
  print(message.content[0].text)
  PY

Watch the requests live in a browser: {url}/_mock/ui
Press Ctrl+C to stop."""


def _check_fault_flags(args: argparse.Namespace) -> None:
    """Reject bad --time-scale, --rate-limit and --chaos values with a one-line ValueError."""
    from mockclaude.defaults import MAX_BATCH_SECONDS, MAX_TIME_SCALE
    from mockclaude.limits.tiers import limit_table

    if not 0 <= args.time_scale < float("inf"):  # inf would pace every reply for ever
        raise ValueError("--time-scale must be a finite number >= 0")
    if args.time_scale > MAX_TIME_SCALE:
        raise ValueError(f"--time-scale must be at most {MAX_TIME_SCALE:g}")
    if not args.batch_seconds >= 0:
        raise ValueError("--batch-seconds must be >= 0")
    if args.batch_seconds > MAX_BATCH_SECONDS:
        raise ValueError(f"--batch-seconds must be at most {MAX_BATCH_SECONDS:g}")
    if not 0 <= args.chaos <= 1:
        raise ValueError("--chaos must be between 0 and 1")
    if args.rate_limit is not None:
        limit_table(args.rate_limit)  # a bad tier name fails here, naming the choices


def _script_root(args: argparse.Namespace) -> str:
    """Where admin callers may load scripts from: ``--script-root``, else the ``--fixtures`` folder (a file's
    folder), else the working directory."""
    if args.script_root:
        return str(args.script_root)
    if args.fixtures:
        fixtures = str(args.fixtures)
        return fixtures if os.path.isdir(fixtures) else os.path.dirname(os.path.abspath(fixtures))
    return os.getcwd()


def serve(args: argparse.Namespace) -> int:
    """Run the server in the foreground until SIGINT/SIGTERM, then shut down cleanly."""
    # The request models are the only pydantic models this process builds, and none needs a pydantic plugin;
    # skipping the plugin scan (every installed distribution's entry points) saves ~15 ms of start-up. An
    # explicit setting in the environment wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from mockclaude.tokenize.encoding import TokenizerUnavailableError, get_counter, preload

    preload(args.tokenizer)  # builds on a helper thread while the server's modules import below
    import asyncio

    from aiohttp import web  # noqa: F401 - first: its CA-bundle read (no GIL) is what the build overlaps

    from mockclaude.engine.issues import ScriptError
    from mockclaude.model.catalog import CatalogError, get_catalog
    from mockclaude.pipeline import Settings
    from mockclaude.server.app import create_app
    from mockclaude.server.guard import ServerLimits

    catalog = None
    if args.models:
        catalog = get_catalog().copy()  # the process-wide catalog stays as shipped
        try:
            for path in args.models:
                catalog.add_file(path)
        except CatalogError as exc:
            print(f"mockclaude: {exc}", file=sys.stderr)
            return 2
    try:
        get_counter(
            args.tokenizer
        )  # waits for the helper; a bad --tokenizer is a one-line error, no traceback
    except (ValueError, TokenizerUnavailableError) as exc:
        print(f"mockclaude: {exc}", file=sys.stderr)
        return 2
    try:
        _check_fault_flags(args)
    except ValueError as exc:
        print(f"mockclaude: {exc}", file=sys.stderr)
        return 2
    organizations: dict[str, str] = {}
    for pair in args.organizations:
        key, sep, org = pair.partition("=")
        if not (sep and key and org):
            print(f"mockclaude: --organization takes KEY=ORG, got {pair!r}", file=sys.stderr)
            return 2
        organizations[key] = org
    settings = Settings(
        catalog=catalog,
        seed=args.seed,
        api_keys=frozenset(args.api_keys) if args.api_keys else None,
        any_model=args.any_model,
        tokenizer=args.tokenizer,
        cache_max_entries=args.cache_max_entries,
        cache_ttft_scale=args.cache_ttft_scale,
        time_scale=args.time_scale,
        rate_limits=args.rate_limit,
        chaos=args.chaos or None,
        admin_token=args.admin_token,
        allowed_hosts=frozenset(name.strip().lower().strip("[]") for name in args.allow_hosts),
        fixtures=args.fixtures,
        script_root=_script_root(args),
        strict=args.strict,
        batch_seconds=args.batch_seconds,
        tool_use=args.tool_use,
        recount=args.recount,
        organizations=organizations or None,
        one_organization=args.one_organization,
    )
    try:
        record = _record_config(args)
    except ValueError as exc:
        print(f"mockclaude: {exc}", file=sys.stderr)
        return 2
    if record is not None:
        settings.any_model = True  # a recording names the upstream's models, which this catalog may not know
    if args.cache_max_entries < 1 or args.cache_ttft_scale < 0:
        print("mockclaude: --cache-max-entries must be >= 1 and --cache-ttft-scale >= 0", file=sys.stderr)
        return 2
    from mockclaude.server.recorder import RecorderError

    try:
        app = create_app(settings, path_prefix=args.path_prefix, record=record)
    except ScriptError as exc:
        print(f"mockclaude: cannot load --fixtures {args.fixtures}:", file=sys.stderr)
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        return 1
    except RecorderError as exc:
        print(f"mockclaude: {exc}", file=sys.stderr)
        return 2
    for flag in ("head_timeout", "body_timeout", "shutdown_grace"):
        if not 0 <= getattr(args, flag) < float("inf"):
            print(f"mockclaude: --{flag.replace('_', '-')} must be a finite number >= 0", file=sys.stderr)
            return 2
    if args.max_connections is not None and args.max_connections < 1:
        print("mockclaude: --max-connections must be >= 1", file=sys.stderr)
        return 2
    limits = ServerLimits(
        head_timeout=args.head_timeout,
        body_timeout=args.body_timeout,
        max_connections=args.max_connections,
        shutdown_grace=args.shutdown_grace,
    )
    try:
        asyncio.run(_serve_until_signal(app, args.host, args.port, args.seed, limits))
    except OSError as exc:
        print(f"mockclaude: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print("mockclaude stopped.", flush=True)
    return 0


def _record_config(args: argparse.Namespace) -> RecordConfig | None:
    """The recording session the flags ask for (None: none); a ValueError for flags that do not fit."""
    if args.record is None:
        if args.upstream is not None:
            raise ValueError("--upstream needs --record DIR (where the recordings go)")
        return None
    from mockclaude.record.config import RecordConfig

    return RecordConfig(
        path=Path(args.record),
        mode=args.record_mode,
        upstream=args.upstream,
        upstream_key=args.upstream_key,
        redact=tuple(args.redact),
        redact_paths=tuple(args.redact_path),
    )


async def _serve_until_signal(
    app: web.Application, host: str, port: int, seed: int, limits: ServerLimits
) -> None:
    import asyncio
    import signal

    from aiohttp import web

    from mockclaude.script.watch import FixtureWatcher
    from mockclaude.server.app import PIPELINE, error_body_for
    from mockclaude.server.guard import guarded_runner
    from mockclaude.server.recorder import RECORDER

    runner = guarded_runner(app, limits, error_body_for(app), access_log=None)
    await runner.setup()
    tasks: list[asyncio.Task[None]] = []
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        server = site._server  # the bound socket tells the real port when --port 0 was asked
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            port = sockets[0].getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        print(BANNER.format(version=__version__, url=f"http://{url_host}:{port}", seed=seed), flush=True)
        pipeline = app[PIPELINE]
        recorder = app[RECORDER]
        if recorder.config is not None:
            print(recorder.describe(), flush=True)
        if pipeline.settings.fixtures:  # reload on change; a broken edit keeps the last good script
            # The registry is looked up at each reload: a seed change rebuilds the pipeline and its registry.
            watcher = FixtureWatcher(lambda: pipeline.engine.stubs, pipeline.settings.fixtures)
            tasks.append(asyncio.create_task(watcher.run(FIXTURE_POLL_SECONDS)))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await runner.cleanup()


def validate_scripts(paths: Sequence[str]) -> int:
    """``mockclaude validate PATH...``: print every problem (file:line: stub 'name' at path: message); exit 1 if any."""
    from mockclaude.script.check import validate as check_scripts

    report = check_scripts(paths)
    for issue in report.issues:
        print(issue)
    files = f"{report.files} file{'s' * (report.files != 1)}"
    if not report.ok:
        count = len(report.issues)
        print(f"{count} problem{'s' * (count != 1)} in {files}", file=sys.stderr)
        return 1
    print(f"ok: {report.stubs} stub{'s' * (report.stubs != 1)} in {files}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mockclaude`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "validate":
        return validate_scripts(args.paths)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
