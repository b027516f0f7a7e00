"""Regenerate ``mockclaude/engine/data/lorem_<locale>.txt``: faker's lorem vocabularies, one word a line.

mockclaude's generated prose samples this list with its own seeded RNG (``mockclaude.engine.prose``), so the
server never imports faker on the request path (about 100 ms of start-up) and generated text stays the same
across faker releases. ``tests/test_prose.py`` checks the shipped file still equals the installed faker's list.

    python tools/build_lorem_words.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "mockclaude" / "engine" / "data"
# The locales of mockclaude.engine.prose.LOCALES (kept here too: tools/ must not need the server's imports).
LOCALES = ("en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "ru_RU", "ja_JP", "zh_CN")
TARGET = DATA / "lorem_en_US.txt"


def words_text(locale: str = "en_US") -> str:
    """The file's content for ``locale``, from the installed faker."""
    import importlib

    provider = importlib.import_module(f"faker.providers.lorem.{locale}").Provider
    return "".join(f"{word}\n" for word in provider.word_list)


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with ``--check`` compare it with faker's list."""
    parser = argparse.ArgumentParser(prog="build_lorem_words")
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped file differs")
    args = parser.parse_args(argv)
    stale = []
    for locale in LOCALES:
        target = DATA / f"lorem_{locale}.txt"
        text = words_text(locale)
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target)
            continue
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target} ({len(text.splitlines())} words)")
    if args.check:
        print("up to date" if not stale else f"differ from faker's lists: {stale}; run without --check")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
