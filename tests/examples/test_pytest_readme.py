"""The README's pytest examples (```py blocks headed by their path) are the files in tests/examples/, verbatim.

They are shown as ```py, not ```python, because they are test modules for pytest to run (they are collected
right here), not snippets for test_readme.py to exec.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```py\n# (tests/examples/\S+\.py)\n(.*?)```", README, flags=re.S)


def test_readme_shows_the_pytest_examples() -> None:
    shown = {path for path, _ in BLOCKS}
    files = {f"tests/examples/{p.name}" for p in (ROOT / "tests/examples").glob("test_pytest_*.py")}
    assert shown == files - {"tests/examples/test_pytest_readme.py"}


@pytest.mark.parametrize(("path", "text"), BLOCKS, ids=[path for path, _ in BLOCKS])
def test_readme_block_is_the_file(path: str, text: str) -> None:
    assert text == (ROOT / path).read_text()
