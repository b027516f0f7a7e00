"""The facts the drift check reads from an ``anthropic`` SDK's source, without importing it.

Every reader takes the package directory (``.../site-packages/anthropic`` or an sdist's ``src/anthropic``) and
returns a set of strings; a file a newer SDK moved or dropped gives an empty set, which the report shows as
"not read" rather than as drift.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

__all__ = [
    "SdkFacts",
    "api_md_routes",
    "beta_names",
    "block_types",
    "delta_types",
    "deprecated_models",
    "error_codes",
    "model_ids",
    "params_of",
    "read_sdk",
    "resource_routes",
    "stop_reasons",
    "tool_versions",
]

SdkFacts = dict[str, set[str]]
_ROUTE_CALL = re.compile(
    r"self\._(get|post|delete|patch|put|get_api_list)\(\s*(?:path_template\()?\s*f?\"(/v1/[^\"]*)\"", re.S
)
_API_MD = re.compile(r'<code title="(get|post|put|patch|delete) (/v1/[^"]*)">client\.([a-z_.]+)')
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def normalise(method: str, path: str) -> str:
    """``GET /v1/files/{}``: the method upper-cased, every path parameter an empty ``{}``."""
    return f"{method.upper()} {_PLACEHOLDER.sub('{}', path.split('?')[0])}"


def _literals(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


def resource_routes(package: Path) -> tuple[set[str], set[str]]:
    """``(GA, beta)`` routes from the resource modules' request calls (``resources/beta/`` is the beta set)."""
    ga: set[str] = set()
    beta: set[str] = set()
    root = package / "resources"
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        found = {
            normalise("get" if m[1] == "get_api_list" else m[1], m[2]) for m in _ROUTE_CALL.finditer(text)
        }
        (beta if "beta" in path.relative_to(root).parts else ga).update(found)
    return ga, beta


def api_md_routes(api_md: Path) -> tuple[set[str], set[str]]:
    """``(GA, beta)`` routes from ``api.md``'s ``<code title="post /v1/...">client.…`` lines."""
    ga: set[str] = set()
    beta: set[str] = set()
    for method, path, call in _API_MD.findall(api_md.read_text(encoding="utf-8", errors="replace")):
        (beta if call.startswith("beta.") else ga).add(normalise(method, path))
    return ga, beta


def params_of(path: Path, class_name: str) -> set[str]:
    """The keys of a request ``TypedDict`` (``MessageCreateParamsBase``…), the SDK-only ``betas`` left out."""
    tree = _parse(path)
    if tree is None:
        return set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return {
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and item.target.id != "betas"
            }
    return set()


def _type_literals(files: list[Path]) -> set[str]:
    """The ``type: Literal["x"]`` (or ``Required[Literal[...]]``) values of the classes in ``files``."""
    out: set[str] = set()
    for path in files:
        tree = _parse(path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == "type"
            ):
                out.update(_literals(node.annotation))
    out.discard("Required")
    return out


def block_types(package: Path, *, beta: bool = False, params: bool = False) -> set[str]:
    """Content block types: response blocks (``*_block.py``) or request blocks (``*_block_param.py``)."""
    folder = package / "types" / ("beta" if beta else "")
    pattern = "*block_param.py" if params else "*block.py"
    return _type_literals(sorted(folder.glob(pattern)))


def delta_types(package: Path, *, beta: bool = False) -> set[str]:
    """Stream event and delta types (``raw_*`` events, ``*_delta.py``)."""
    folder = package / "types" / ("beta" if beta else "")
    files = sorted(folder.glob("*delta.py")) + sorted(folder.glob("*raw_message_*event.py"))
    files += sorted(folder.glob("*raw_content_block_*event.py"))
    return _type_literals(files)


def tool_versions(package: Path, *, beta: bool = False) -> set[str]:
    """Versioned tool ``type`` strings (``web_search_20260318``…) of the tool param files."""
    folder = package / "types" / ("beta" if beta else "")
    found = _type_literals(sorted(folder.glob("*tool*_param.py")))
    edits = ("clear_", "compact_")  # context-management edits, not tools
    return {
        t for t in found if (re.search(r"_\d{8}$", t) or t.endswith("_toolset")) and not t.startswith(edits)
    }


def _literal_list(path: Path) -> set[str]:
    tree = _parse(path)
    return set(_literals(tree)) - {"__all__"} - _names(tree) if tree is not None else set()


def _names(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        t for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in _literals(n) if t[:1].isupper()
    }


def beta_names(package: Path) -> set[str]:
    """The ``anthropic-beta`` values of ``types/anthropic_beta_param.py``."""
    return {
        b
        for b in _literal_list(package / "types" / "anthropic_beta_param.py")
        if re.search(r"-\d{4}-\d{2}-\d{2}$", b)
    }


def model_ids(package: Path) -> set[str]:
    """The model ids of ``types/model_param.py`` (the SDK's list of current models)."""
    return {m for m in _literal_list(package / "types" / "model_param.py") if m.startswith("claude")}


def deprecated_models(package: Path) -> set[str]:
    """The ids ``_data/deprecated_models.py`` warns about."""
    return {m for m in _literal_list(package / "_data" / "deprecated_models.py") if m.startswith("claude")}


def stop_reasons(package: Path) -> set[str]:
    """``types/stop_reason.py``."""
    return {s for s in _literal_list(package / "types" / "stop_reason.py") if s.islower()}


def error_codes(package: Path) -> tuple[set[str], set[str]]:
    """The ``error.details.error_code`` values of ``_error_classes.py`` as ``status code`` strings: ``(those of the
    Messages surface, the rest)``. A code belongs to the rest when its class lives under ``types/organization``
    or ``types/beta`` (Admin API, Managed Agents, platform betas)."""
    path = package / "_error_classes.py"
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    module_of = {
        name: module for module, name in re.findall(r"from \.types\.([\w.]+) import \(?\s*(\w+)", text)
    }
    core: set[str] = set()
    rest: set[str] = set()
    for status, code, cls in re.findall(r'\((\d{3}), "([a-z0-9_]+)"\): (\w+)', text):
        module = module_of.get(cls, "")
        (rest if module.startswith(("organization.", "beta.")) else core).add(f"{status} {code}")
    return core, rest


def read_sdk(package: Path, api_md: Path | None = None) -> SdkFacts:
    """Every category the report compares, read from one SDK."""
    ga, beta = resource_routes(package)
    if api_md is not None and api_md.is_file():
        md_ga, md_beta = api_md_routes(api_md)
        ga, beta = ga | md_ga, beta | md_beta
    types = package / "types"
    return {
        "GA routes": ga,
        "beta routes": beta - ga,
        "Messages params": params_of(types / "message_create_params.py", "MessageCreateParamsBase"),
        "beta Messages params": params_of(
            types / "beta" / "message_create_params.py", "MessageCreateParamsBase"
        ),
        "count_tokens params": params_of(
            types / "message_count_tokens_params.py", "MessageCountTokensParams"
        ),
        "request blocks": block_types(package, params=True),
        "beta request blocks": block_types(package, beta=True, params=True)
        - block_types(package, params=True),
        "response blocks": block_types(package),
        "beta response blocks": block_types(package, beta=True) - block_types(package),
        "stream events and deltas": delta_types(package) | delta_types(package, beta=True),
        "tool versions": tool_versions(package) | tool_versions(package, beta=True),
        "stop reasons": stop_reasons(package),
        "beta names": beta_names(package),
        "error codes": error_codes(package)[0],
        "error codes (Admin, Agents)": error_codes(package)[1],
        "model ids": model_ids(package),
        "deprecated models": deprecated_models(package),
    }
