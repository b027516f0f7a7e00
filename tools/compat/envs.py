"""One environment per client under ``.compat/``: created, reused while it holds the newest release, refreshed.

Python clients get a uv venv (``uv venv``, then ``uv pip install <package>==<newest> <extras>``), Node clients an
npm prefix (``npm install --prefix``). "Newest" is what the registry's own client resolves for the client's spec:
``uv pip compile`` (so ``anthropic>=1,<2`` gives the newest 1.x) or ``npm view <package>@latest version``. An
environment whose installed version already equals it is reused, so a second run installs nothing; ``--refresh``
rebuilds every environment from scratch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tools.compat.clients import Client

REPO = Path(__file__).resolve().parents[2]
COMPAT = REPO / ".compat"
UV = REPO / ".tools" / "bin" / "uv"
INSTALL_TIMEOUT = 900.0
LOOKUP_TIMEOUT = 120.0


class InstallError(Exception):
    """The client cannot be installed here; the message says why in one line."""


@dataclass
class Env:
    client: Client
    path: Path
    version: str
    reused: bool
    seconds: float
    confirmed: bool = True  # False: the registry did not answer, so "newest" is what was already there


def _uv_env() -> dict[str, str]:
    return {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1", "VIRTUAL_ENV": ""}


def _run(argv: list[str], timeout: float, *, stdin: str | None = None, cwd: Path | None = None) -> str:
    """Run a registry or install command; its stdout, or an :class:`InstallError` with the last line it wrote."""
    try:
        done = subprocess.run(
            argv, input=stdin, capture_output=True, text=True, timeout=timeout, env=_uv_env(), cwd=cwd
        )
    except subprocess.TimeoutExpired as error:
        raise InstallError(f"{Path(argv[0]).name} {argv[1]}: no answer after {timeout:.0f} s") from error
    except OSError as error:
        raise InstallError(f"{argv[0]}: {error}") from error
    if done.returncode != 0:
        lines = [line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        last = " | ".join(lines[-3:]) if lines else f"exit status {done.returncode}"
        raise InstallError(f"{Path(argv[0]).name} {' '.join(argv[1:3])}: {last}"[:500])
    return done.stdout


def newest(client: Client) -> str:
    """The release the registry resolves for the client's spec."""
    if client.kind == "node":
        out = _run(["npm", "view", f"{client.package}@{client.spec}", "version", "--json"], LOOKUP_TIMEOUT)
        version = json.loads(out)
        return str(version[-1] if isinstance(version, list) else version)
    out = _run(
        [str(UV), "pip", "compile", "-", "--no-deps", "--no-header", "--no-annotate", "--quiet",
         "--python-version", f"{sys.version_info.major}.{sys.version_info.minor}"],
        LOOKUP_TIMEOUT,
        stdin=client.spec + "\n",
    )  # fmt: skip
    match = re.search(rf"^{re.escape(client.package)}==(\S+)$", out, re.MULTILINE | re.IGNORECASE)
    if match is None:
        raise InstallError(f"uv pip compile {client.spec!r} gave no version: {out.strip()[:200]}")
    return match.group(1)


def python_of(path: Path) -> Path:
    return path / "bin" / "python"


def installed(client: Client, path: Path) -> str | None:
    """The client's version installed in ``path``, or ``None``."""
    if client.kind == "node":
        manifest = path / "node_modules" / client.package / "package.json"
        try:
            return str(json.loads(manifest.read_text())["version"])
        except (OSError, ValueError, KeyError):
            return None
    if not python_of(path).exists():
        return None
    probe = f"import importlib.metadata as m; print(m.version({client.package!r}))"
    try:
        done = subprocess.run([str(python_of(path)), "-c", probe], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _install_python(client: Client, path: Path, version: str) -> None:
    if not python_of(path).exists():
        _run([str(UV), "venv", "--quiet", "--clear", str(path), "--python", "python3"], INSTALL_TIMEOUT)
    spec = f"{client.package}=={version}"
    _run(
        [str(UV), "pip", "install", "--quiet", "--python", str(python_of(path)), spec, *client.extras],
        INSTALL_TIMEOUT,
    )


def _install_node(client: Client, path: Path, version: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    _run(
        ["npm", "install", "--prefix", str(path), f"{client.package}@{version}", "--no-audit", "--no-fund",
         "--loglevel=error"],
        INSTALL_TIMEOUT,
    )  # fmt: skip
    if client.runner == "claude-code":
        verify_claude_code(path, version)


def claude_binary(path: Path) -> Path:
    return path / "node_modules" / ".bin" / "claude"


def verify_claude_code(path: Path, version: str) -> None:
    """The npm package is a stub until its postinstall links the native binary: check that it really runs."""
    try:
        with tempfile.TemporaryDirectory(prefix="compat-home-") as home:
            done = subprocess.run(
                [str(claude_binary(path)), "--version"],
                capture_output=True,
                text=True,
                timeout=60,
                env={**_uv_env(), "HOME": home, "DISABLE_AUTOUPDATER": "1"},
            )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InstallError(f"claude --version: {error}") from error
    if done.returncode != 0 or version not in done.stdout:
        said = " ".join((done.stdout + done.stderr).split())[:300]
        raise InstallError(f"the native binary does not run (claude --version: {said})")


def prepare(client: Client, *, refresh: bool) -> Env:
    """The client's environment, holding its newest release; reused when it already does."""
    start = time.monotonic()
    path = COMPAT / client.name
    have = None if refresh else installed(client, path)
    confirmed = True
    try:
        want = newest(client)
    except InstallError:
        if have is None:
            raise
        want, confirmed = (
            have,
            False,
        )  # the registry did not answer: keep what is there rather than fail the row
    if have == want:
        if client.runner == "claude-code":
            verify_claude_code(path, want)
        return Env(client, path, want, True, time.monotonic() - start, confirmed)
    if refresh and path.exists():
        shutil.rmtree(path)
    if client.kind == "node":
        _install_node(client, path, want)
    else:
        _install_python(client, path, want)
    got = installed(client, path)
    if got != want:
        raise InstallError(f"installed {client.package} {got}, wanted {want}")
    return Env(client, path, want, False, time.monotonic() - start)
