"""Where the Skills API keeps custom skills and their versions: a small store interface and its in-memory form.

As with files (:mod:`mockclaude.files.store`), the service holds the rules and a store only keeps records, per
scope (the API key's organization), in creation order. Anthropic's own skills are not stored: they are data
(:mod:`mockclaude.skills.builtin`).
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["MemorySkillStore", "SkillRecord", "SkillStore", "VersionRecord"]


@dataclass(frozen=True, slots=True)
class SkillRecord:
    """A custom skill: its slug ``name`` (immutable), label, and when it last changed."""

    id: str
    scope: str
    name: str
    display_name: str
    created_at: float
    updated_at: float
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """One version of a skill: what its ``SKILL.md`` said, and its files."""

    id: str
    skill_id: str
    name: str
    description: str
    directory: str
    created_at: float
    files: dict[str, bytes] = field(repr=False, default_factory=dict)
    sequence: int = 0


class SkillStore(Protocol):
    """What the Skills service needs from its storage."""

    def put_skill(self, record: SkillRecord) -> SkillRecord:
        """Keep (or replace, by id) a skill; a new one gets its ``sequence``."""
        ...

    def get_skill(self, scope: str, skill_id: str) -> SkillRecord | None:
        """The skill, if ``scope`` holds it."""
        ...

    def delete_skill(self, scope: str, skill_id: str) -> bool:
        """Forget a skill and every version of it."""
        ...

    def skills(self, scope: str) -> list[SkillRecord]:
        """The scope's skills, oldest first."""
        ...

    def put_version(self, scope: str, record: VersionRecord) -> VersionRecord:
        """Keep a version of one of the scope's skills; it gets its ``sequence``."""
        ...

    def delete_version(self, scope: str, skill_id: str, version_id: str) -> bool:
        """Forget one version."""
        ...

    def versions(self, scope: str, skill_id: str) -> list[VersionRecord]:
        """A skill's versions, oldest first."""
        ...

    def clear(self) -> None:
        """Forget everything."""
        ...


class MemorySkillStore:
    """:class:`SkillStore` in this process's memory (the default)."""

    def __init__(self) -> None:
        self._skills: dict[str, dict[str, SkillRecord]] = {}
        self._versions: dict[tuple[str, str], dict[str, VersionRecord]] = {}
        self._sequence = 0
        self._lock = threading.Lock()

    def _next(self) -> int:
        self._sequence += 1
        return self._sequence

    def put_skill(self, record: SkillRecord) -> SkillRecord:
        """Keep or replace a skill (a replaced one keeps its place in the list)."""
        with self._lock:
            scope = self._skills.setdefault(record.scope, {})
            old = scope.get(record.id)
            stored = dataclasses.replace(record, sequence=old.sequence if old is not None else self._next())
            scope[record.id] = stored
            return stored

    def get_skill(self, scope: str, skill_id: str) -> SkillRecord | None:
        """The skill, if ``scope`` holds it."""
        with self._lock:
            return self._skills.get(scope, {}).get(skill_id)

    def delete_skill(self, scope: str, skill_id: str) -> bool:
        """Forget the skill and its versions."""
        with self._lock:
            self._versions.pop((scope, skill_id), None)
            return self._skills.get(scope, {}).pop(skill_id, None) is not None

    def skills(self, scope: str) -> list[SkillRecord]:
        """Oldest first."""
        with self._lock:
            return list(self._skills.get(scope, {}).values())

    def put_version(self, scope: str, record: VersionRecord) -> VersionRecord:
        """Keep a version, numbered."""
        with self._lock:
            stored = dataclasses.replace(record, sequence=self._next())
            self._versions.setdefault((scope, record.skill_id), {})[record.id] = stored
            return stored

    def delete_version(self, scope: str, skill_id: str, version_id: str) -> bool:
        """Forget one version."""
        with self._lock:
            return self._versions.get((scope, skill_id), {}).pop(version_id, None) is not None

    def versions(self, scope: str, skill_id: str) -> list[VersionRecord]:
        """Oldest first."""
        with self._lock:
            return list(self._versions.get((scope, skill_id), {}).values())

    def clear(self) -> None:
        """Forget every skill of every scope."""
        with self._lock:
            self._skills.clear()
            self._versions.clear()
            self._sequence = 0
