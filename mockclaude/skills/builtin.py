"""Anthropic's pre-built skills: every workspace sees them, none can change them (DOCS skills-guide: "Short names:
`pptx`, `xlsx`, `docx`, `pdf`"; "Date-based: `20251013` or `latest`").

⚠ unconfirmed: their display names, descriptions and timestamps as the Skills API lists them (no captured
listing is public); the version is the date the docs give.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["ANTHROPIC_SKILLS", "BuiltinSkill"]

_RELEASED = dt.datetime(2025, 10, 16, tzinfo=dt.UTC).timestamp()  # the Agent Skills launch


@dataclass(frozen=True, slots=True)
class BuiltinSkill:
    """One Anthropic skill: id (its short name), label, description, its one version."""

    id: str
    display_name: str
    description: str
    version: str = "20251013"
    created_at: float = _RELEASED


ANTHROPIC_SKILLS: dict[str, BuiltinSkill] = {
    skill.id: skill
    for skill in (
        BuiltinSkill("pptx", "PowerPoint", "Creates, edits and analyses PowerPoint presentations."),
        BuiltinSkill(
            "xlsx", "Excel", "Creates, edits and analyses Excel spreadsheets, with formulas and charts."
        ),
        BuiltinSkill("docx", "Word", "Creates, edits and analyses Word documents."),
        BuiltinSkill(
            "pdf", "PDF", "Extracts text and tables from PDFs, fills forms, merges and creates PDFs."
        ),
    )
}
"""Anthropic's skills by id, in the order the list shows them after the custom ones."""
