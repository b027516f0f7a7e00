"""``Expectation``: a stub built from Python calls into the very dict a script file holds (DESIGN.md rule 6).

``mock.expect(**match)`` starts it; ``once()`` / ``times(n)`` / ``ordered()`` / ``priority(n)`` /
``named(name)`` / ``in_scenario(...)`` shape it; ``respond(**reply)``, ``respond_with(fn)`` or
``sequence(*replies, then=...)`` registers it with the engine. A lifetime set after registering replaces the
registered stub (it then matches after stubs registered in between): set it first to keep the order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Self, Unpack

from mockclaude.engine.journal import JournalEntry
from mockclaude.mock.options import Exhaustion, ReplyArgs

if TYPE_CHECKING:
    from mockclaude.engine.registry import StubRegistry
    from mockclaude.model.request import ValidatedRequest

Callback = Callable[["ValidatedRequest"], Mapping[str, Any]]
"""A Python reply: called with the validated request, returns a :class:`ReplyArgs` dict."""

SOURCE = "<python>"
"""The ``source`` of stubs registered from Python (near misses and ``check()`` name it)."""


class Expectation:
    """A stub being built; see the module docstring."""

    def __init__(
        self, registry: Callable[[], StubRegistry], journal: Callable[[], list[JournalEntry]]
    ) -> None:
        self._registry = registry
        self._journal = journal
        self._spec: dict[str, Any] = {}
        self.id: str | None = None
        """The registered stub's id (``None`` until a reply is given)."""

    def _match(self, match: Mapping[str, Any]) -> Self:
        if match:
            self._spec["match"] = dict(match)
        return self

    # -- lifetime and ordering -----------------------------------------------------------------------------
    def once(self) -> Self:
        """Answer one request, then stop matching; ``check()`` fails if none came."""
        return self.times(1)

    def times(self, n: int) -> Self:
        """Answer ``n`` requests, then stop matching; ``check()`` fails if fewer came."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"times(n) takes an integer >= 1, got {n!r}")
        return self._set(times=n)

    def ordered(self, group: str | None = None) -> Self:
        """Match only once the earlier stubs of the same ordered group are used up (one use each unless
        ``times`` says more); ``check()`` fails for the ones left."""
        return self._set(ordered=group or True)

    def priority(self, value: int) -> Self:
        """Higher priorities are tried first (ties: registration order); the first stub that matches wins."""
        return self._set(priority=value)

    def named(self, name: str) -> Self:
        """Name the stub (near misses and ``check()`` show it)."""
        return self._set(name=name)

    def in_scenario(self, scenario: str, *, requires: str | None = None, sets: str | None = None) -> Self:
        """Match only while ``scenario`` is in state ``requires``; move it to ``sets`` after answering."""
        fields: dict[str, Any] = {"scenario": scenario}
        if requires is not None:
            fields["requires"] = requires
        if sets is not None:
            fields["sets"] = sets
        return self._set(**fields)

    # -- the reply: registers the stub --------------------------------------------------------------------
    def respond(self, **reply: Unpack[ReplyArgs]) -> Self:
        """Answer with this reply (:class:`~mockclaude.mock.options.ReplyArgs`); no arguments: a generated one."""
        return self._reply(dict(reply))

    def respond_with(self, fn: Callback) -> Self:
        """Answer with ``fn(request)``, a reply dict. If ``fn`` raises, the client gets a 500 and ``check()``
        fails with the traceback."""
        if not callable(fn):
            raise TypeError("respond_with takes a callable: fn(request) -> reply dict")
        return self._reply(fn)

    def sequence(self, *replies: ReplyArgs | Mapping[str, Any], then: Exhaustion) -> Self:
        """Answer the n-th matching request with the n-th reply; after the last one, ``then`` decides:
        ``"error"`` (a 400 naming the sequence), ``"repeat_last"`` or ``"fallthrough"`` (stop matching).
        ``check()`` fails while replies are left."""
        if not replies:
            raise ValueError("sequence() takes at least one reply")
        self._spec.pop("reply", None)
        self._spec["sequence"] = [dict(r) for r in replies]
        self._spec["exhausted"] = then
        return self._register()

    def remove(self) -> bool:
        """Unregister the stub; False when it was not registered."""
        if self.id is None:
            return False
        removed = self._registry().remove(self.id)
        self.id = None
        return removed

    # -- what happened ---------------------------------------------------------------------------------------
    @property
    def calls(self) -> list[JournalEntry]:
        """The journal entries this stub answered."""
        return [e for e in self._journal() if self.id is not None and e.stub_id == self.id]

    @property
    def registered(self) -> bool:
        """Whether the stub is live (a reply was given and it was not removed)."""
        return self.id is not None

    @property
    def answered(self) -> bool:
        """Whether a reply was given (``respond`` / ``respond_with`` / ``sequence``)."""
        return "reply" in self._spec or "sequence" in self._spec

    def _reply(self, reply: Any) -> Self:
        self._spec.pop("sequence", None)
        self._spec.pop("exhausted", None)
        self._spec["reply"] = reply
        return self._register()

    def _set(self, **fields: Any) -> Self:
        self._spec.update(fields)
        if self.id is not None:
            self._register()
        return self

    def _register(self) -> Self:
        registry = self._registry()
        if self.id is not None:
            registry.remove(self.id)
        self.id = registry.add(dict(self._spec), source=SOURCE).id
        return self

    def __repr__(self) -> str:
        return f"<Expectation {self.id or 'unregistered'} match={self._spec.get('match', {})}>"
