"""The command line: ``mockclaude serve`` (also ``python -m mockclaude``)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

from aiohttp import web

from mockclaude import __version__
from mockclaude.pipeline import Settings
from mockclaude.server.app import create_app

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

Press Ctrl+C to stop."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs test)."""
    parser = argparse.ArgumentParser(prog="mockclaude", description="Offline stand-in for the Claude API.")
    parser.add_argument("--version", action="version", version=f"mockclaude {__version__}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    serve.add_argument("--seed", type=int, default=0, help="seed for ids, signatures and generated text")
    serve.add_argument("--fixtures", metavar="DIR", help="directory of script files to load")
    serve.add_argument(
        "--api-key", action="append", dest="api_keys", metavar="KEY",
        help="accept only this key (repeatable); default: any non-empty key",
    )
    serve.add_argument("--any-model", action="store_true", help="accept unknown model ids (nearest family)")
    serve.add_argument("--tokenizer", default="claude-v1", help="claude-v1 | cl100k_base | o200k_base | chars | file:PATH")
    serve.add_argument("--path-prefix", default="", help="also serve the API under this path prefix")
    return parser


def serve(args: argparse.Namespace) -> int:
    """Run the server in the foreground until SIGINT/SIGTERM, then shut down cleanly."""
    settings = Settings(
        seed=args.seed,
        api_keys=frozenset(args.api_keys) if args.api_keys else None,
        any_model=args.any_model,
        tokenizer=args.tokenizer,
    )
    app = create_app(settings, path_prefix=args.path_prefix)
    try:
        asyncio.run(_serve_until_signal(app, args.host, args.port, args.seed))
    except OSError as exc:
        print(f"mockclaude: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print("mockclaude stopped.", flush=True)
    return 0


async def _serve_until_signal(app: web.Application, host: str, port: int, seed: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        server = site._server  # the bound socket tells the real port when --port 0 was asked
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            port = sockets[0].getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        print(BANNER.format(version=__version__, url=f"http://{url_host}:{port}", seed=seed), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mockclaude`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
