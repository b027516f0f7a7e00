"""Script files: YAML with located errors, ``mockclaude validate``, the shipped JSON Schema, reloading, README."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anthropic
import jsonschema
import pytest
import yaml

import mockclaude.script  # noqa: F401  (registers the YAML reader)
from mockclaude.engine.issues import ScriptError
from mockclaude.engine.registry import StubRegistry
from mockclaude.engine.stubs import check_file, compile_stub
from mockclaude.script.check import validate
from mockclaude.script.schema import SCHEMA_PATH, schema_text
from mockclaude.script.watch import FixtureWatcher
from mockclaude.script.yamlio import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

BROKEN = """\
version: 1
stubs:
  - name: good
    reply:
      text: fine
  - name: typo-city
    mach:
      model: claude-sonnet-4-6
    reply:
      content:
        - type: text
          txt: hello
  - reply:
      text: "{{ last_user_txt }}"
      stop_reason: finished
  - name: bad-sequence
    sequence:
      - error: {type: overloaded_error, headers: {retry-after: [1]}}
"""


def test_yaml_errors_name_file_line_stub_and_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    with pytest.raises(ScriptError) as info:
        StubRegistry().load(path)
    lines = [str(issue) for issue in info.value.issues]
    assert lines == [
        f"{path}:7: stub 'typo-city' at mach: unknown stub key 'mach'; allowed: name, description, priority, match, "
        "reply, sequence, exhausted, times, ordered, scenario, requires, sets",
        f"{path}:12: stub 'typo-city' at reply.content[0].txt: unknown key 'txt' in a text block; allowed: type, "
        "text, citations",
        f"{path}:14: stub 'stubs[2]' at reply.text: template {{{{ last_user_txt }}}}: unknown name 'last_user_txt'; "
        "known: " + ", ".join(__import__("mockclaude.engine.templates", fromlist=["ROOTS"]).ROOTS),
        f"{path}:15: stub 'stubs[2]' at reply.stop_reason: unknown stop_reason 'finished'; allowed: end_turn, "
        "max_tokens, stop_sequence, tool_use, pause_turn, refusal, model_context_window_exceeded",
        f"{path}:18: stub 'bad-sequence' at sequence[0].error.headers.retry-after: a header value is a string or a "
        "number",
        f"{path}:16: stub 'bad-sequence' at exhausted: a sequence needs exhausted: one of error, repeat_last, "
        "fallthrough (is required)",
    ]


def test_unparsable_yaml_and_file_level_problems(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("version: 1\nstubs: [\n")
    (tmp_path / "b.yml").write_text("version: 2\nstub: []\n")
    (tmp_path / "c.json").write_text('{"version": 1, "stubs": [{"reply": {"text": 1}}]}')
    report = validate([tmp_path])
    text = [str(i) for i in report.issues]
    assert report.files == 3 and not report.ok
    assert text[0].startswith(f"{tmp_path / 'a.yaml'}:3: not valid YAML")
    assert f"{tmp_path / 'b.yml'}:2: at stub: unknown top-level key 'stub'" in text[1]
    assert "version: 1 (got 2)" in text[2]
    assert text[3] == f"{tmp_path / 'c.json'}: stub 'stubs[0]' at reply.text: expected a string"


def test_validate_command_exit_codes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    out = subprocess.run(
        [sys.executable, "-m", "mockclaude", "validate", str(broken), str(FIXTURES)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    printed = out.stdout.strip().splitlines()
    assert len(printed) == 6
    assert all(line.startswith(f"{broken}:") for line in printed)
    assert "stub 'typo-city' at mach" in printed[0]
    assert "6 problems in 6 files" in out.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "mockclaude", "validate", str(FIXTURES)], capture_output=True, text=True
    )
    assert ok.returncode == 0 and ok.stdout.startswith("ok: ")


def test_shipped_schema_is_current_valid_and_accepts_the_fixtures() -> None:
    assert SCHEMA_PATH.read_text() == schema_text(), "run: python -m mockclaude.script.schema --write"
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(FIXTURES.glob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        assert list(validator.iter_errors(yaml.safe_load(path.read_text()))) == [], path
    assert list(validator.iter_errors(yaml.safe_load(BROKEN)))  # the schema also rejects the broken file


def test_watcher_reloads_and_keeps_the_last_good_script(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    script = tmp_path / "s.yaml"
    script.write_text("version: 1\nstubs:\n  - name: v1\n    reply: {text: one}\n")
    registry = StubRegistry()
    registry.add({"name": "from-api", "reply": {"text": "api"}})
    registry.load(tmp_path)
    watcher = FixtureWatcher(registry, tmp_path)
    assert watcher.poll() is False  # nothing changed
    script.write_text("version: 1\nstubs:\n  - name: v2\n    reply: {text: two}\n")
    os.utime(script, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert watcher.poll() is True
    assert [s["name"] for s in registry.list()] == ["from-api", "v2"]
    script.write_text("version: 1\nstubs:\n  - name: v3\n    reply: {txt: three}\n")
    os.utime(script, ns=(time.time_ns(), time.time_ns() + 2 * 10**9))
    assert watcher.poll() is False
    assert [s["name"] for s in registry.list()] == ["from-api", "v2"]  # the broken edit changed nothing
    assert "not reloaded" in caplog.text and "unknown key 'txt'" in caplog.text
    (tmp_path / "extra.yaml").write_text("version: 1\nstubs:\n  - name: v4\n    reply: {text: four}\n")
    script.unlink()
    assert watcher.poll() is True
    assert [s["name"] for s in registry.list()] == ["from-api", "v4"]


def test_watcher_follows_a_rebuilt_registry(tmp_path: Path) -> None:
    """A seed change rebuilds the pipeline and its registry: reloads must land in the current one."""
    script = tmp_path / "s.yaml"
    script.write_text("version: 1\nstubs:\n  - name: v1\n    reply: {text: one}\n")
    current = [StubRegistry()]
    watcher = FixtureWatcher(lambda: current[0], tmp_path)
    current[0] = StubRegistry()  # rebuilt after the watcher started
    script.write_text("version: 1\nstubs:\n  - name: v2\n    reply: {text: two}\n")
    os.utime(script, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert watcher.poll() is True
    assert [s["name"] for s in current[0].list()] == ["v2"]


def test_serve_fixtures_reloads_on_change(tmp_path: Path) -> None:
    script = tmp_path / "live.yaml"
    script.write_text("version: 1\nstubs:\n  - name: live\n    reply: {text: before}\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockclaude", "serve", "--port", "0", "--fixtures", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = ""
        while not url:
            line = proc.stdout.readline()
            assert line, "server exited"
            if " at http" in line:
                url = line.split(" at ")[1].split()[0]
        client = anthropic.Anthropic(base_url=url, api_key="k", max_retries=0)

        def text() -> str:
            block = client.messages.create(
                model="claude-sonnet-4-6", max_tokens=20, messages=[{"role": "user", "content": "x"}]
            ).content[0]
            assert block.type == "text"
            return block.text

        assert text() == "before"
        script.write_text("version: 1\nstubs:\n  - name: live\n    reply: {text: after}\n")
        deadline = time.monotonic() + 15
        while text() != "after":  # the watcher polls once a second
            assert time.monotonic() < deadline
            time.sleep(0.1)
        script.write_text("version: 1\nstubs:\n  - name: live\n    reply: {txt: broken}\n")
        time.sleep(1.5)  # give the watcher a poll at the broken file
        assert text() == "after"  # the last good script keeps serving
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "not reloaded" in out and "unknown key 'txt'" in out


def test_serve_refuses_broken_fixtures(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("version: 1\nstubs:\n  - reply: {txt: x}\n")
    out = subprocess.run(
        [sys.executable, "-m", "mockclaude", "serve", "--port", "0", "--fixtures", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert "cannot load --fixtures" in out.stderr and "unknown key 'txt'" in out.stderr


README_YAML = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


def test_readme_has_yaml_examples() -> None:
    assert len(README_YAML) >= 3


@pytest.mark.parametrize("index", range(len(README_YAML)))
def test_readme_yaml_block_loads(index: int) -> None:
    source = f"README.md yaml block {index}"
    doc = parse_yaml(README_YAML[index], source)
    data: Any = doc.data
    if isinstance(data, dict) and "version" in data:  # a whole script file
        entries = check_file(data, source, doc.lines)
    else:  # a single stub, or a list of stubs
        entries = [(entry, None) for entry in (data if isinstance(data, list) else [data])]
    assert entries
    for entry, issues in entries:
        from mockclaude.engine.issues import Issues

        found = issues or Issues(source=source)
        assert compile_stub(entry, found, "stub", source) is not None, [str(i) for i in found.items]
