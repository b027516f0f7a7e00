"""What every Python check script shares (standard library only: it runs under each client's own interpreter).

A check is a function that returns ``None`` (pass), raises :class:`Skip` (the client has no such feature) or
raises anything else (fail, with the exception as the reason). :func:`run` runs the checks in order, each under its
own ``SIGALRM`` timeout, and prints one ``COMPAT-RESULT {json}`` line per check on stdout, where the harness reads
them (clients are free to print anything else). The mock's URL and the timeout come from the environment:
``MOCK_URL`` and ``COMPAT_TIMEOUT`` (seconds); ``COMPAT_CHECKS=a,b`` runs only those checks (to rerun one by hand).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from types import FrameType
from typing import Any, NoReturn

MARK = "COMPAT-RESULT "
URL = os.environ.get("MOCK_URL", "http://127.0.0.1:8080")
TIMEOUT = int(os.environ.get("COMPAT_TIMEOUT", "120"))
API_KEY = "sk-compat"
MODEL = "claude-sonnet-4-6"
UNKNOWN_MODEL = "claude-compat-unknown-0"
# The harness stubs this reply for prompts containing HI_PROMPT (Claude Code and the Agent SDKs assert on it).
HI_PROMPT = "say hi"
HI_TEXT = "Hi from the mockclaude compat stub."
WEATHER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string", "description": "The city"}},
    "required": ["city"],
}

Check = Callable[[], None]


class Skip(Exception):
    """The client has no such feature: the check is reported as skipped, not failed."""


class CheckTimeout(Exception):
    """The check ran past COMPAT_TIMEOUT."""


def expect(condition: object, reason: str) -> None:
    """``assert`` that survives ``python -O``: fail the check with ``reason`` unless ``condition`` holds."""
    if not condition:
        raise AssertionError(reason)


def _alarm(signum: int, frame: FrameType | None) -> NoReturn:
    raise CheckTimeout(f"no result after {TIMEOUT} s")


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if not isinstance(error, AssertionError | CheckTimeout):
        text = f"{type(error).__name__}: {text}"
    return " ".join(text.split())[:400]


def emit(name: str, status: str, detail: str = "", seconds: float = 0.0) -> None:
    record = {"check": name, "status": status, "detail": detail, "seconds": round(seconds, 2)}
    sys.stdout.write(MARK + json.dumps(record) + "\n")
    sys.stdout.flush()


def run(checks: list[tuple[str, Check]]) -> int:
    """Run ``checks`` in order; one result line each; exit status 1 if any failed."""
    signal.signal(signal.SIGALRM, _alarm)
    failed = False
    only = set(filter(None, os.environ.get("COMPAT_CHECKS", "").split(",")))
    for name, check in checks:
        if only and name not in only:
            continue
        start = time.monotonic()
        signal.alarm(TIMEOUT)
        try:
            check()
        except Skip as skip:
            emit(name, "skip", str(skip), time.monotonic() - start)
        except BaseException as error:  # a check's failure is data; KeyboardInterrupt too
            failed = True
            traceback.print_exc(file=sys.stderr)
            emit(name, "fail", _reason(error), time.monotonic() - start)
        else:
            emit(name, "pass", "", time.monotonic() - start)
        finally:
            signal.alarm(0)
    return 1 if failed else 0
