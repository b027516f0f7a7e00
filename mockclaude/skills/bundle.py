"""A skill upload: its files, the ``SKILL.md`` at the root of their one top-level directory, and its front matter.

DOCS skills-guide "Requirements": a ``SKILL.md`` at the top level; every file under one common root directory,
whose name matches the front matter's ``name`` ("case and underscore insensitive: `Financial_Skill` matches
`financial-skill`"); under 30 MB in all; a zip archive must hold the skill directory as its single top-level
entry. DOCS agent-skills/overview: ``name`` at most 64 characters of lowercase letters, numbers and hyphens, no
XML tags, not containing "anthropic" or "claude"; ``description`` non-empty, at most 1024 characters, no XML tags.
The SDK's ``files_from_dir`` names each part ``<dir>/<path>``; the form field is ``files[]`` (or ``files``).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.multipart import Part
from mockclaude.skills import texts

__all__ = ["MAX_UPLOAD_BYTES", "Bundle", "front_matter", "read_bundle", "slug"]

MAX_UPLOAD_BYTES = 30 * 1024 * 1024  # DOCS "Total upload size must be under 30 MB" (was 8 MB in 2025)
MAX_NAME, MAX_DESCRIPTION = 64, 1024
_NAME = re.compile(r"^[a-z0-9-]+$")
_XML = re.compile(r"<[^<>]*>")
RESERVED = ("anthropic", "claude")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class Bundle:
    """A checked upload: the top-level ``directory``, the skill's ``name`` (slug), ``description``, files."""

    directory: str
    name: str
    description: str
    files: dict[str, bytes] = field(repr=False)


def slug(directory: str) -> str:
    """A directory name as the slug it stands for (``Financial_Skill`` -> ``financial-skill``)."""
    return directory.strip().lower().replace("_", "-")


def _bad(problem: str) -> InvalidRequestError:
    return InvalidRequestError(texts.bundle(problem))


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def front_matter(text: str) -> dict[str, str]:
    """The top-level ``key: value`` pairs between the opening ``---`` and the next ``---`` line (YAML-ish:
    quoted scalars, ``>`` / ``|`` blocks, indented continuation lines; nested maps are skipped)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise _bad("SKILL.md must begin with YAML frontmatter between '---' lines")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise _bad("SKILL.md frontmatter is not closed by a '---' line") from None
    out: dict[str, str] = {}
    key: str | None = None
    folded = False
    block: list[str] = []

    def flush() -> None:
        if key is not None and block:
            out[key] = (" " if folded else "\n").join(part.strip() for part in block).strip()

    for line in lines[1:end]:
        if line[:1] in (" ", "\t") and key is not None:
            block.append(line)
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        flush()
        name, sep, value = line.partition(":")
        key, block, folded = (name.strip(), [], True) if sep else (None, [], False)
        if key is None:
            continue
        value = value.strip()
        if value in (">", ">-", "|", "|-"):
            folded = value.startswith(">")
        elif value:
            out[key] = _unquote(value)
            key = None
    flush()
    return out


def _files(parts: list[Part]) -> dict[str, bytes]:
    """``path -> bytes`` of the upload's file parts; a single zip archive is opened."""
    uploads = [p for p in parts if p.name in ("files", "files[]", "file")]
    if not uploads:
        raise InvalidRequestError(texts.missing_files())
    if sum(len(p.data) for p in uploads) > MAX_UPLOAD_BYTES:
        raise InvalidRequestError(texts.too_large(MAX_UPLOAD_BYTES))
    if len(uploads) == 1 and uploads[0].data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(uploads[0].data)) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if sum(m.file_size for m in members) > MAX_UPLOAD_BYTES:
                    raise InvalidRequestError(texts.too_large(MAX_UPLOAD_BYTES))
                return {m.filename: archive.read(m) for m in members}
        except zipfile.BadZipFile:
            raise _bad("the zip archive could not be read") from None
    files: dict[str, bytes] = {}
    for part in uploads:
        path = (part.filename or "").replace("\\", "/").lstrip("/")
        while path.startswith("./"):
            path = path[2:]
        if not path:
            raise _bad("every file needs a filename with its path")
        files[path] = part.data
    return files


def read_bundle(parts: list[Part]) -> Bundle:
    """The upload in ``parts`` checked against the requirements above, or the 400 naming the first it breaks."""
    files = _files(parts)
    tops = {path.split("/", 1)[0] for path in files}
    if any("/" not in path for path in files) or len(tops) != 1:
        raise _bad("All files must be in the same top-level directory")
    directory = tops.pop()
    skill_md = files.get(f"{directory}/SKILL.md")
    if skill_md is None:
        raise _bad(f"SKILL.md file must be at the root of the top-level directory '{directory}'")
    meta = front_matter(skill_md.decode("utf-8", errors="replace"))
    name = meta.get("name") or slug(directory)
    description = meta.get("description", "")
    if len(name) > MAX_NAME:
        raise _bad(f"SKILL.md name must be at most {MAX_NAME} characters")
    if _XML.search(name) or not _NAME.match(name):
        raise _bad("SKILL.md name must contain only lowercase letters, numbers, and hyphens")
    reserved = next((word for word in RESERVED if word in name), None)
    if reserved is not None:
        raise _bad(f"SKILL.md name cannot contain the reserved word '{reserved}'")
    if not description.strip():
        raise _bad("SKILL.md description must be non-empty")
    if len(description) > MAX_DESCRIPTION:
        raise _bad(f"SKILL.md description must be at most {MAX_DESCRIPTION} characters")
    if _XML.search(description):
        raise _bad("SKILL.md description cannot contain XML tags")
    if slug(directory) != name:
        raise _bad(f"the top-level directory '{directory}' must match the SKILL.md name '{name}'")
    return Bundle(directory, name, description, files)
