"""The command line's arguments: ``mockclaude serve`` and ``mockclaude validate`` (no server import here, so
``--help`` and argument errors stay fast; tests/test_cli.py checks it)."""

from __future__ import annotations

import argparse
import os

from mockclaude import __version__
from mockclaude.defaults import DEFAULT_MAX_ENTRIES, RECORD_MODES, UPSTREAM_KEY_ENV


def _port(text: str) -> int:
    """A TCP port for argparse: 0-65535 (a bad one is argparse's usage error, exit 2, not a traceback)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {port}")
    return port


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs test)."""
    parser = argparse.ArgumentParser(prog="mockclaude", description="Offline stand-in for the Claude API.")
    parser.add_argument("--version", action="version", version=f"mockclaude {__version__}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8080, help="port (default 8080; 0 picks a free one)")
    serve.add_argument("--seed", type=int, default=0, help="seed for ids, signatures and generated text")
    serve.add_argument(
        "--fixtures",
        metavar="DIR",
        help="script file or directory of stubs to load (reloaded when a file changes)",
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        dest="allow_hosts",
        metavar="NAME",
        default=[],
        help="let the /_mock/ admin routes answer this Host / Origin name too (repeatable; default: loopback "
        "names only: localhost, 127.0.0.1, [::1])",
    )
    serve.add_argument(
        "--script-root",
        metavar="DIR",
        help="the folder POST /_mock/script and reset may load script files from (default: the --fixtures folder, "
        "else the working directory)",
    )
    serve.add_argument(
        "--strict",
        action="store_true",
        help="answer requests no stub matches with a 400 naming the nearest stubs (default: generate a reply)",
    )
    serve.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this key (repeatable); default: any non-empty key",
    )
    serve.add_argument("--any-model", action="store_true", help="accept unknown model ids (nearest family)")
    serve.add_argument(
        "--models",
        action="append",
        metavar="FILE",
        default=[],
        help='add or override models from a JSON file ({"models": [...]} as models.json; repeatable)',
    )
    serve.add_argument(
        "--tokenizer", default="claude-v1", help="claude-v1 | cl100k_base | o200k_base | chars | file:PATH"
    )
    serve.add_argument("--path-prefix", default="", help="also serve the API under this path prefix")
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        default=os.environ.get("MOCKCLAUDE_ADMIN_TOKEN") or None,
        help="let callers with this token use the /_mock/ admin routes from any address (default: loopback "
        "callers only; also read from MOCKCLAUDE_ADMIN_TOKEN)",
    )
    serve.add_argument(
        "--cache-max-entries",
        type=int,
        default=DEFAULT_MAX_ENTRIES,
        metavar="N",
        help=f"prompt-cache entries kept, least recently used evicted first (default {DEFAULT_MAX_ENTRIES})",
    )
    serve.add_argument(
        "--cache-ttft-scale",
        type=float,
        default=0.0,
        metavar="X",
        help="a cache entry becomes readable X model times-to-first-token after its write (default 0)",
    )
    serve.add_argument(
        "--time-scale",
        type=float,
        default=0.0,
        metavar="X",
        help="pace replies at X times each model's real latency (1 feels like production; default 0: no waits)",
    )
    serve.add_argument(
        "--rate-limit",
        metavar="TIER",
        help="rate-limit per API key: tier1..tier4, start, build, scale, or RPM,ITPM,OTPM[,COUNT_TOKENS_RPM] "
        "(default: off)",
    )
    serve.add_argument(
        "--chaos",
        type=float,
        default=0.0,
        metavar="RATE",
        help="fail this share of requests (0-1) with a seeded mix of 429, 529, 500 and stream faults",
    )
    serve.add_argument(
        "--batch-seconds",
        type=float,
        default=0.0,
        metavar="S",
        help="a Message Batch ends S seconds after its creation (default 0: by the next read)",
    )
    serve.add_argument(
        "--tool-use",
        choices=("intent", "always"),
        default="intent",
        help="generated replies call a tool when the conversation asks for one (intent, default), "
        "or on every user question when tools are offered (always: the old rule)",
    )
    record = serve.add_argument_group("record and replay (README: Record and replay)")
    record.add_argument(
        "--upstream",
        metavar="URL",
        help="an Anthropic-compatible API to record through (https://api.anthropic.com, a gateway, a proxy)",
    )
    record.add_argument(
        "--record",
        metavar="DIR",
        help="cassette directory (or .yaml/.json file): replayed, and new recordings are written to it",
    )
    record.add_argument(
        "--record-mode",
        choices=RECORD_MODES,
        default="once",
        help="none: replay only, a miss is a 400; once (default): record if the cassette does not exist yet, "
        "else replay only; new_episodes: replay, and record what is missing; all: record everything afresh",
    )
    record.add_argument(
        "--upstream-key",
        metavar="KEY",
        help=f"key sent upstream in place of the client's (default: ${UPSTREAM_KEY_ENV}, else the client's own)",
    )
    record.add_argument(
        "--redact",
        action="append",
        default=[],
        metavar="REGEX",
        help="also redact what this regular expression matches, in headers and bodies (repeatable)",
    )
    record.add_argument(
        "--redact-path",
        action="append",
        default=[],
        metavar="JSONPATH",
        help="also redact the value at this JSON path of request and response bodies, e.g. $.metadata.user_id",
    )
    record.add_argument(
        "--recount",
        action="store_true",
        help="replays return the usage of the mock's tokenizer and cache simulator, not the recorded usage",
    )
    serve.add_argument(
        "--organization",
        action="append",
        dest="organizations",
        metavar="KEY=ORG",
        default=[],
        help="put API key KEY in organization ORG (repeatable): keys of one organization share their Message "
        "Batches (default: each key is an organization of its own)",
    )
    serve.add_argument(
        "--one-organization",
        action="store_true",
        help="treat every API key as one organization (every key sees every batch)",
    )
    serve.add_argument(
        "--head-timeout",
        type=float,
        default=15.0,
        metavar="S",
        help="close a connection whose request head is not complete in S seconds (slow clients; default 15)",
    )
    serve.add_argument(
        "--body-timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="answer 400 request_body_timeout to a body not complete in S seconds (default 60)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=None,
        metavar="N",
        help="answer 529 to connections past N open ones (default: the open-file limit less 64)",
    )
    serve.add_argument(
        "--shutdown-grace",
        type=float,
        default=5.0,
        metavar="S",
        help="on SIGINT/SIGTERM, let open requests and streams finish for S seconds, then close them (default 5)",
    )
    check = sub.add_parser("validate", help="check script files and report every problem")
    check.add_argument("paths", nargs="+", metavar="PATH", help="script files or directories")
    return parser
