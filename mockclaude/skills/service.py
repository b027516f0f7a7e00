"""The Skills API as a service: skills and their versions, per organization (API key). No HTTP here.

Shapes of SDK 2.17 (``types/skill.py``, ``types/skills/skill_version.py``): a Skill has ``display_name`` (from
the request, else the SKILL.md ``name``), ``source: {"type"}``, ``latest_version_id`` ("Always set: a Skill holds
at least one version"); versions are addressed by their ``skver_…`` id or ``latest``; deleting a Skill deletes its
versions (SDK CHANGELOG 1.2.0). Anthropic's skills (``builtin.py``) are listed with the custom ones and read only.
Lists are newest first (⚠ unconfirmed order), paged with ``page`` tokens (``limit`` 1-1000, default 20).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from typing import Any

from mockclaude import ids
from mockclaude.clock import Clock, rfc3339
from mockclaude.model.errors import InvalidRequestError, NotFoundError
from mockclaude.model.multipart import parse_form
from mockclaude.model.paging import check_limit, cursor_page, page_token, token_position
from mockclaude.skills import texts
from mockclaude.skills.builtin import ANTHROPIC_SKILLS, BuiltinSkill
from mockclaude.skills.bundle import Bundle, read_bundle
from mockclaude.skills.store import MemorySkillStore, SkillRecord, SkillStore, VersionRecord

__all__ = ["MAX_DISPLAY_NAME", "UPLOAD_BODY_BYTES", "Skills"]

JSON = dict[str, Any]
MAX_DISPLAY_NAME = 255  # SDK 2.17: "Human-readable, single-line label for the Skill. Maximum 255 characters."
UPLOAD_BODY_BYTES = 31 * 1024 * 1024  # 30 MB of files plus their multipart envelope
_BIG = 10**12  # list positions: custom skills (newest first) below it, Anthropic's above


def _time(timestamp: float) -> str:
    return rfc3339(timestamp, micro=True)


def _page(
    rows: list[tuple[int, JSON]], limit: int | None, page: str | None, kind: str
) -> tuple[list[tuple[int, JSON]], JSON]:
    """One page of ``(position, json)`` rows (positions grow along the list) as ``{"data", "next_page"}``."""
    size = check_limit(20 if limit is None else limit)
    after = None
    if page is not None:
        after = token_position(kind, page)
        if after is None:
            raise InvalidRequestError(texts.bad_cursor(page))
    chunk, more = cursor_page(rows, lambda row: row[0], after=after, limit=size)
    token = page_token(kind, chunk[-1][0]) if more and chunk else None
    return chunk, {"data": [row[1] for row in chunk], "next_page": token}


class Skills:
    """Every custom skill of one mock instance, per organization, behind a :class:`SkillStore`."""

    def __init__(self, seed: int, clock: Clock, store: SkillStore | None = None) -> None:
        self.seed = seed
        self.clock = clock
        self.store: SkillStore = store if store is not None else MemorySkillStore()
        self._occurrences: dict[str, int] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every custom skill (ids start again from the first)."""
        with self._lock:
            self._occurrences.clear()
        self.store.clear()

    def _occurrence(self, key: str) -> int:
        with self._lock:
            n = self._occurrences.get(key, 0)
            self._occurrences[key] = n + 1
            return n

    # -- JSON ----------------------------------------------------------------------------------------------
    def _skill_json(self, scope: str, record: SkillRecord) -> JSON:
        versions = self.store.versions(scope, record.id)
        return {
            "id": record.id,
            "type": "skill",
            "display_name": record.display_name,
            "source": {"type": "custom"},
            "latest_version_id": versions[-1].id if versions else None,
            "created_at": _time(record.created_at),
            "updated_at": _time(record.updated_at),
        }

    @staticmethod
    def _builtin_json(skill: BuiltinSkill) -> JSON:
        return {
            "id": skill.id,
            "type": "skill",
            "display_name": skill.display_name,
            "source": {"type": "anthropic"},
            "latest_version_id": skill.version,
            "created_at": _time(skill.created_at),
            "updated_at": _time(skill.created_at),
        }

    @staticmethod
    def _version_json(record: VersionRecord) -> JSON:
        return {
            "id": record.id,
            "type": "skill_version",
            "skill_id": record.skill_id,
            "name": record.name,
            "description": record.description,
            "created_at": _time(record.created_at),
        }

    @staticmethod
    def _builtin_version(skill: BuiltinSkill) -> JSON:
        return {
            "id": skill.version,
            "type": "skill_version",
            "skill_id": skill.id,
            "name": skill.id,
            "description": skill.description,
            "created_at": _time(skill.created_at),
        }

    # -- skills --------------------------------------------------------------------------------------------
    def _custom(self, scope: str, skill_id: str) -> SkillRecord:
        record = self.store.get_skill(scope, skill_id)
        if record is None:
            if skill_id in ANTHROPIC_SKILLS:
                raise InvalidRequestError(texts.anthropic_read_only(skill_id))
            raise NotFoundError(texts.not_found(skill_id))
        return record

    def _new_version(self, scope: str, skill_id: str, bundle: Bundle) -> VersionRecord:
        digest = hashlib.blake2b(digest_size=16)
        for path in sorted(bundle.files):
            digest.update(path.encode() + b"\x00" + bundle.files[path] + b"\x00")
        key = f"{scope}\x00{skill_id}\x00{digest.hexdigest()}"
        record = VersionRecord(
            id=ids.make_id("skver", self.seed, key, self._occurrence("v" + key)),
            skill_id=skill_id,
            name=bundle.name,
            description=bundle.description,
            directory=bundle.directory,
            created_at=self.clock.now(),
            files=dict(bundle.files),
        )
        return self.store.put_version(scope, record)

    def create(self, scope: str, body: bytes, content_type: str | None) -> JSON:
        """``POST /v1/skills``: the bundle checked, the skill and its first version stored."""
        parts = parse_form(body, content_type)
        label = next((p.text() for p in parts if p.name == "display_name"), None)
        bundle = read_bundle(parts)
        if label is not None and len(label) > MAX_DISPLAY_NAME:
            raise InvalidRequestError(
                f"display_name: String should have at most {MAX_DISPLAY_NAME} characters"
            )
        if label is not None and ("\n" in label or "\r" in label):
            raise InvalidRequestError("display_name: must be a single line")  # ⚠ unconfirmed wording
        now = self.clock.now()
        key = f"{scope}\x00{bundle.name}"
        skill = SkillRecord(
            id=ids.skill_id(self.seed, key, self._occurrence("s" + key)),
            scope=scope,
            name=bundle.name,
            display_name=label or bundle.name,
            created_at=now,
            updated_at=now,
        )
        skill = self.store.put_skill(skill)
        self._new_version(scope, skill.id, bundle)
        return self._skill_json(scope, skill)

    def get(self, scope: str, skill_id: str) -> JSON:
        """``GET /v1/skills/{id}``: a custom skill of ``scope`` or an Anthropic skill; 404 otherwise."""
        builtin = ANTHROPIC_SKILLS.get(skill_id)
        if builtin is not None:
            return self._builtin_json(builtin)
        record = self.store.get_skill(scope, skill_id)
        if record is None:
            raise NotFoundError(texts.not_found(skill_id))
        return self._skill_json(scope, record)

    def page(
        self, scope: str, *, limit: int | None = None, page: str | None = None, source: str | None = None
    ) -> JSON:
        """``GET /v1/skills``: custom skills newest first, then Anthropic's; ``source`` filters by origin."""
        rows: list[tuple[int, JSON]] = []
        if source in (None, "custom"):
            customs = sorted(self.store.skills(scope), key=lambda r: -r.sequence)
            rows += [(_BIG - r.sequence, self._skill_json(scope, r)) for r in customs]
        if source in (None, "anthropic"):
            rows += [(_BIG + 1 + i, self._builtin_json(s)) for i, s in enumerate(ANTHROPIC_SKILLS.values())]
        return _page(rows, limit, page, "s")[1]

    def delete(self, scope: str, skill_id: str) -> JSON:
        """``DELETE /v1/skills/{id}``: the skill and every version of it."""
        self._custom(scope, skill_id)
        self.store.delete_skill(scope, skill_id)
        return {"id": skill_id, "type": "skill_deleted"}

    # -- versions ------------------------------------------------------------------------------------------
    def create_version(self, scope: str, skill_id: str, body: bytes, content_type: str | None) -> JSON:
        """``POST /v1/skills/{id}/versions``: a new latest version; its SKILL.md must name the same skill."""
        skill = self._custom(scope, skill_id)
        bundle = read_bundle(parse_form(body, content_type))
        if bundle.name != skill.name:
            raise InvalidRequestError(texts.name_mismatch(skill.name, bundle.name))
        version = self._new_version(scope, skill_id, bundle)
        self.store.put_skill(dataclasses.replace(skill, updated_at=version.created_at))
        return self._version_json(version)

    def _versions(self, scope: str, skill_id: str) -> list[VersionRecord]:
        self._custom(scope, skill_id)
        return self.store.versions(scope, skill_id)

    def version_record(self, scope: str, skill_id: str, version: str) -> VersionRecord | None:
        """A custom skill's version by id or ``latest``; ``None`` when there is no such version."""
        versions = self.store.versions(scope, skill_id)
        if version == "latest":
            return versions[-1] if versions else None
        return next((v for v in versions if v.id == version), None)

    def get_version(self, scope: str, skill_id: str, version: str) -> JSON:
        """``GET /v1/skills/{id}/versions/{version}``: by id, or ``latest``."""
        builtin = ANTHROPIC_SKILLS.get(skill_id)
        if builtin is not None:
            if version not in ("latest", builtin.version):
                raise NotFoundError(texts.version_not_found(skill_id, version))
            return self._builtin_version(builtin)
        if self.store.get_skill(scope, skill_id) is None:
            raise NotFoundError(texts.not_found(skill_id))
        record = self.version_record(scope, skill_id, version)
        if record is None:
            raise NotFoundError(texts.version_not_found(skill_id, version))
        return self._version_json(record)

    def versions_page(
        self, scope: str, skill_id: str, *, limit: int | None = None, page: str | None = None
    ) -> JSON:
        """``GET /v1/skills/{id}/versions``: newest first."""
        builtin = ANTHROPIC_SKILLS.get(skill_id)
        if builtin is not None:
            return _page([(0, self._builtin_version(builtin))], limit, page, "v")[1]
        if self.store.get_skill(scope, skill_id) is None:
            raise NotFoundError(texts.not_found(skill_id))
        rows = [
            (_BIG - v.sequence, self._version_json(v)) for v in reversed(self.store.versions(scope, skill_id))
        ]
        return _page(rows, limit, page, "v")[1]

    def delete_version(self, scope: str, skill_id: str, version: str) -> JSON:
        """``DELETE /v1/skills/{id}/versions/{version}``: any version but a skill's last one."""
        versions = self._versions(scope, skill_id)
        target = next((v for v in versions if v.id == version), None)
        if target is None:
            raise NotFoundError(texts.version_not_found(skill_id, version))
        if len(versions) == 1:
            raise InvalidRequestError(texts.last_version(skill_id))
        self.store.delete_version(scope, skill_id, version)
        skill = self._custom(scope, skill_id)
        self.store.put_skill(dataclasses.replace(skill, updated_at=self.clock.now()))
        return {"id": version, "type": "skill_version_deleted"}
