"""The Skills API (GA in SDK 2.17) through the official SDK against a real server: skills and versions, the
upload rules, Anthropic's skills, and ``container.skills`` in Messages. Each test has an organization (API key)
of its own."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

from mockclaude import MockClaude
from mockclaude.server.runner import ServerThread

MODEL = "claude-sonnet-4-6"
CODE = [{"type": "code_execution_20250825", "name": "code_execution"}]
pytestmark = pytest.mark.skipif(not hasattr(anthropic.Anthropic, "skills"), reason="SDK without GA skills")


def skill_md(
    name: str = "budget-helper", description: str = "Builds budgets from a CSV of expenses."
) -> bytes:
    return f"---\nname: {name}\ndescription: {description}\n---\n# Budgets\nRead the CSV, sum by month.\n".encode()


def bundle(directory: str = "budget-helper", md: bytes | None = None) -> list[Any]:
    return [(f"{directory}/SKILL.md", md or skill_md()), (f"{directory}/scripts/sum.py", b"print(1)\n")]


@pytest.fixture
def sdk(server: ServerThread, request: pytest.FixtureRequest) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.url, api_key="sk-skills-" + request.node.name, max_retries=0)


def _ask(sdk: anthropic.Anthropic, container: Any, **extra: Any) -> anthropic.types.Message:
    args: dict[str, Any] = {"tools": CODE, **extra}
    return sdk.messages.create(
        model=MODEL,
        max_tokens=16,
        container=container,
        messages=[{"role": "user", "content": "Make a budget"}],
        **args,
    )


# -- skills and versions -----------------------------------------------------------------------------------------


def test_create_from_a_directory_retrieve_list_delete(sdk: anthropic.Anthropic, tmp_path: Path) -> None:
    root = tmp_path / "budget-helper"
    (root / "scripts").mkdir(parents=True)
    (root / "SKILL.md").write_bytes(skill_md())
    (root / "scripts" / "sum.py").write_text("print(1)\n")
    from anthropic.lib import files_from_dir

    raw = sdk.skills.with_raw_response.create(files=files_from_dir(root))
    assert list(json.loads(raw.text())) == [
        "id", "type", "display_name", "source", "latest_version_id", "created_at", "updated_at"
    ]  # fmt: skip
    skill = raw.parse()
    assert skill.id.startswith("skill_01") and len(skill.id) == len("skill_01") + 22
    assert skill.display_name == "budget-helper"  # from the SKILL.md name
    assert skill.source.type == "custom" and skill.latest_version_id.startswith("skver_")
    assert sdk.skills.retrieve(skill.id) == skill
    assert [s.id for s in sdk.skills.list(source="custom")] == [skill.id]
    everything = [s.id for s in sdk.skills.list()]
    assert everything == [skill.id, "pptx", "xlsx", "docx", "pdf"]  # custom first, then Anthropic's
    version = sdk.skills.versions.retrieve(skill.latest_version_id, skill_id=skill.id)
    assert (version.name, version.description) == ("budget-helper", "Builds budgets from a CSV of expenses.")
    deleted = sdk.skills.delete(skill.id)  # with its versions (SDK CHANGELOG 1.2.0)
    assert (deleted.id, deleted.type) == (skill.id, "skill_deleted")
    with pytest.raises(anthropic.NotFoundError):
        sdk.skills.retrieve(skill.id)
    with pytest.raises(anthropic.NotFoundError):
        sdk.skills.versions.list(skill.id)


def test_display_name_and_paging(sdk: anthropic.Anthropic) -> None:
    labelled = sdk.skills.create(files=bundle(), display_name="Budget Helper")
    assert labelled.display_name == "Budget Helper"
    with pytest.raises(anthropic.BadRequestError, match="at most 255"):
        sdk.skills.create(files=bundle(), display_name="x" * 256)
    second = sdk.skills.create(files=bundle())  # display names are not unique; a second skill
    page = sdk.skills.list(limit=2)
    assert [s.id for s in page.data] == [second.id, labelled.id] and page.next_page is not None
    assert [s.id for s in sdk.skills.list(limit=2, page=page.next_page).data] == ["pptx", "xlsx"]
    assert len(list(sdk.skills.list(limit=2))) == 6
    with pytest.raises(anthropic.BadRequestError, match="Invalid page cursor"):
        sdk.skills.list(page="nope")


def test_versions(sdk: anthropic.Anthropic) -> None:
    skill = sdk.skills.create(files=bundle())
    first = skill.latest_version_id
    newer = sdk.skills.versions.create(skill.id, files=bundle(md=skill_md(description="Weekly budgets.")))
    assert newer.id != first and newer.description == "Weekly budgets." and newer.skill_id == skill.id
    assert sdk.skills.retrieve(skill.id).latest_version_id == newer.id
    assert sdk.skills.versions.retrieve("latest", skill_id=skill.id).id == newer.id
    assert [v.id for v in sdk.skills.versions.list(skill.id)] == [newer.id, first]
    with pytest.raises(anthropic.BadRequestError, match="does not match the skill's name"):
        sdk.skills.versions.create(skill.id, files=bundle("other-skill", skill_md("other-skill")))
    gone = sdk.skills.versions.delete(newer.id, skill_id=skill.id)
    assert (gone.id, gone.type) == (newer.id, "skill_version_deleted")
    assert sdk.skills.retrieve(skill.id).latest_version_id == first
    with pytest.raises(anthropic.BadRequestError, match="at least one version"):
        sdk.skills.versions.delete(first, skill_id=skill.id)
    with pytest.raises(anthropic.NotFoundError):
        sdk.skills.versions.retrieve(newer.id, skill_id=skill.id)


def test_async_round_trip(server: ServerThread) -> None:
    async def run() -> None:
        client = anthropic.AsyncAnthropic(base_url=server.url, api_key="sk-skills-async", max_retries=0)
        skill = await client.skills.create(files=bundle())
        version = await client.skills.versions.create(skill.id, files=bundle())
        listed = [v.id async for v in client.skills.versions.list(skill.id)]
        assert listed[0] == version.id
        assert (await client.skills.retrieve(skill.id)).latest_version_id == version.id
        await client.skills.delete(skill.id)
        assert [s.id async for s in client.skills.list(source="custom")] == []

    asyncio.run(run())


def test_a_zip_archive_is_a_bundle(sdk: anthropic.Anthropic) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("budget-helper/SKILL.md", skill_md())
        z.writestr("budget-helper/run.py", "print(1)\n")
    skill = sdk.skills.create(files=[("budget-helper.zip", archive.getvalue(), "application/zip")])
    assert skill.display_name == "budget-helper"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("budget-helper/README.md", b"no skill file")], "SKILL.md file must be at the root"),
        ([("a/SKILL.md", skill_md("a")), ("b/x.py", b"")], "same top-level directory"),
        ([("SKILL.md", skill_md())], "same top-level directory"),
        (bundle(md=b"# no front matter\n"), "must begin with YAML frontmatter"),
        (bundle("Budget", skill_md("Budget")), "only lowercase letters, numbers, and hyphens"),
        (bundle("claude-helper", skill_md("claude-helper")), "reserved word 'claude'"),
        (bundle(md=b"---\nname: budget-helper\n---\n"), "description must be non-empty"),
        (bundle(md=skill_md(description="Uses <b>bold</b> words.")), "cannot contain XML tags"),
        (bundle("budget-helper", skill_md("other-name")), "must match the SKILL.md name"),
        ([b"bare bytes"], "every file needs a filename"),
    ],
)
def test_upload_rules(sdk: anthropic.Anthropic, files: list[Any], message: str) -> None:
    with pytest.raises(anthropic.BadRequestError, match=message):
        sdk.skills.create(files=files)


def test_front_matter_forms(sdk: anthropic.Anthropic) -> None:
    md = b'---\nname: "budget_helper"\ndescription: >\n  Builds budgets\n  from expenses.\nlicense: MIT\n---\nBody\n'
    with pytest.raises(anthropic.BadRequestError):  # an underscore is not allowed in the name itself
        sdk.skills.create(files=bundle("budget_helper", md))
    md = md.replace(b'"budget_helper"', b"budget-helper")
    skill = sdk.skills.create(
        files=bundle("Budget_Helper", md)
    )  # the directory matches case/underscore-blind
    version = sdk.skills.versions.retrieve("latest", skill_id=skill.id)
    assert version.description == "Builds budgets from expenses."


def test_anthropic_skills_are_read_only(sdk: anthropic.Anthropic) -> None:
    pptx = sdk.skills.retrieve("pptx")
    assert pptx.source.type == "anthropic" and pptx.latest_version_id == "20251013"
    assert [s.id for s in sdk.skills.list(source="anthropic")] == ["pptx", "xlsx", "docx", "pdf"]
    assert [v.id for v in sdk.skills.versions.list("xlsx")] == ["20251013"]
    with pytest.raises(anthropic.BadRequestError, match="Anthropic skill"):
        sdk.skills.delete("pptx")
    with pytest.raises(anthropic.BadRequestError, match="Anthropic skill"):
        sdk.skills.versions.create("pptx", files=bundle())


# -- container.skills in Messages --------------------------------------------------------------------------------


def test_container_skills_are_reflected_with_resolved_versions(sdk: anthropic.Anthropic) -> None:
    skill = sdk.skills.create(files=bundle())
    wanted = [
        {"type": "custom", "skill_id": skill.id, "version": "latest"},
        {"type": "anthropic", "skill_id": "xlsx"},
    ]
    reply = _ask(sdk, {"skills": wanted})
    assert reply.container is not None and reply.container.id.startswith("container_011C")
    assert [(s.type, s.skill_id, s.version) for s in reply.container.skills or []] == [
        ("custom", skill.id, skill.latest_version_id),
        ("anthropic", "xlsx", "20251013"),
    ]
    with sdk.messages.stream(
        model=MODEL,
        max_tokens=16,
        container={"skills": wanted},  # type: ignore[typeddict-item]
        tools=CODE,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "Make a budget"}],
    ) as stream:
        streamed = stream.get_final_message()
    assert streamed.container is not None and streamed.container.skills == reply.container.skills
    again = _ask(
        sdk,
        {
            "id": reply.container.id,
            "skills": [{"type": "custom", "skill_id": skill.id, "version": skill.latest_version_id}],
        },
    )
    assert again.container is not None and again.container.id == reply.container.id


def test_container_skill_errors(server: ServerThread, sdk: anthropic.Anthropic) -> None:
    skill = sdk.skills.create(files=bundle())
    custom = {"type": "custom", "skill_id": skill.id}
    with pytest.raises(anthropic.BadRequestError, match="code execution tool"):
        _ask(sdk, {"skills": [custom]}, tools=[])
    with pytest.raises(anthropic.BadRequestError, match="A maximum of 8 skills"):
        _ask(sdk, {"skills": [custom] * 9})
    with pytest.raises(anthropic.BadRequestError, match="custom skill `skill_01nope` not found"):
        _ask(sdk, {"skills": [{"type": "custom", "skill_id": "skill_01nope"}]})
    with pytest.raises(anthropic.BadRequestError, match="anthropic skill `slides` not found"):
        _ask(sdk, {"skills": [{"type": "anthropic", "skill_id": "slides"}]})
    with pytest.raises(anthropic.BadRequestError, match=r"container\.skills\.0\.version"):
        _ask(sdk, {"skills": [{**custom, "version": "skver_011Cmissing"}]})
    other = anthropic.Anthropic(base_url=server.url, api_key="sk-skills-someone-else", max_retries=0)
    with pytest.raises(anthropic.BadRequestError, match="not found"):
        _ask(other, {"skills": [custom]})


@pytest.fixture
def mock() -> Iterator[MockClaude]:
    with MockClaude() as m:
        yield m


def test_reset_forgets_skills(mock: MockClaude) -> None:
    client = mock.client(max_retries=0)
    first = client.skills.create(files=bundle())
    mock.reset()
    assert [s.id for s in client.skills.list(source="custom")] == []
    assert client.skills.create(files=bundle()).id == first.id  # ids start from the beginning
