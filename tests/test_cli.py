"""``mockclaude serve`` as a user runs it: banner with the URL, health, a request, clean shutdown on signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import anthropic
import pytest

from tests import rawhttp
from tests.serve_proc import start_serve


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_banner_health_request_and_clean_shutdown(sig: int) -> None:
    proc, url = start_serve("--seed", "7", "--api-key", "sk-one")
    try:
        assert url.startswith("http://127.0.0.1:")
        assert rawhttp.request("GET", url + "/_mock/health").status == 200
        client = anthropic.Anthropic(base_url=url, api_key="sk-one", max_retries=0)
        msg = client.messages.create(
            model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "x"}]
        )
        assert msg.content
        with pytest.raises(anthropic.AuthenticationError):
            anthropic.Anthropic(base_url=url, api_key="sk-two", max_retries=0).messages.create(
                model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "x"}]
            )
    finally:
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "mockclaude stopped." in out
    assert "Traceback" not in out


def test_python_dash_m_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mockclaude", "serve", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    for flag in ("--host", "--port", "--seed", "--fixtures", "--api-key"):
        assert flag in out.stdout


def test_console_script_is_installed() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "mockclaude")
    out = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("mockclaude ")


def test_argument_parsing_imports_no_server_code() -> None:
    # `serve` starts building the tokenizer before the server's imports (aiohttp, pydantic), so that the build
    # overlaps them; that only works while parsing the command line imports neither.
    code = (
        "import sys, mockclaude.cli as cli; cli.build_parser().parse_args(['serve', '--port', '0']);"
        "print(sorted(m for m in ('aiohttp', 'pydantic', 'tiktoken', 'mockclaude.pipeline') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_bad_tokenizer_is_a_one_line_error() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockclaude",
            "serve",
            "--port",
            "0",
            "--tokenizer",
            "file:/nonexistent.tiktoken",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.startswith("mockclaude: ") and out.stderr.count("\n") == 1, out.stderr
    assert "Traceback" not in out.stderr
