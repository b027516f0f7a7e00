"""Generated prose: faker's en_US lorem vocabulary, sampled like faker's ``sentence()`` with our seeded RNG."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from mockclaude.engine import prose

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_vocabulary_is_fakers() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_lorem_words.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout
    assert len(prose.words()) > 900


def test_sentence_shape_follows_faker() -> None:
    vocabulary = set(prose.words())
    titled = {w.title() for w in vocabulary}
    rng = random.Random(1)
    for n in (1, 6, 10, 16):
        for _ in range(200):
            s = prose.sentence(rng, n)
            words = s[:-1].split(" ")
            assert s.endswith(".") and words[0][0].isupper()
            assert max(1, int(n * 0.6)) <= len(words) <= int(n * 1.4)
            assert words[0] in titled and set(words[1:]) <= vocabulary
    assert prose.sentence(rng, 0) == ""


def test_sentences_are_a_function_of_the_rng() -> None:
    a = [prose.sentence(random.Random(7), 9) for _ in range(3)]
    assert a[0] == a[1] == a[2]
    assert prose.sentence(random.Random(8), 9) != a[0]


def test_the_request_path_never_imports_faker() -> None:
    code = (
        "import sys, json\n"
        "from mockclaude.pipeline import Pipeline\n"
        "p = Pipeline()\n"
        "body = json.dumps({'model': 'claude-sonnet-4-6', 'max_tokens': 300, 'messages': "
        "[{'role': 'user', 'content': 'Hello'}]}).encode()\n"
        "p.messages(body, {'x-api-key': 'k', 'anthropic-version': '2023-06-01'})\n"
        "print('faker' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
