"""The Skills API room: custom skills and their versions per organization (``service``, ``store``), the upload
rules (``bundle``), Anthropic's own skills (``builtin``), ``container.skills`` in Messages (``container``) and
every error text (``texts``). No HTTP: ``server/skills.py`` is its edge."""

from __future__ import annotations

from mockclaude.skills.container import SkillReferences
from mockclaude.skills.service import UPLOAD_BODY_BYTES, Skills
from mockclaude.skills.store import MemorySkillStore, SkillRecord, SkillStore, VersionRecord

__all__ = [
    "UPLOAD_BODY_BYTES",
    "MemorySkillStore",
    "SkillRecord",
    "SkillReferences",
    "SkillStore",
    "Skills",
    "VersionRecord",
]
