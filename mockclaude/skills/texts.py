"""Every message the Skills API (and ``container.skills`` in Messages) answers with, in one place.

Sources for the rules: DOCS https://platform.claude.com/docs/en/build-with-claude/skills-guide (fetched
2026-08: "Requirements", "Limits and constraints", "Attempting to delete…"), DOCS agent-skills/overview (the
front-matter rules), SDK 2.17 ``types/skill*.py`` docstrings and ``CHANGELOG.md`` (1.2.0: deleting a Skill
deletes its versions; versions are addressed by ``skver_…`` ids). No response text of these errors is public:
every wording here is ⚠ unconfirmed, chosen to name the rule the docs state, and easy to change in this file.
"""

from __future__ import annotations

__all__ = [
    "anthropic_read_only",
    "bad_cursor",
    "bundle",
    "container_needs_code_execution",
    "container_skill_not_found",
    "container_too_many",
    "container_version_not_found",
    "last_version",
    "missing_files",
    "name_mismatch",
    "not_found",
    "too_large",
    "version_not_found",
]


def missing_files() -> str:
    """400: a create without any file part (pydantic's text for a missing form field)."""
    return "files: Field required"


def too_large(limit: int) -> str:
    """400: "Total upload size must be under 30 MB"."""
    return f"files: Total upload size must be under {limit // (1024 * 1024)} MB"


def bundle(problem: str) -> str:
    """400: a bundle that breaks a rule of "Requirements" (``problem`` says which)."""
    return f"files: {problem}"


def name_mismatch(expected: str, got: str) -> str:
    """400: a new version whose SKILL.md resolves to another slug (SDK: "Every later upload must resolve to the
    same value")."""
    return f"files: SKILL.md name '{got}' does not match the skill's name '{expected}'"


def not_found(skill_id: str) -> str:
    """404: an unknown skill (worded as the Files API's confirmed 404)."""
    return f"Skill `{skill_id}` not found."


def version_not_found(skill_id: str, version: str) -> str:
    """404: an unknown version of a known skill."""
    return f"Version `{version}` of skill `{skill_id}` not found."


def last_version(skill_id: str) -> str:
    """400: deleting a skill's only version (SDK 2.17: "Always set: a Skill holds at least one version")."""
    return f"Skill `{skill_id}` must keep at least one version: delete the skill instead."


def anthropic_read_only(skill_id: str) -> str:
    """400: changing an Anthropic skill ("Pre-built and maintained by Anthropic")."""
    return f"Skill `{skill_id}` is an Anthropic skill and cannot be modified."


def bad_cursor(value: str) -> str:
    """400: a ``page`` token this mock never handed out."""
    return f"page: Invalid page cursor: {value}"


def container_too_many(count: int, limit: int) -> str:
    """400 in Messages: more than 8 skills ("You can include up to 8 Skills for each request")."""
    return f"container.skills: A maximum of {limit} skills may be provided. Found {count}."


def container_needs_code_execution() -> str:
    """400 in Messages: skills without the code execution tool ("both require code execution")."""
    return "container.skills: Skills require the code execution tool to be enabled in `tools`."


def container_skill_not_found(index: int, skill_type: str, skill_id: str) -> str:
    """400 in Messages: a skill the caller's workspace does not have (the docs' example catches a
    ``BadRequestError`` mentioning "skill")."""
    return f"container.skills.{index}: {skill_type} skill `{skill_id}` not found."


def container_version_not_found(index: int, skill_id: str, version: str) -> str:
    """400 in Messages: a pinned version the skill does not have."""
    return f"container.skills.{index}.version: Version `{version}` of skill `{skill_id}` not found."
