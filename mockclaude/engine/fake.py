"""The Faker that generated prose comes from, built on first use.

Importing faker and building an ``en_US`` instance costs about 100 ms, a third of the start-up budget: a server
that only serves scripted replies, or a test run that never generates prose, never pays it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faker import Faker


class LazyFaker:
    """One ``Faker("en_US")``, built when first asked for; the owner seeds it before each use."""

    def __init__(self) -> None:
        self._fake: Faker | None = None
        self._lock = threading.Lock()

    def get(self) -> Faker:
        """The instance (built on the first call)."""
        if self._fake is None:
            with self._lock:
                if self._fake is None:
                    from faker import Faker

                    self._fake = Faker("en_US")
        return self._fake
