"""Running one client's checks against the mock, each bounded in time, and collecting named results.

Python and Node checks run as one child process per client (``python -m tools.compat.checks.X`` under the
client's own interpreter, or ``node X.mjs`` inside its npm prefix); each check in it has its own timeout
(``COMPAT_TIMEOUT``), and the harness kills the whole process group at ``timeout * (checks + 1)`` whatever
happens. A check the process never reported (a crash, an import error, the outer timeout) is a failure whose
reason is the process's last words.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.compat.checks._protocol import API_KEY, MARK
from tools.compat.envs import REPO, Env, python_of

CHECKS_DIR = Path(__file__).resolve().parent / "checks"
_SCRUBBED = ("ANTHROPIC_", "OPENAI_", "CLAUDE_", "LITELLM_", "AWS_", "GOOGLE_", "VERTEX")


@dataclass
class CheckResult:
    name: str
    status: str  # pass, fail or skip
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Report:
    name: str
    label: str
    version: str = ""
    env: str = ""  # "reused", "installed in 12 s", or why it could not be installed
    results: list[CheckResult] = field(default_factory=list)
    error: str = ""  # the row could not run at all
    journal: str = ""  # where the mock's journal was saved when a check failed

    @property
    def passed(self) -> int:
        return sum(result.status == "pass" for result in self.results)

    @property
    def failed(self) -> int:
        return sum(result.status == "fail" for result in self.results) + (1 if self.error else 0)

    @property
    def skipped(self) -> int:
        return sum(result.status == "skip" for result in self.results)


def child_env(url: str, home: Path, timeout: float) -> dict[str, str]:
    """The environment of every client process: the mock's URL, a scratch HOME, no credentials or proxies."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith(_SCRUBBED) and not key.lower().endswith("_proxy")
    }
    env.update(
        MOCK_URL=url,
        COMPAT_TIMEOUT=str(int(timeout)),
        HOME=str(home),
        PYTHONPATH=str(REPO),
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        ANTHROPIC_BASE_URL=url,
        ANTHROPIC_API_KEY=API_KEY,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
        DISABLE_TELEMETRY="1",
        DISABLE_ERROR_REPORTING="1",
        DISABLE_AUTOUPDATER="1",
        LITELLM_LOCAL_MODEL_COST_MAP="True",
    )
    return env


@dataclass
class Finished:
    returncode: int | None  # None: killed at the deadline
    stdout: str
    stderr: str


def run_bounded(argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> Finished:
    """Run ``argv`` in its own process group; kill the group at ``timeout`` and, in any case, once it ends."""
    proc = subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
        returncode: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        stdout, stderr = proc.communicate()
        returncode = None
    _kill_group(proc.pid)  # whatever it left behind (a CLI's helpers, a tool's shell)
    return Finished(returncode, stdout, stderr)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def last_words(finished: Finished, timeout: float) -> str:
    if finished.returncode is None:
        return f"killed after {timeout:.0f} s"
    lines = [line.strip() for line in finished.stderr.splitlines() if line.strip()]
    tail = lines[-1] if lines else "no output"
    return f"exit status {finished.returncode}: {tail}"[:400]


def parse_results(stdout: str) -> list[CheckResult]:
    results = []
    for line in stdout.splitlines():
        if line.startswith(MARK):
            record: dict[str, Any] = json.loads(line[len(MARK) :])
            results.append(
                CheckResult(
                    record["check"], record["status"], record.get("detail", ""), record.get("seconds", 0)
                )
            )
    return results


def complete(expected: tuple[str, ...], results: list[CheckResult], why: str) -> list[CheckResult]:
    """The results in the declared order; a declared check that never reported fails with ``why``."""
    by_name = {result.name: result for result in results}
    ordered = [by_name.pop(name, CheckResult(name, "fail", f"not reported ({why})")) for name in expected]
    return ordered + list(by_name.values())


def run_script(env: Env, url: str, timeout: float, home: Path) -> list[CheckResult]:
    client = env.client
    if client.runner == "python":
        argv, cwd = [str(python_of(env.path)), "-m", client.check], home
    else:
        for script in (client.check, "_protocol.mjs"):  # Node resolves packages from the script's folder
            shutil.copyfile(CHECKS_DIR / script, env.path / script)
        argv, cwd = ["node", str(env.path / client.check)], env.path
    outer = timeout * (len(client.checks) + 1)
    finished = run_bounded(argv, child_env(url, home, timeout), cwd, outer)
    return complete(client.checks, parse_results(finished.stdout), last_words(finished, outer))


ScratchRun = Callable[[Env, str, float, Path], list[CheckResult]]


def run_client(env: Env, url: str, timeout: float, runner: ScratchRun | None = None) -> list[CheckResult]:
    """Every check of one client, with a scratch HOME (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix=f"compat-{env.client.name}-") as scratch:
        return (runner or run_script)(env, url, timeout, Path(scratch))
