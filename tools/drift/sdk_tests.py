"""``make sdk-tests``: the newest SDK's own ``tests/api_resources`` against a served mock.

The SDK's generated tests call every method with placeholder values (``file_id="file_id"``, ``page="page"``,
``files=[b"Example data"]``) against a mock server at ``TEST_API_BASE_URL`` that accepts anything. Against this
mock, as against the real API, a placeholder the API would reject fails the test: those failures are expected and
sorted out by :data:`PLACEHOLDERS`; every other failure is drift. The tests run from the release's sdist (the
wheel has no tests) in ``.compat/sdk-tests``, a uv venv with the SDK and its test tools.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

from tools.compat.clients import Client
from tools.compat.envs import COMPAT, InstallError, prepare, python_of
from tools.compat.mock import MockServer
from tools.drift.source import sdist

__all__ = ["PLACEHOLDERS", "TEST_FILES", "classify", "main"]

TEST_FILES = (
    "tests/api_resources/test_messages.py",
    "tests/api_resources/messages",
    "tests/api_resources/test_models.py",
    "tests/api_resources/test_files.py",
    "tests/api_resources/test_skills.py",
    "tests/api_resources/skills",
)
TEST_TOOLS = (
    "anthropic[aiohttp]", "pytest", "pytest-asyncio", "pytest-xdist", "respx", "inline-snapshot",
    "http-snapshot[httpx]==0.1.9", "dirty-equals", "time-machine",
)  # fmt: skip
CLIENT = Client("sdk-tests", "anthropic", "anthropic>=2,<3", "python", "python", "", (), TEST_TOOLS)
_IDS = ("file_id", "skill_id", "version", "model_id", "message_batch_id")
PLACEHOLDERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b404\b.*path: /v1/\S*\b(" + "|".join(_IDS) + r")\b"), "a placeholder id"),
    (re.compile(r"\b400 (after_id|before_id|page): .*\b\1\b"), "a placeholder cursor"),
    (
        re.compile(r"\b400 ids: cannot be combined"),
        "ids with page and limit, which the SDK says exclude each other",
    ),
    (re.compile(r"\b400 files: every file needs a filename"), "a skill of bare bytes, without a SKILL.md"),
    (
        re.compile(r"\b400 tools\.\d+\.custom: .*additionalProperties"),
        "a strict tool with a placeholder schema",
    ),
)
"""Failures the real API would cause too: a message pattern and why."""


def classify(message: str) -> str | None:
    """Why a failure is expected (a placeholder the API rejects), or ``None`` when it is not."""
    return next((why for pattern, why in PLACEHOLDERS if pattern.search(message)), None)


def _results(report: Path) -> dict[str, Counter[str]]:
    """Per test file: ``passed``, ``skipped``, ``placeholder`` and ``other`` counts, plus each other message."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for case in ET.parse(report).iter("testcase"):
        name = (case.get("classname") or "").replace(".", "/").split("/Test")[0] + ".py"
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if case.find("skipped") is not None:
            out[name]["skipped"] += 1
        elif failure is None:
            out[name]["passed"] += 1
        elif classify(failure.get("message", "")) is not None:
            out[name]["placeholder"] += 1
        else:
            out[name]["other"] += 1
            out[name]["! " + re.sub(r"req_\w+", "req_…", failure.get("message", ""))[:200]] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.drift.sdk_tests", description=__doc__)
    parser.add_argument("--refresh", action="store_true", help="reinstall .compat/sdk-tests from scratch")
    args = parser.parse_args(argv)
    try:
        env = prepare(CLIENT, refresh=args.refresh)
    except InstallError as error:
        print(f"sdk-tests: cannot install here: {error}", file=sys.stderr)
        return 2
    unpacked = sdist(env.version)
    if unpacked is None:
        print(f"sdk-tests: no sdist of anthropic {env.version} (its tests ship only there)", file=sys.stderr)
        return 2
    report = COMPAT / "sdk-tests-report.xml"
    with MockServer() as mock:
        command = [str(python_of(env.path)), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                   f"--junitxml={report}", *TEST_FILES]  # fmt: skip
        environ = {**os.environ, "TEST_API_BASE_URL": mock.url}
        subprocess.run(command, cwd=unpacked, env=environ, capture_output=True, text=True, timeout=1800)
    results = _results(report)
    print(f"sdk-tests: anthropic {env.version}'s tests/api_resources against the mock")
    print(f"{'file':44} passed  placeholder  other  skipped")
    for name in sorted(results):
        r = results[name]
        print(f"{name:44} {r['passed']:6}  {r['placeholder']:11}  {r['other']:5}  {r['skipped']:7}")
        for key in sorted(k for k in r if k.startswith("! ")):
            print(f"    ✗ {r[key]}x {key[2:]}")
    print(
        "placeholder: the test sends a value the real API rejects too ("
        + "; ".join(w for _, w in PLACEHOLDERS)
        + ")"
    )
    return 1 if any(r["other"] for r in results.values()) else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
