"""Reading YAML script files (safe loading only) with the line of every path, for located error messages."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mockclaude.engine.documents import Document
from mockclaude.engine.issues import Issue, ScriptError, join

if TYPE_CHECKING:
    import yaml


def _lines(node: yaml.Node, path: str, out: dict[str, int]) -> None:
    import yaml  # already loaded by parse_yaml: a dictionary lookup

    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark.line)
            child = join(path, str(key))
            out[child] = key_node.start_mark.line + 1
            _lines(value_node, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, join(path, i), out)


def parse_yaml(text: str, source: str) -> Document:
    """Parse one YAML document into data plus a path -> line map; errors raise a located ``ScriptError``."""
    import yaml  # imported on first use: only a mock that reads YAML scripts pays its ~11 ms of start-up

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ScriptError([Issue(source, None, "", f"not valid YAML: {problem}", line)]) from None
    except yaml.YAMLError as exc:
        raise ScriptError([Issue(source, None, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if node is not None:
        _lines(node, "", lines)
    return Document(data, lines)


def read_yaml(path: Path) -> Document:
    """The ``Reader`` for ``.yaml`` / ``.yml`` files."""
    return parse_yaml(path.read_text(encoding="utf-8"), str(path))


def dump_yaml(data: object, comment: str = "") -> str:
    """``data`` as a YAML script file a person can read: keys in their order, multi-line strings as ``|``
    blocks, no line wrapping, unicode as is (libyaml's emitter when it is there). ``comment`` goes on top."""
    import yaml

    base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[valid-type,misc]
        """A dumper of its own, so the string style below does not leak into other users of PyYAML."""

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value and not value.startswith((" ", "\n")) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    body: str = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=1 << 30)
    head = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return head + body
