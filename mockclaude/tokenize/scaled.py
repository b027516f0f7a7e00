"""A token counter scaled by a model's ``token_ratio`` (api-spec §11: newer tokenizers count ~30 % more).

Input accounting applies the ratio itself (:mod:`mockclaude.tokenize.accounting`). The output side (the engine)
can take ``scaled(counter, req.model.token_ratio)`` in place of the base counter, so ``output_tokens`` and the
``max_tokens`` cut move with the model exactly as input counts do.
"""

from __future__ import annotations

from collections.abc import Sequence

from mockclaude.tokenize.counters import TokenCounter

__all__ = ["ScaledCounter", "scaled"]


class ScaledCounter:
    """``count(text) == round(base.count(text) * ratio)``; ``truncate`` keeps ``count(result) <= max_tokens``.

    ``encode``/``decode``/``normalize`` are the base tokenizer's (ids of the base vocabulary), so unlike a plain
    :class:`~mockclaude.tokenize.counters.TokenCounter`, ``count(t)`` is not ``len(encode(t))`` when the ratio
    is not 1.
    """

    def __init__(self, base: TokenCounter, ratio: float) -> None:
        if ratio <= 0:
            raise ValueError(f"ratio must be > 0, got {ratio}")
        self.base = base
        self.ratio = ratio
        self.name = f"{base.name}*{ratio:g}"

    def __repr__(self) -> str:
        return f"<TokenCounter {self.name}>"

    def count(self, text: str) -> int:
        """The base count times the ratio, rounded (half to even, as Python's ``round``)."""
        return round(self.base.count(text) * self.ratio)

    def encode(self, text: str) -> list[int]:
        """The base tokenizer's ids."""
        return self.base.encode(text)

    def decode(self, tokens: Sequence[int]) -> str:
        """The base tokenizer's text for ``tokens``."""
        return self.base.decode(tokens)

    def normalize(self, text: str) -> str:
        """The base tokenizer's normalisation."""
        return self.base.normalize(text)

    def truncate(self, text: str, max_tokens: int) -> str:
        """The longest base-token-boundary prefix whose scaled count is at most ``max_tokens``.

        ``floor(max_tokens / ratio)`` base tokens always fit (``round(x) <= n`` whenever ``x <= n``); one more
        base token may still fit when rounding is kind, so that is tried too.
        """
        if max_tokens < 0:
            raise ValueError(f"max_tokens must be >= 0, got {max_tokens}")
        budget = int(max_tokens / self.ratio)
        best = self.base.truncate(text, budget)
        if best != text:
            longer = self.base.truncate(text, budget + 1)
            if self.count(longer) <= max_tokens:
                best = longer
        return best


_SCALED: dict[tuple[int, float], ScaledCounter] = {}


def scaled(counter: TokenCounter, ratio: float) -> TokenCounter:
    """``counter`` itself for a ratio of 1, else a (cached) :class:`ScaledCounter`."""
    if ratio == 1:
        return counter
    key = (id(counter), ratio)
    hit = _SCALED.get(key)
    if hit is None or hit.base is not counter:  # `is` guards against a reused id
        hit = _SCALED[key] = ScaledCounter(counter, ratio)
    return hit
