"""Generated prose: sentences drawn from faker's en_US lorem vocabulary with the caller's seeded RNG.

The vocabulary is faker's own (shipped as ``data/lorem_en_US.txt``, rebuilt by ``tools/build_lorem_words.py``)
and ``sentence`` follows faker's ``sentence()``: a word count within 60-140 % of the asked number (at least
one), words drawn uniformly, the first one title-cased, a final period. Sampling with our RNG instead of a Faker
instance keeps faker off the request path (its import costs about 100 ms) and keeps the bytes the same across
faker releases, which do not promise stable output.
"""

from __future__ import annotations

import random
from functools import cache
from importlib import resources


@cache
def words() -> tuple[str, ...]:
    """The vocabulary (read once per process)."""
    text = resources.files("mockclaude.engine").joinpath("data/lorem_en_US.txt").read_text()
    return tuple(text.split())


def sentence(rng: random.Random, nb_words: int = 6) -> str:
    """One sentence of about ``nb_words`` words (faker's ``sentence(nb_words)``, variable length)."""
    if nb_words <= 0:
        return ""
    vocabulary = words()
    count = max(1, int(nb_words * rng.randint(60, 140) / 100))
    chosen = [vocabulary[rng.randrange(len(vocabulary))] for _ in range(count)]
    chosen[0] = chosen[0].title()
    return " ".join(chosen) + "."
