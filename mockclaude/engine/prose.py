"""Generated prose: sentences drawn from faker's lorem vocabulary of a locale with the caller's seeded RNG.

The vocabularies are faker's own (shipped as ``data/lorem_<locale>.txt``, rebuilt by
``tools/build_lorem_words.py``; English unless the answer follows the prompt's language, engine/behave/language.py)
and ``sentence`` follows faker's ``sentence()``: a word count within 60-140 % of the asked number (at least
one), words drawn uniformly, the first one title-cased, a final period. Sampling with our RNG instead of a Faker
instance keeps faker off the request path (its import costs about 100 ms) and keeps the bytes the same across
faker releases, which do not promise stable output.
"""

from __future__ import annotations

import random
from functools import cache
from importlib import resources

LOCALES = ("en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "ru_RU", "ja_JP", "zh_CN")
# Languages written without spaces end a sentence with the ideographic full stop.
UNSPACED = frozenset({"ja_JP", "zh_CN"})
# Tokens per character of each vocabulary's sentences under the claude-v1 tokenizer (measured on 300 sentences
# of 10 words): how generated prose estimates its length without counting every sentence.
TOKENS_PER_CHAR = {
    "en_US": 0.17,
    "de_DE": 0.32,
    "fr_FR": 0.29,
    "es_ES": 0.28,
    "it_IT": 0.32,
    "nl_NL": 0.35,
    "pl_PL": 0.47,
    "ru_RU": 0.51,
    "ja_JP": 1.2,
    "zh_CN": 0.89,
}


@cache
def words(locale: str = "en_US") -> tuple[str, ...]:
    """The vocabulary of ``locale`` (read once per process)."""
    text = (
        resources.files("mockclaude.engine").joinpath(f"data/lorem_{locale}.txt").read_text(encoding="utf-8")
    )
    return tuple(text.split())


def sentence(rng: random.Random, nb_words: int = 6, locale: str = "en_US") -> str:
    """One sentence of about ``nb_words`` words (faker's ``sentence(nb_words)``, variable length)."""
    if nb_words <= 0:
        return ""
    vocabulary = words(locale)
    count = max(1, int(nb_words * (60 + int(rng.random() * 81)) / 100))  # 60-140 %, as randint(60, 140)
    chosen = rng.choices(vocabulary, k=count)  # uniform, like faker's; one call, not one randrange per word
    if locale in UNSPACED:
        return "".join(chosen) + "。"
    chosen[0] = chosen[0][:1].upper() + chosen[0][1:] if locale != "en_US" else chosen[0].title()
    return " ".join(chosen) + "."
