"""``make drift`` (tools/drift): the SDK's facts are read statically, compared with the mock's, and printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import anthropic

from tools.drift import cli
from tools.drift.mock_facts import read_mock
from tools.drift.report import compare, table
from tools.drift.sdk_facts import normalise, read_sdk

SDK = Path(anthropic.__file__).parent
REPO = Path(__file__).resolve().parent.parent


def test_the_locked_sdk_is_read_in_every_category() -> None:
    facts = read_sdk(SDK)
    empty = [name for name, items in facts.items() if not items]
    assert not empty, f"nothing read for {empty}: the SDK moved a file the drift check reads"
    assert "POST /v1/messages" in facts["GA routes"] and "GET /v1/files/{}/content" in facts["GA routes"]
    assert {"max_tokens", "container", "output_config"} <= facts["Messages params"]
    assert (
        "web_search_20250305" in facts["tool versions"] and "text_delta" in facts["stream events and deltas"]
    )
    assert "404 file_expired" in facts["error codes"] and "claude-sonnet-4-6" in facts["model ids"]


def test_what_the_mock_knows() -> None:
    mock = read_mock()
    assert normalise("post", "/v1/skills/{skill_id}/versions") in mock["routes"]
    assert "GET /v1/models/{}" in mock["routes"] and not any("/_mock" in r for r in mock["routes"])
    assert "file_not_downloadable" in mock["literals"] and "message_delta" in mock["literals"]


def test_the_mock_knows_the_messages_surface_of_its_sdk() -> None:
    rows = {row.category: row for row in compare(read_sdk(SDK), read_mock())}
    for category in ("Messages params", "count_tokens params", "request blocks", "response blocks",
                     "tool versions", "stop reasons", "beta names", "model ids"):  # fmt: skip
        assert rows[category].missing == [], (category, rows[category].missing)
    served = {r for r in read_sdk(SDK)["GA routes"] if r.split(" ")[1].startswith(("/v1/messages", "/v1/models",
              "/v1/files", "/v1/skills"))}  # fmt: skip
    assert served and not served & set(rows["GA routes"].missing)  # Messages, Batches, Models, Files, Skills
    text = table(list(rows.values()))
    assert text.splitlines()[0].startswith("category") and "GA routes" in text


def test_make_drift_locked_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools.drift", "--locked", "--json"], capture_output=True, text=True, cwd=REPO,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"category": "GA routes"' in done.stdout
    assert (
        cli.main(["--source", str(SDK), "--strict"]) == 1
    )  # the Admin API is not served: something is missing


def test_sdk_test_failures_are_sorted_into_placeholders_and_drift() -> None:
    from tools.drift.sdk_tests import classify

    placeholder = "anthropic.NotFoundError: 404 File `file_id` not found. (request_id: r, path: /v1/files/file_id, type: x)"
    assert classify(placeholder) == "a placeholder id"
    assert (
        classify("anthropic.BadRequestError: 400 page: Invalid page cursor: page (request_id: r)") is not None
    )
    assert (
        classify("anthropic.BadRequestError: 400 after_id: Invalid model ID: after_id (request_id: r)")
        is not None
    )
    assert (
        classify("anthropic.NotFoundError: 404 File `file_011C` not found. (path: /v1/files/file_011C)")
        is None
    )
    assert classify("anthropic.InternalServerError: 500 Internal server error") is None
