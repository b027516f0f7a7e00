"""Layer 6: the ``MockClaude`` facade tests hold (also usable without pytest, as a context manager)."""

from mockclaude.mock.expectation import Expectation
from mockclaude.mock.facade import CacheView, CheckError, MockClaude
from mockclaude.mock.options import MatchArgs, MockOptions, ReplyArgs

__all__ = ["CacheView", "CheckError", "Expectation", "MatchArgs", "MockClaude", "MockOptions", "ReplyArgs"]
