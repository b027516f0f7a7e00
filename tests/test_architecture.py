"""The layers of DESIGN.md / ARCHITECTURE.md: nothing imports upward, and third-party use stays where it belongs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mockclaude"

# module path prefix -> layer. Longest prefix wins.
LAYERS: dict[str, int] = {
    "mockclaude.model": 0,
    "mockclaude.clock": 0,
    "mockclaude.ids": 0,
    "mockclaude.validate": 1,
    "mockclaude.tokenize": 1,
    "mockclaude.cache": 2,
    "mockclaude.limits": 2,
    "mockclaude.files": 2,  # the Files API room: a pure service (state + rules); its edge is server/files.py
    "mockclaude.skills": 2,  # the Skills API room; its edge is server/skills.py
    "mockclaude.engine": 3,
    "mockclaude.render": 3,
    "mockclaude.pipeline": 4,
    "mockclaude.front": 4,
    "mockclaude.rooms": 4,
    "mockclaude.batches": 4,
    "mockclaude.server": 5,
    "mockclaude.script": 5,
    "mockclaude.record": 5,  # record and replay: pure (no aiohttp); the proxy itself is server/recorder.py
    "mockclaude.mock": 6,
    "mockclaude.testing": 7,
    "mockclaude.cli": 7,
    "mockclaude.__main__": 7,
    "mockclaude": 0,  # the package root only holds __version__
}
# Same-layer packages that must not import each other (siblings, not a stack).
SIBLINGS = [
    ("mockclaude.validate", "mockclaude.tokenize"),
    ("mockclaude.engine", "mockclaude.render"),
    ("mockclaude.files", "mockclaude.skills"),  # two rooms: each stands alone
]
# Third-party packages and the only layers allowed to import them.
THIRD_PARTY = {
    "aiohttp": {"mockclaude.server", "mockclaude.mock", "mockclaude.testing", "mockclaude.cli"},
    "yaml": {"mockclaude.script"},
    "pytest": {"mockclaude.testing"},
    "anthropic": set(),  # a test dependency: never imported at run time
    "openai": set(),  # a test dependency (the /v1/chat/completions client): never imported at run time
    "tiktoken": {"mockclaude.tokenize"},
    "faker": {"mockclaude.engine"},
    "regex": {"mockclaude.engine.saferegex"},  # user patterns, time-bounded
}


def _layer(module: str) -> tuple[str, int]:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return best, LAYERS[best]


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this module's package
                base = module.split(".")[: -node.level] if path.name != "__init__.py" else module.split(".")
                if path.name == "__init__.py" and node.level > 1:
                    base = module.split(".")[: -(node.level - 1)]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_no_upward_imports(module: str, path: Path) -> None:
    own_prefix, own = _layer(module)
    for name in _imports(path, module):
        if name.startswith("mockclaude"):
            target_prefix, target = _layer(name)
            assert target <= own, f"{module} (layer {own}) imports {name} (layer {target})"
            for a, b in SIBLINGS:
                assert not (own_prefix == a and target_prefix == b), f"{module} imports sibling {name}"
                assert not (own_prefix == b and target_prefix == a), f"{module} imports sibling {name}"
        top = name.split(".")[0]
        if top in THIRD_PARTY:
            allowed = THIRD_PARTY[top]
            assert any(module == p or module.startswith(p + ".") for p in allowed), (
                f"{module} imports {top}, allowed only in {sorted(allowed) or 'tests'}"
            )


def test_layers_table_covers_every_module() -> None:
    for module, _ in _modules():
        assert _layer(module)[0], module


# The API rooms (DESIGN.md "The shape to grow into"): a pure service package and thin routes in server/.
ROOMS = {"mockclaude.files": "mockclaude/server/files.py", "mockclaude.skills": "mockclaude/server/skills.py"}


@pytest.mark.parametrize("room", sorted(ROOMS))
def test_rooms_are_pure_services_with_an_edge_of_their_own(room: str) -> None:
    package = PACKAGE.parent / room.replace(".", "/")
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for name in _imports(path, module):
            assert not name.startswith(("aiohttp", "mockclaude.server", "mockclaude.pipeline")), (
                f"{module} imports {name}: a room's service knows no HTTP and no pipeline"
            )
    assert (PACKAGE.parent / ROOMS[room]).is_file(), f"{room} has no routes module"
    assert len(list(package.glob("*.py"))) <= 15, f"{room}: more than 15 modules"
