"""The slim server install, as a new user gets it: ``make serve``'s environment and the built wheel carry the
run-time dependencies only, serve a real request, and the pytest plugin costs nothing where pytest is absent.

Everything here runs offline: ``uv sync --frozen`` reads the lock and the local uv cache (filled by ``make test``'s
own sync), and the wheel is built with the locked setuptools from that cache.
"""

from __future__ import annotations

import email.parser
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serve_proc import BANNER

REPO = Path(__file__).resolve().parents[1]
UV = REPO / ".tools" / "bin" / "uv"

#: What `make serve` must never bring along (issue 11): the test and lint toolchain.
DEV_ONLY = {
    "pytest",
    "pytest-aiohttp",
    "pytest-xdist",
    "mypy",
    "ruff",
    "hypothesis",
    "faker",
    "openai",
    "anthropic",
}
#: The run-time dependencies named in pyproject.toml.
RUNTIME = {"aiohttp", "pydantic", "tiktoken", "orjson", "pyyaml", "regex"}

pytestmark = pytest.mark.skipif(not UV.exists(), reason="the pinned uv is installed by `make install`")


def offline_env() -> dict[str, str]:
    return {**os.environ, "UV_OFFLINE": "1", "UV_NO_PROGRESS": "1", "UV_PYTHON": sys.executable}


def installed(python: Path) -> set[str]:
    out = subprocess.run(
        [str(UV), "pip", "list", "--python", str(python), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        env=offline_env(),
    )
    return {row["name"].lower() for row in json.loads(out.stdout)}


@pytest.fixture(scope="module")
def serve_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The environment ``make serve`` builds, made by the Makefile itself into a scratch folder."""
    venv = tmp_path_factory.mktemp("serve") / "venv"
    subprocess.run(
        ["make", "-s", "serve-env", f"SERVE_VENV={venv}", f"PYTHON={sys.executable}"],
        cwd=REPO,
        check=True,
        capture_output=True,
        env=offline_env(),
    )
    yield venv / "bin" / "python"


def serve_one_request(python: Path, cwd: Path) -> dict[str, object]:
    """Start ``python -m mockclaude serve`` from that interpreter, send one Messages request, stop it."""
    proc = subprocess.Popen(
        [str(python), "-m", "mockclaude", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
    )
    try:
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            if BANNER in line:
                url = line.split(" at ")[1].split()[0]
                break
        assert url, "no banner"
        body = {
            "model": "claude-sonnet-4-6",
            "max_tokens": 16,
            "messages": [{"role": "user", "content": "hi"}],
        }
        request = urllib.request.Request(
            url + "/v1/messages",
            data=json.dumps(body).encode(),
            headers={
                "x-api-key": "sk-slim",
                "anthropic-version": "2023-06-01",
                "content-type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            result: dict[str, object] = json.load(response)
        return result
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_make_serve_installs_the_run_time_dependencies_only(serve_env: Path, tmp_path: Path) -> None:
    names = installed(serve_env)
    assert not names & DEV_ONLY, names & DEV_ONLY
    assert names >= RUNTIME and "mockclaude" in names
    reply = serve_one_request(serve_env, tmp_path)
    assert reply["type"] == "message" and reply["content"][0]["type"] == "text"


def test_the_plugin_costs_nothing_without_pytest(serve_env: Path, tmp_path: Path) -> None:
    """The pytest11 entry point is declared, but only pytest reads it: the package and its facade import and
    work where pytest is not installed."""
    code = (
        "import importlib.metadata as md, sys, mockclaude;"
        "eps = [e.value for e in md.entry_points(group='pytest11') if e.name == 'mockclaude'];"
        "mock = mockclaude.MockClaude(); mock.start(); mock.stop();"
        "print(eps, 'pytest' in sys.modules, 'mockclaude.testing.plugin' in sys.modules)"
    )
    out = subprocess.run(
        [str(serve_env), "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert out.stdout.split() == ["['mockclaude.testing.plugin']", "False", "False"], out.stdout + out.stderr


def test_the_wheel_names_only_the_run_time_dependencies(serve_env: Path, tmp_path: Path) -> None:
    """``pip install mockclaude`` from the built wheel installs what its Requires-Dist names: the six run-time
    packages, no extras. Installed in place of the editable project into the slim environment, it is complete
    (``uv pip check``) and serves."""
    subprocess.run(
        [str(UV), "build", "--wheel", "--quiet", "-o", str(tmp_path / "dist")],
        cwd=REPO,
        check=True,
        capture_output=True,
        env=offline_env(),
    )
    (wheel,) = (tmp_path / "dist").glob("mockclaude-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        metadata_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(zf.read(metadata_name).decode())
        names = zf.namelist()
    requires = metadata.get_all("Requires-Dist") or []
    assert {re.split(r"[<>=!~ ;\[]", r, maxsplit=1)[0].lower() for r in requires} == RUNTIME, requires
    assert not metadata.get_all("Provides-Extra")
    assert any(n.startswith("mockclaude/tokenize/data/") for n in names)  # the tokenizer ships inside
    static = {f"mockclaude/server/inspector/static/inspector.{ext}" for ext in ("html", "css", "js")}
    assert static <= set(names)  # the inspector's page (GET /_mock/ui)

    # A copy of the slim environment with the editable project swapped for the wheel, installed with no
    # resolution: what the wheel finds there must be all it needs. (A venv copy runs as `bin/python -m`.)
    env = tmp_path / "wheel-env"
    shutil.copytree(serve_env.parents[1], env, symlinks=True)
    venv_python = env / "bin" / "python"
    uv = [str(UV), "pip", "--quiet"]
    subprocess.run(
        [*uv, "uninstall", "--python", str(venv_python), "mockclaude"], check=True, env=offline_env()
    )
    subprocess.run(
        [*uv, "install", "--python", str(venv_python), "--no-deps", str(wheel)], check=True, env=offline_env()
    )
    subprocess.run([*uv, "check", "--python", str(venv_python)], check=True, env=offline_env())
    assert not installed(venv_python) & DEV_ONLY
    reply = serve_one_request(venv_python, tmp_path)
    assert reply["content"]


@pytest.mark.parametrize("lock", ["tests/ts/package-lock.json", "tests/cc/package-lock.json"])
def test_npm_locks_pin_every_package_with_its_hash(lock: str) -> None:
    """`npm ci` checks what it downloads against these; a lock written without them would check nothing."""
    packages = json.loads((REPO / lock).read_text())["packages"]
    installed = {name: meta for name, meta in packages.items() if name.startswith("node_modules/")}
    assert installed and all(meta.get("version") and meta.get("integrity") for meta in installed.values())


def test_uv_lock_pins_every_registry_package_with_hashes() -> None:
    import tomllib

    lock = tomllib.loads((REPO / "uv.lock").read_text())
    registry = [p for p in lock["package"] if "registry" in p.get("source", {})]
    assert len(registry) > 50
    for package in registry:
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        assert files and all(f["hash"].startswith("sha256:") for f in files), package["name"]
