"""``container.skills`` in Messages: checked against the caller's skills, and reflected in the reply's ``container``.

DOCS skills-guide: skills go in ``container: {"skills": [{"type", "skill_id", "version"?}]}`` (``container.id``
reuses a container), at most 8 per request, and "both require code execution". The reply's ``container`` is
``{"id", "expires_at", "skills": [{"type", "skill_id", "version"}]}`` with each version resolved (SDK 2.17
``ContainerSkill.version``: "The resolved version: a skill version ID for custom skills"; ``latest`` or no
version resolves to the newest).
"""

from __future__ import annotations

from typing import Any

from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.request import ValidatedRequest
from mockclaude.model.wire import CodeExecutionTool, ContainerParams
from mockclaude.skills import texts
from mockclaude.skills.builtin import ANTHROPIC_SKILLS
from mockclaude.skills.service import Skills

__all__ = ["MAX_SKILLS", "SkillReferences", "requested_container_id", "requested_skills"]

JSON = dict[str, Any]
# DOCS skills-guide "Maximum Skills per request: 8" (2026-08; ⚠ one copy of the page says 20).
MAX_SKILLS = 8


def requested_container_id(req: ValidatedRequest) -> str | None:
    """The container the request reuses: ``container: "id"`` or ``container: {"id": ...}``."""
    container = getattr(req.params, "container", None)
    if isinstance(container, str):
        return container
    return container.id if isinstance(container, ContainerParams) else None


def requested_skills(req: ValidatedRequest) -> list[Any]:
    """The request's ``container.skills`` (empty when it names none)."""
    container = getattr(req.params, "container", None)
    if isinstance(container, ContainerParams) and container.skills:
        return list(container.skills)
    return []


class SkillReferences:
    """Checks ``container.skills`` (run by the front half on every request) and resolves their versions."""

    def __init__(self, skills: Skills) -> None:
        self.skills = skills

    def resolve(self, req: ValidatedRequest) -> list[JSON]:
        """Each requested skill with its version resolved, or the request's 400."""
        wanted = requested_skills(req)
        if not wanted:
            return []
        if len(wanted) > MAX_SKILLS:
            raise InvalidRequestError(texts.container_too_many(len(wanted), MAX_SKILLS))
        if not any(isinstance(tool, CodeExecutionTool) for tool in req.params.tools or []):
            raise InvalidRequestError(texts.container_needs_code_execution())
        out: list[JSON] = []
        for index, skill in enumerate(wanted):
            version = skill.version or "latest"
            if skill.type == "anthropic":
                builtin = ANTHROPIC_SKILLS.get(skill.skill_id)
                if builtin is None:
                    raise InvalidRequestError(
                        texts.container_skill_not_found(index, skill.type, skill.skill_id)
                    )
                if version not in ("latest", builtin.version):
                    raise InvalidRequestError(
                        texts.container_version_not_found(index, skill.skill_id, version)
                    )
                resolved = builtin.version
            else:
                if self.skills.store.get_skill(req.api_key, skill.skill_id) is None:
                    raise InvalidRequestError(
                        texts.container_skill_not_found(index, skill.type, skill.skill_id)
                    )
                record = self.skills.version_record(req.api_key, skill.skill_id, version)
                if record is None:
                    raise InvalidRequestError(
                        texts.container_version_not_found(index, skill.skill_id, version)
                    )
                resolved = record.id
            out.append({"type": skill.type, "skill_id": skill.skill_id, "version": resolved})
        return out

    def __call__(self, req: ValidatedRequest, body: bytes) -> None:
        """The front-half check: raise the request's skill error, if any."""
        if b'"skills"' in body:
            self.resolve(req)
