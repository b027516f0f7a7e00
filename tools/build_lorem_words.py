"""Regenerate ``mockclaude/engine/data/lorem_en_US.txt``: faker's en_US lorem vocabulary, one word a line.

mockclaude's generated prose samples this list with its own seeded RNG (``mockclaude.engine.prose``), so the
server never imports faker on the request path (about 100 ms of start-up) and generated text stays the same
across faker releases. ``tests/test_prose.py`` checks the shipped file still equals the installed faker's list.

    python tools/build_lorem_words.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "mockclaude" / "engine" / "data" / "lorem_en_US.txt"


def words_text() -> str:
    """The file's content, from the installed faker."""
    from faker.providers.lorem.en_US import Provider

    return "".join(f"{word}\n" for word in Provider.word_list)


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with ``--check`` compare it with faker's list."""
    parser = argparse.ArgumentParser(prog="build_lorem_words")
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped file differs")
    args = parser.parse_args(argv)
    text = words_text()
    if args.check:
        same = TARGET.read_text() == text
        print("up to date" if same else f"{TARGET} differs from faker's list: run without --check")
        return 0 if same else 1
    TARGET.write_text(text)
    print(f"wrote {TARGET} ({len(text.splitlines())} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
